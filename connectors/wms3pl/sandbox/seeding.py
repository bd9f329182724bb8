"""The sandbox's starting data: customers and their SKUs, facilities, stock rows.

The package ships `seed.json`; `--seed FILE` (or `seed=` in Python, a path or a dict) replaces it.

```json
{"customers": [{"id": 1077, "name": "Acme Outdoor", "skus": ["TENT-002"]}],
 "facilities": [{"id": 1, "name": "Denver DC"}],
 "stock": [{"sku": "TENT-002", "facilityId": 1, "qualifier": "", "onHand": 40, "onHold": 0}],
 "orders": [{"customerIdentifier": {"id": 1077}, "facilityIdentifier": {"id": 1}, "referenceNum": "…",
             "shipTo": {…}, "orderItems": [{"itemIdentifier": {"sku": "TENT-002"}, "qty": 1}]}]}
```
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cartsync.engine.errors import ConfigError
from cartsync.engine.sandbox_server import long_lived_objects

if TYPE_CHECKING:
    from cartsync.connectors.wms3pl.sandbox.store import WmsStore

DEFAULT_SEED = Path(__file__).with_name("seed.json")
GENERATED_ON_HAND = 1_000_000

Seed = dict[str, Any]


def load_seed(seed: Seed | str | Path | None) -> Seed:
    """The seed as a dict: the packaged one, a JSON file, or a dict given as is."""
    if seed is None:
        seed = DEFAULT_SEED
    data = seed if isinstance(seed, dict) else _read(Path(seed))
    for key in ("customers", "facilities"):
        if not isinstance(data, dict) or not data.get(key):
            raise ConfigError(f"The seed needs at least one entry in {key!r}.", hint=_HINT)
    return data


_HINT = "a seed is a JSON object like the packaged seed.json (cartsync/connectors/wms3pl/sandbox/seed.json)"


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"Cannot read the seed file {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The seed file {path} is not UTF-8 text.", hint=_HINT) from None
    except json.JSONDecodeError as error:
        message = f"{path}:{error.lineno}:{error.colno}: the seed file is not JSON ({error.msg})."
        raise ConfigError(message, hint=_HINT) from None


def add_generated_items(store: WmsStore, count: int) -> None:
    """`count` items SKU-00001, SKU-00002, … (the names the sandbox store gives its generated
    products) for the first customer, each with one stock row in the first facility holding
    plenty: for benchmarks and load tests."""
    if count < 0:
        raise ValueError(f"the number of generated items must be 0 or more, not {count}")
    if not count:
        return
    customer, facility = next(iter(store.customers)), next(iter(store.facilities))
    with long_lived_objects():
        for number in range(1, count + 1):
            sku = f"SKU-{number:05d}"
            store.add_item(sku, customer)
            store.adjust_stock(sku, GENERATED_ON_HAND, facility_id=facility)
