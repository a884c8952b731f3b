"""The demo county on disk is exactly what scripts/make_demo.py writes (lists, question sets, PLANTED.md), and its two
question sets are what docs/accuracy.md says they are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_files_are_the_generators_output():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_fresh_set_has_one_question_per_phrasing_and_no_planted_question():
    phrasings = (ROOT / "scripts" / "demo_fresh_phrasings.txt").read_text(encoding="utf-8").strip().splitlines()
    fresh = yaml.safe_load((ROOT / "demo" / "questions-fresh.yaml").read_text(encoding="utf-8"))
    assert [q["q"] for q in fresh] == [line.split("|", 1)[1] for line in phrasings]
    assert [q["matter"] for q in fresh] == [line.split("|", 1)[0] for line in phrasings]
    assert not any("planted" in q for q in fresh)
    # written apart from the first set: no question of one is a question of the other
    first = yaml.safe_load((ROOT / "demo" / "questions.yaml").read_text(encoding="utf-8"))
    assert not {q["q"] for q in fresh} & {q["q"] for q in first}
