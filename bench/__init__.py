"""The benchmarks (``python -m bench.run``, ``python bench/search.py``); see bench/run.py."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
