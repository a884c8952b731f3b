"""The HTTP front door under the probe's long names: how long a name lookup and a refused parameter take.

    python bench/frontdoor.py [--repeat 20]

Against the demo county (loaded into a temporary store): ``/show?name=`` with names of 3, 199 and 200 characters
(the library's cap) that match nothing — each answered 404 with suggestions from the bigram index, or 400 — and with
100,000 characters (refused at the door, 400); the first request of each kind is apart (it builds the national
table's index once per process). Times are medians of ``--repeat`` requests through the ASGI application
in-process, without a network. The issue's probe measured 0.4 s for 1,000 characters and 45 s for 8,000 with a
difflib scan under the process lock. No time is asserted; docs/benchmarks.md reports a run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args(argv)

    from quanze.api.http import create_app
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths
    from quanze.tests.helpers import local_client

    with tempfile.TemporaryDirectory(prefix="quanze-frontdoor-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'q.db'}"
        with SqliteStore(url) as store:
            assert ingest_paths([demo_path() / "structure"], store).ok
        with local_client(create_app(url)) as c:
            started = time.perf_counter()
            first = c.get("/show", params={"name": "城关真"})
            print(f"first lookup (builds the index of 44,000 national names): {time.perf_counter() - started:.2f} s "
                  f"({first.status_code})")
            for label, name in (("3 characters", "城关真"), ("199 characters", "城关" + "测" * 197),
                                ("199 characters, one name repeated", ("青岚县城关镇" * 34)[:199]),
                                ("201 characters (over the library's cap)", "测" * 201),
                                ("60,000 characters (over the door's cap; 100,000 in tests/test_http_hardening.py)", "a" * 60_000)):
                times, status = [], None
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    status = c.get("/show", params={"name": name}).status_code
                    times.append(time.perf_counter() - started)
                print(f"/show?name= {label}: {status}, median {statistics.median(times) * 1000:.1f} ms, worst "
                      f"{max(times) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
