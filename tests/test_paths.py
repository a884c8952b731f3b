"""Responsibility paths between two things in the graph, with and without relation filters."""

import pytest
from openpyxl import Workbook

from quanze.api.paths import find_paths
from quanze.errors import BadValue, NoPath
from quanze.errors import Ambiguous, NotFound
from quanze.ingest.pipeline import ingest_paths

MATTER = "对擅自占用城市道路的处罚"


@pytest.fixture
def delegated(tmp_path, demo_store):
    wb = Workbook()
    ws = wb.active
    ws.append(["青岚县赋予乡镇县级行政权力事项清单（第一批）"])
    ws.append(["事项类型", "事项名称", "下放部门", "下放方式", "承接乡镇"])
    ws.append(["行政处罚", MATTER, "县住建局", "下放", "城关镇"])
    wb.save(tmp_path / "d.xlsx")
    assert ingest_paths([tmp_path / "d.xlsx"], demo_store).ok
    return demo_store


def test_the_shortest_path_from_a_department_to_a_township_unit_through_a_delegation(delegated):
    out = find_paths(delegated, "县住建局", "990701001/综合行政执法大队", via=["DELEGATES", "UNDERTAKES"])
    (path,) = out["paths"]
    assert [n["name"] for n in path["nodes"]] == ["青岚县住房和城乡建设局", MATTER, "综合行政执法大队"]
    assert [(s["type"], s["forward"]) for s in path["steps"]] == [("DELEGATES", True), ("UNDERTAKES", False)]
    assert path["steps"][0]["region"] == "990701001" and path["steps"][0]["file"] == "d.xlsx"


def test_without_a_filter_the_structure_gives_a_shorter_path(delegated):
    out = find_paths(delegated, "县住建局", "城关镇", within="青岚县")
    assert out["paths"][0]["hops"] <= 3
    assert out["paths"][0]["nodes"][-1]["label"] == "Region"


def test_all_shortest_paths_are_listed(delegated):
    out = find_paths(delegated, "990701001/综合行政执法大队", "990701002/综合行政执法大队", all_shortest=True)
    assert len(out["paths"]) >= 1
    assert len({p["hops"] for p in out["paths"]}) == 1


def test_a_matter_is_found_by_its_exact_name(delegated):
    out = find_paths(delegated, MATTER, "县住建局", via=["DELEGATES"])
    assert out["paths"][0]["hops"] == 1


def test_no_path_is_a_clear_answer_not_an_empty_success(delegated):
    with pytest.raises(NoPath) as e:
        find_paths(delegated, "县住建局", "990701001/综合行政执法大队", via=["PART_OF"])
    assert "没有责任路径" in e.value.message_zh and "no responsibility path" in e.value.message_en
    with pytest.raises(NoPath):
        find_paths(delegated, "县住建局", "990701001/综合行政执法大队", via=["DELEGATES", "UNDERTAKES"], max_hops=1)


def test_an_unknown_relation_kind_lists_the_valid_ones(delegated):
    with pytest.raises(BadValue) as e:  # a value the command does not take, not a thing the graph lacks
        find_paths(delegated, "县住建局", "城关镇", via=["OWNS"])
    assert "DELEGATES" in e.value.message_en and "OWNS" in e.value.message_zh and e.value.field == "via"


def test_unknown_and_ambiguous_endpoints(delegated):
    with pytest.raises(NotFound):
        find_paths(delegated, "县城乡规划局局", "城关镇")
    with pytest.raises(Ambiguous):
        find_paths(delegated, "综合行政执法大队", "城关镇")
