"""One very big list: the demo county with a 200,000-row power list on top — how long a load, ``who`` and the audit
take (issue "trust under hostile input, load and faults", must-have 6; the probe measured who 34.8 s and an audit
unfinished after 400 s).

    python bench/biglist.py [--rows 200000] [--questions 20] [--out bench/BIGLIST_RESULTS.md]

The list belongs to 青岚县住房和城乡建设局. Half of its rows are numbered items of one wording (社区网格事项1 …
社区网格事项100000: the probe's shape, and what a pair-by-pair near-duplicate check cannot survive), half are
wordings built from 15 actions × 40 objects × 9 endings with a number (对擅自占用城市道路的行政处罚17 …). Measured
in this process, one phase after another: the load (``ingest_paths``), the first ``who`` (it builds the search index
over every matter), then ``--questions`` questions of ``demo/questions.yaml`` in demo townships (median and worst),
the near-duplicate rule alone and the full audit. Peak RSS is read from /proc/self/status. Semantic search is off
(``QUANZE_SEMANTIC=off``): embedding 200,000 new names is a one-off of its own, measured by bench/search.py. No time is
asserted anywhere; docs/benchmarks.md reports a run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("QUANZE_SEMANTIC", "off")

ACTS = ["擅自占用", "未经批准建设", "违法排放", "无证经营", "破坏", "擅自拆除", "未按规定设置", "违规使用", "擅自改变用途",
        "非法采挖", "未经许可挖掘", "拒不整改", "伪造", "转让", "出租"]
OBJECTS = ["城市道路", "农村住宅", "建筑工地", "河道", "林木", "食品", "药品", "特种设备", "燃气", "消防设施", "排水设施",
           "户外广告", "建筑垃圾", "畜禽养殖", "农药", "种子", "危险化学品", "烟花爆竹", "生活垃圾", "文物", "古树名木",
           "饮用水源", "基本农田", "宅基地", "广告牌", "娱乐场所", "网吧", "旅馆", "校外培训", "民办学校", "医疗机构",
           "诊所", "药店", "殡葬设施", "公墓", "电动自行车", "渔船", "水库", "堤防", "采砂"]
TAILS = ["的行政处罚", "行为的行政处罚", "的行政检查", "的监督检查", "的行政强制", "许可", "的行政确认", "备案", "的责令改正"]


def peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def write_list(path: Path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["序号", "事项名称", "事项类型"])
        for i in range(1, rows + 1):
            if i % 2:
                w.writerow([i, f"社区网格事项{i // 2 + 1}", "其他行政权力"])
            else:
                tail = rng.choice(TAILS)
                category = "行政处罚" if "处罚" in tail else "行政检查" if "检查" in tail else "其他行政权力"
                w.writerow([i, f"对{rng.choice(ACTS)}{rng.choice(OBJECTS)}{tail}{i}", category])
    path.with_suffix(".meta.yaml").write_text(
        "kind: power\nregion: '990701'\nowner: 青岚县住房和城乡建设局\ntitle: 青岚县住房和城乡建设局权责清单（压力测试）\n"
        "version: '2099'\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--questions", type=int, default=20)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)

    import yaml

    from quanze.api.audit import run_audit
    from quanze.api.who import who
    from quanze.demo import demo_path
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths

    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    questions = yaml.safe_load((demo_path().parent / "questions.yaml").read_text(encoding="utf-8"))
    items = questions["questions"] if isinstance(questions, dict) else questions
    rng = random.Random(11)
    asked = rng.sample(items, min(args.questions, len(items)))
    with tempfile.TemporaryDirectory(prefix="quanze-biglist-") as tmp:
        folder = Path(tmp)
        with SqliteStore(f"sqlite:///{folder / 'q.db'}") as store:
            started = time.perf_counter()
            assert ingest_paths([demo_path()], store).ok
            say(f"demo county loaded in {time.perf_counter() - started:.1f} s")
            big = folder / "big_power.csv"
            write_list(big, args.rows)
            started = time.perf_counter()
            report = ingest_paths([big], store)
            say(f"{args.rows:,}-row power list: loaded={report.ok} in {time.perf_counter() - started:.1f} s; "
                f"{store.counts()['Matter']:,} matters, {store.counts()['LEADS']:,} LEADS; peak RSS "
                f"{peak_rss_mb():.0f} MB")
            started = time.perf_counter()
            who(store, "村里有人没批就盖房子", "城关镇", as_of="2025-06-01")
            say(f"who, first question (builds the search index): {time.perf_counter() - started:.2f} s")
            times = []
            for q in asked:
                text = q.get("q") or q.get("question") or q.get("text")
                town = q.get("in") or q.get("township") or "城关镇"
                started = time.perf_counter()
                who(store, text, town, as_of="2025-06-01")
                times.append(time.perf_counter() - started)
            say(f"who, {len(times)} questions: median {statistics.median(times) * 1000:.0f} ms, worst "
                f"{max(times) * 1000:.0f} ms; peak RSS {peak_rss_mb():.0f} MB")
            started = time.perf_counter()
            nd = run_audit(store, rules=["near-duplicate"], as_of="2025-06-01")
            r = nd.rules[0]
            say(f"near-duplicate alone: {time.perf_counter() - started:.1f} s ({r['found']} found of "
                f"{r['examined']:,} pairs compared)")
            started = time.perf_counter()
            full = run_audit(store, as_of="2025-06-01")
            say(f"full audit (14 rules): {time.perf_counter() - started:.1f} s, {len(full.findings)} findings; peak "
                f"RSS {peak_rss_mb():.0f} MB")
    if args.out:
        args.out.write_text("# One 200,000-row list\n\n" + "\n".join(f"- {line}" for line in lines) + "\n",
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
