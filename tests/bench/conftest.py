"""The benchmarks (`bench/`, at the checkout's top) are imported as the package `bench`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
