"""The diff and whatif commands as a person uses them: text, JSON, XLSX (formula injection neutralised), the
proposal as YAML or XLSX, a merger and a rename; on the embedded store (both stores: test_store_behaviour.py)."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook, load_workbook

from quanze.cli import main


@pytest.fixture
def url(full_demo_store):
    return full_demo_store.url


def run(capsys, *argv):
    capsys.readouterr()
    status = main(list(argv))
    return status, capsys.readouterr().out


def test_diff_of_two_demo_versions_as_text_json_and_xlsx(url, capsys, tmp_path):
    status, text = run(capsys, "diff", "樟湾镇基本履职事项清单", "--from", "2024", "--to", "2025", "--store", url)
    assert status == 0
    assert "牵头改变 / lead changed (1)" in text and "做好来信来访受理和办理（樟湾镇）：社会事务办公室 → 党政办公室" in text
    assert "原 before: t012_zhangwan_basic_2024.csv 第25行" in text and "新 after: t012_zhangwan_basic.csv 第25行" in text
    status, out = run(capsys, "diff", "樟湾镇基本履职事项清单", "--from", "2024", "--to", "2025", "--json", "--store", url)
    data = json.loads(out)
    assert data["summary"]["matters_added"] == 5 and data["summary"]["matters_removed"] == 4
    ids = (data["from"]["id"], data["to"]["id"])
    status, out = run(capsys, "diff", *ids, "--json", "--store", url)
    assert json.loads(out)["changes"] == data["changes"]
    xlsx = tmp_path / "d.xlsx"
    assert run(capsys, "diff", *ids, "--xlsx", str(xlsx), "--store", url)[0] == 0
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "汇总" and "牵头改变" in wb.sheetnames
    assert [c.value for c in wb["牵头改变"][2]][1:5] == ["做好来信来访受理和办理", "樟湾镇", "社会事务办公室", "党政办公室"]


def test_diff_refuses_what_it_cannot_find_in_both_languages(url, capsys):
    status = main(["diff", "樟湾镇基本履职事项清单", "--from", "2019", "--to", "2025", "--store", url])
    err = capsys.readouterr().err
    assert status == 2 and "没有版本「2019」" in err and "no version '2019'" in err
    assert main(["diff", "基本履职事项清单", "--from", "2024", "--to", "2025", "--store", url]) == 2
    assert "可指" in capsys.readouterr().err  # 24 townships have one


def test_the_diff_export_neutralises_formulas(tmp_path):
    from quanze.api.diff import CHANGES, write_xlsx

    entry = {"matter": {"id": "m", "name": "=HYPERLINK(\"http://x\")"}, "regions": [{"code": "1", "name": "+cmd"}],
             "before": {"shown": ["@SUM(A1)"], "rows": []}, "after": {"shown": None, "rows": []}}
    data = {"from": {"date": "2024-01-01"}, "to": {"date": "2025-01-01"},
            "kinds": [{"key": k, "zh": zh, "en": en} for k, zh, en in CHANGES],
            "summary": {k: 0 for k, _, _ in CHANGES}, "changes": {k: [] for k, _, _ in CHANGES}}
    data["changes"]["matters_removed"] = [entry]
    data["summary"]["matters_removed"] = 1
    wb = load_workbook(write_xlsx(data, tmp_path / "x.xlsx"))
    row = [c.value for c in wb["删除事项"][2]]
    assert row[1].startswith("'=") and row[2].startswith("'+") and row[3].startswith("'@")


def test_whatif_from_yaml_and_from_xlsx_say_the_same(url, capsys, tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text("county: 青岚县\nas_of: 2026-06-01\nchanges:\n"
                        "  - delegate: {from: 县住建局, to: [漆园乡], matters: [对建设工程质量安全的监督检查]}\n",
                        encoding="utf-8")
    status, text = run(capsys, "whatif", str(proposal), "--store", url)
    assert status == 0 and "存储未改动" in text
    assert "对建设工程质量安全的监督检查（漆园乡）：部门权责 department power 青岚县住房和城乡建设局 → 已下放 delegated " \
           "漆园乡综合行政执法大队" in text
    assert "cannot-undertake" in text
    wb = Workbook()
    wb.active.append(["操作", "事项", "乡镇", "部门"])
    wb.active.append(["下放", "对建设工程质量安全的监督检查", "漆园乡", "县住建局"])
    wb.save(tmp_path / "p.xlsx")
    _, a = run(capsys, "whatif", str(proposal), "--json", "--store", url)
    _, b = run(capsys, "whatif", str(tmp_path / "p.xlsx"), "--in", "青岚县", "--as-of", "2026-06-01", "--json",
               "--store", url)
    a, b = json.loads(a), json.loads(b)
    assert a["answers"] == b["answers"] and a["findings"] == b["findings"]
    out = tmp_path / "w.xlsx"
    assert run(capsys, "whatif", str(proposal), "--xlsx", str(out), "--store", url)[0] == 0
    assert load_workbook(out).sheetnames == ["汇总", "回答变化", "审计变化"]


def test_whatif_merge_and_rename(full_demo_store):
    from quanze.api.whatif import whatif

    before = full_demo_store.content()
    merged = whatif(full_demo_store, {"changes": [
        {"merge": {"agencies": ["青岚县城市建设综合执法大队"], "into": "青岚县综合行政执法局"}}]}, as_of="2026-06-01")
    assert merged["changes"] == [{"action": "merge", "agency": "青岚县城市建设综合执法大队", "into": "青岚县综合行政执法局"}]
    assert full_demo_store.content() == before
    renamed = whatif(full_demo_store, {"changes": [{"rename": {"agency": "县住建局", "to": "青岚县城乡建设局"}}]},
                     as_of="2026-06-01")
    changed = renamed["answers"]["changed"]
    assert changed and all(a["after"]["leads"] == ["青岚县城乡建设局"] for a in changed
                           if a["before"]["leads"] == ["青岚县住房和城乡建设局"])
    with pytest.raises(Exception, match="没有事项"):
        whatif(full_demo_store, {"changes": [{"delegate": {"from": "县住建局", "to": ["漆园乡"], "matters": ["不存在的事"]}}]})
