"""The chaos suite lives in `chaos/` at the top of the checkout (a development folder, like
`bench/`): make it importable here."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
