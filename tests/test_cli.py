"""The quanze command: help in both languages, exit codes, JSON output."""

import json
import subprocess
import sys

import pytest

from quanze.cli import build_parser, main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "quanze.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize("command", [[], ["ingest"], ["show"], ["demo"], ["summary"], ["schema"]])
def test_help_everywhere_in_chinese_and_english(command, capsys):
    with pytest.raises(SystemExit) as e:
        main(command + ["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "store" in out.lower() or "schema" in out.lower() or command == ["show"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out), "help has no Chinese"
    assert any(word in out for word in ("load", "show", "print", "Counts", "who")), "help has no English"


def test_every_option_has_help_text():
    parser = build_parser()
    for action in parser._subparsers._group_actions[0].choices.values():  # noqa: SLF001
        for opt in action._actions:  # noqa: SLF001
            assert opt.help, f"{action.prog} {opt.dest} has no help"


def test_ingest_exit_status_and_json_report(tmp_path):
    good = tmp_path / "county.yaml"
    good.write_text("county: {code: '990798', name: 测试县}\ntownships:\n  - {code: '990798001', name: 甲镇}\n",
                    encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'q.db'}"
    r = run("ingest", str(good), "--store", store, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["ok"] is True and data["files"][0]["status"] == "loaded"
    assert data["store"]["Region"] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("county: {code: '990798', name: 测试县}\ndepartments:\n  - {name: 测试县水利局, staffing: "
                   "{admin_quota: -1}}\n", encoding="utf-8")
    r = run("ingest", str(bad), "--store", store)
    assert r.returncode == 1
    assert "错误" in r.stdout and "error" in r.stdout and "admin_quota" in r.stdout


def test_show_agency_and_region_after_the_demo(tmp_path):
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    r = run("demo", "--store", store, "--no-serve")
    assert r.returncode == 0, r.stderr
    assert "青岚县" in r.stdout and "24" in r.stdout
    assert "示例 example" in r.stdout and "牵头 lead" in r.stdout  # the main job answers a question
    assert "审计 audit" in r.stdout and "cannot-undertake 1" in r.stdout
    r = run("show", "agency", "县住建局", "--store", store, "--json")
    agency = json.loads(r.stdout)
    assert agency["name"] == "青岚县住房和城乡建设局" and agency["source"]["file"] == "departments.xlsx"
    r = run("show", "region", "城关镇", "--in", "青岚县", "--store", store)
    assert r.returncode == 0 and "990701001" in r.stdout and "派出所" in r.stdout
    r = run("show", "agency", "综合行政执法大队", "--store", store)
    assert r.returncode == 2 and "--in" in r.stderr  # 24 townships have one: ambiguous
    r = run("show", "region", "城关镇", "--store", store)
    assert r.returncode == 0 and "990701001" in r.stdout  # the one the store holds wins over its namesakes


def test_an_unknown_name_exits_2_with_suggestions(tmp_path):
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    run("demo", "--store", store, "--no-serve")
    r = run("show", "agency", "青岚县住房城乡建设厅", "--store", store)
    assert r.returncode == 2
    assert "找不到机构" in r.stderr and "no agency" in r.stderr and "青岚县住房和城乡建设局" in r.stderr


def test_an_output_file_that_cannot_be_written_is_a_clear_error(tmp_path):
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    run("demo", "--store", store, "--no-serve")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for args in (("view", "--region", "城关镇", "--out", str(blocker / "v.html")),
                 ("audit", "--xlsx", str(blocker / "a.xlsx"))):
        r = run(*args, "--store", store)
        assert r.returncode == 2, args
        assert "无法写入" in r.stderr and "cannot write" in r.stderr and "Traceback" not in r.stderr
