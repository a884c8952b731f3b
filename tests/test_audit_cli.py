"""quanze audit and quanze capacity on the command line: JSON shape, exports, --fail-on exit status."""

import csv
import json
import subprocess
import sys

from openpyxl import load_workbook


def quanze(*args):
    return subprocess.run([sys.executable, "-m", "quanze.cli", *args], capture_output=True, text=True, timeout=300)


def test_audit_json_has_the_documented_shape(full_demo_store):
    r = quanze("audit", "--store", full_demo_store.url, "--json", "--as-of", "2025-06-01")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    finding = data["findings"][0]
    assert set(finding) >= {"rule", "severity", "region", "matter", "agencies", "message_zh", "message_en", "sources"}
    assert set(finding["region"]) >= {"code", "name"}
    assert {r["rule"] for r in data["rules"]} >= {"multi-lead", "cannot-undertake", "territorial-overload"}
    assert all(set(r) >= {"rule", "examined", "found"} for r in data["rules"])


def test_fail_on_makes_the_exit_status_non_zero_only_at_that_level(full_demo_store):
    url = full_demo_store.url
    assert quanze("audit", "--store", url, "--rule", "idle-agency", "--fail-on", "high").returncode == 0
    assert quanze("audit", "--store", url, "--rule", "idle-agency", "--fail-on", "low").returncode == 1
    assert quanze("audit", "--store", url, "--rule", "cannot-undertake", "--fail-on", "high").returncode == 1


def test_filters_and_exports(full_demo_store, tmp_path):
    url = full_demo_store.url
    r = quanze("audit", "--store", url, "--in", "漆园乡", "--rule", "cannot-undertake", "--json")
    (finding,) = json.loads(r.stdout)["findings"]
    assert finding["region"]["name"] == "漆园乡"
    out = tmp_path / "audit.xlsx"
    assert quanze("audit", "--store", url, "--xlsx", str(out)).returncode == 0
    wb = load_workbook(out)
    assert len(wb.sheetnames) >= 2 and wb.worksheets[0].freeze_panes
    out_csv = tmp_path / "audit.csv"
    assert quanze("audit", "--store", url, "--csv", str(out_csv)).returncode == 0
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.reader(raw.decode("utf-8-sig").splitlines()))) > 10


def test_bad_rule_and_threshold_are_clear_errors(full_demo_store):
    r = quanze("audit", "--store", full_demo_store.url, "--rule", "no-such-rule")
    assert r.returncode == 2 and "multi-lead" in r.stderr
    r = quanze("audit", "--store", full_demo_store.url, "--threshold", "similarity")
    assert r.returncode == 2 and "RULE.NAME=VALUE" in r.stderr


def test_capacity_shows_delegated_items_enforcers_and_cases(full_demo_store):
    r = quanze("capacity", "--store", full_demo_store.url, "--as-of", "2025-06-01", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["totals"]["cases_on_delegated"] == 16
    assert len(data["townships"]) == 24
    r = quanze("capacity", "--store", full_demo_store.url, "--as-of", "2025-06-01")
    assert "漆园乡" in r.stdout and "执法证" in r.stdout


def test_repeated_findings_are_one_group_in_text_and_json(full_demo_store):
    """dormant-delegation fires in each of the 24 townships: one group of 24 in the JSON's ``groups`` and one block in
    the text, not 24 blocks; every finding is still in ``findings``."""
    url = full_demo_store.url
    data = json.loads(quanze("audit", "--store", url, "--rule", "dormant-delegation", "--json").stdout)
    assert len(data["findings"]) == 24
    (group,) = data["groups"]
    assert group["count"] == 24 and sorted(group["findings"]) == list(range(24))
    assert len(group["townships"]) == 24 and "24" in group["summary_zh"] and "24 townships" in group["summary_en"]
    text = quanze("audit", "--store", url, "--rule", "dormant-delegation").stdout
    assert text.count("dormant-delegation × 24") == 1
    assert text.count("地区 places:") == 1
    # every finding of the whole report sits in exactly one group
    data = json.loads(quanze("audit", "--store", url, "--json").stdout)
    held = sorted(i for g in data["groups"] for i in g["findings"])
    assert held == list(range(len(data["findings"])))
