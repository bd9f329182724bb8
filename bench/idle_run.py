"""One order-download run timed from inside: the CPU its own work takes (configuration,
connections, the read, the ledger) once cartsync and its connectors are loaded. Prints it as JSON.

Run: python -m bench.idle_run PIPELINE CONNECTIONS STATE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from cartsync.engine.registry import connector_class, connector_names
from cartsync.engine.runner import Runner
from cartsync.engine.state import StateStore
from cartsync.engine.workspace import prepare


def main(pipeline: str, connections: str, state: str) -> int:
    for name in connector_names():
        connector_class(name)
    started = time.process_time()
    store = StateStore.open(Path(state))
    prepared = prepare(Path(pipeline), Path(connections), store)
    try:
        report = Runner(prepared.pipeline, prepared.source, prepared.destination, store).run()
    finally:
        prepared.close()
        store.close()
    print(json.dumps({"cpu": time.process_time() - started, "counts": dict(report.counts)}))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
