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
from typing import Any

DEFAULT_SEED = Path(__file__).with_name("seed.json")

Seed = dict[str, Any]


def load_seed(seed: Seed | str | Path | None) -> Seed:
    """The seed as a dict: the packaged one, a JSON file, or a dict given as is."""
    if seed is None:
        seed = DEFAULT_SEED
    data = seed if isinstance(seed, dict) else json.loads(Path(seed).read_text(encoding="utf-8"))
    for key in ("customers", "facilities"):
        if not data.get(key):
            raise ValueError(f"the seed needs at least one entry in {key!r}")
    return data
