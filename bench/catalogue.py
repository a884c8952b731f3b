"""A real published catalogue through quanze: how precise the near-duplicate audit is on real item names.

    python bench/catalogue.py --fetch                       # download the catalogue (pinned commit), load, audit
    python bench/catalogue.py --source bszl-data.js          # a copy already on disk (an offline machine)
    python bench/catalogue.py --source … --sample 50 --seed 16 --out pairs.json

The catalogue: the government-service guide (办事指南) of 广安市广安区 (area code 511602) as the repository
github.com/v-luobo/zwfw publishes it in ``bszl-data.js`` (Apache-2.0; 34 departments, 1,135 items, each with the
item code of Sichuan's service platform). It is not copied into this repository: this script downloads it (or reads a
copy) at the commit below, turns each department's items into a power list (事项名称; 子项 where the catalogue groups
items under a parent item; 事项编码 and 事项类型 from the platform's item code and task type), loads them with a
declared structure into a temporary embedded store, and runs the audit. It prints what the near-duplicate rule
reports, and with ``--sample`` a seeded sample of pairs to judge; docs/near-duplicates.md holds the judgement of one.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPOSITORY = "v-luobo/zwfw"
COMMIT = "11bd626315e3d6f8b70ea948ccc476d17a21cd9c"
URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/bszl-data.js"
AREA, DISTRICT = "511602", "广安区"
# taskType of Sichuan's platform → 事项类型 (the national order of the ten power categories, then public service)
CATEGORIES = {"1": "行政许可", "2": "行政处罚", "3": "行政强制", "4": "行政征收", "5": "行政给付", "6": "行政检查",
              "7": "行政确认", "8": "行政奖励", "9": "行政裁决", "10": "其他行政权力", "20": "公共服务"}


def read_catalogue(text: str) -> list[dict[str, Any]]:
    """The JavaScript file's one array, as data."""
    start, end = text.index("["), text.rindex("]")
    return json.loads(text[start:end + 1])


def item_code(link: str) -> tuple[str | None, str | None]:
    """(事项编码, 事项类型) from an item's link: the code before the area code, the task type."""
    code = re.search(r"itemCode=([^&]+?)-" + AREA, link)
    task = re.search(r"taskType=(\d+)", link)
    return (code.group(1) if code else None), CATEGORIES.get(task.group(1)) if task else None


def write_lists(data: list[dict[str, Any]], folder: Path) -> list[Path]:
    """A structure file declaring the district and its departments, and one power list per department."""
    departments = [d["department"] for d in data]
    (folder / "structure.yaml").write_text(
        f"county: {{code: '{AREA}', name: {DISTRICT}}}\ndepartments:\n"
        + "".join(f"- {{name: {name}}}\n" for name in departments), encoding="utf-8")
    files = [folder / "structure.yaml"]
    for i, d in enumerate(data, 1):
        path = folder / f"power_{i:02d}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["序号", "事项编码", "事项名称", "子项", "事项类型"])
            n = 0
            for group in d["items"]:
                parent = group["main_item"]
                for item in group["sub_items"]:
                    code, category = item_code(item.get("link") or "")
                    n += 1
                    if parent == "未分类":
                        w.writerow([n, code or "", item["name"], "", category or ""])
                    else:
                        w.writerow([n, code or "", parent, item["name"], category or ""])
        path.with_suffix(".meta.yaml").write_text(
            f"kind: power\nregion: '{AREA}'\nowner: {d['department']}\ntitle: {DISTRICT}{d['department']}政务服务事项目录\n"
            "version: '2024'\n", encoding="utf-8")
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--source", type=Path, help="bszl-data.js on disk")
    p.add_argument("--fetch", action="store_true", help=f"download it from {URL}")
    p.add_argument("--sample", type=int, default=0, help="print a seeded sample of this many reported pairs")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--out", type=Path, help="write every reported pair (and the sample) as JSON")
    p.add_argument("--threshold", type=float, default=None, help="near-duplicate.similarity")
    args = p.parse_args(argv)
    if args.fetch:
        with urllib.request.urlopen(URL, timeout=60) as r:  # noqa: S310 (a pinned https URL)
            text = r.read().decode("utf-8")
    elif args.source:
        text = args.source.read_text(encoding="utf-8")
    else:
        p.error("give --source FILE or --fetch")
    data = read_catalogue(text)
    from quanze.api.audit import run_audit
    from quanze.graph.sqlite_store import SqliteStore
    from quanze.ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="quanze-catalogue-") as tmp:
        folder = Path(tmp)
        files = write_lists(data, folder)
        with SqliteStore(f"sqlite:///{folder / 'q.db'}") as store:
            started = time.perf_counter()
            report = ingest_paths(files, store, partial=True)
            loaded = time.perf_counter() - started
            problems = [p.format() for f in report.files for p in f.problems if p.is_error]
            started = time.perf_counter()
            th = {"near-duplicate.similarity": args.threshold} if args.threshold else None
            audit = run_audit(store, thresholds=th)
            audited = time.perf_counter() - started
            items = sum(len(g["sub_items"]) for d in data for g in d["items"])
            print(f"{len(data)} departments, {items} items; loaded in {loaded:.1f} s ({len(problems)} errors), "
                  f"audited in {audited:.1f} s")
            for r in audit.rules:
                print(f"  {r['rule']}: {r['found']} found of {r['examined']} examined")
            for f in audit.of("duplicate-item") + audit.of("near-duplicate"):
                print(f"  [{f.rule}] {f.message_zh}")
            pairs = [{"a": f.matter["name"], "b": f.details["other_matter"]["name"],
                      "similarity": f.details["similarity"], "agencies": [a["name"] for a in f.agencies],
                      "message": f.message_zh} for f in audit.of("near-duplicate")]
    sample = random.Random(args.seed).sample(pairs, min(args.sample, len(pairs))) if args.sample else []
    for i, pair in enumerate(sample, 1):
        print(f"{i:2d}. {pair['a']}  ⟷  {pair['b']}  ({pair['similarity']:.2f}; {'、'.join(pair['agencies'])})")
    if args.out:
        args.out.write_text(json.dumps({"pairs": pairs, "sample": sample}, ensure_ascii=False, indent=1),
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
