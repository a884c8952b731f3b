"""Who undertakes a delegated item by default (docs/domain.md §4): the township's enforcement team for a penalty, an
inspection or a coercive measure, its government otherwise — even when the delegation list has no 事项类型 column:
the category then comes from the matter's category in any list, else from its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from quanze.graph.matters import category_from_name
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import sheet

INSPECTION = "燃气经营许可证持证单位经营情况抽查"  # its name says nothing of its kind; the power list says 行政检查
PENALTY = "对擅自占用城市道路的处罚"  # no list says its kind; its name does
SERVICE = "城镇燃气用户安全用气宣传"  # neither: the township government undertakes it
DELEGATION_HEADER = ["事项名称", "下放部门", "下放方式", "承接乡镇", "文号", "生效日期"]  # no 事项类型 column


def _power(tmp_path: Path) -> Path:
    return sheet(tmp_path / "power.xlsx", "青岚县住房和城乡建设局权责清单（2024年版）",
                 ["职权编码", "职权名称", "职权类型"], ["Z001", INSPECTION, "行政检查"])


def _delegation(tmp_path: Path) -> Path:
    return sheet(tmp_path / "delegation.xlsx", "青岚县赋予乡镇县级行政权力事项清单（第一批）", DELEGATION_HEADER,
                 *[[name, "县住建局", "下放", "临江镇", "青政发〔2021〕15号", "2021-05-01"]
                   for name in (INSPECTION, PENALTY, SERVICE)])


def _undertakers(store) -> dict[str, str]:
    """Matter name → the kind of the agency that undertakes it in 临江镇."""
    out = {}
    for r in store.rels("UNDERTAKES", region="990701002"):
        out[store.node("Matter", r.target)["name"]] = store.node("Agency", r.source)["kind"]
    return out


EXPECTED = {INSPECTION: "enforcement_team", PENALTY: "enforcement_team", SERVICE: "township_government"}


def test_the_category_comes_from_a_power_list_of_the_same_ingest_or_from_the_name(tmp_path, demo_store):
    assert ingest_paths([_delegation(tmp_path), _power(tmp_path)], demo_store).ok  # the order given does not matter
    assert _undertakers(demo_store) == EXPECTED


def test_the_category_comes_from_a_list_already_in_the_store(tmp_path, demo_store):
    assert ingest_paths([_power(tmp_path)], demo_store).ok
    assert ingest_paths([_delegation(tmp_path)], demo_store).ok
    assert _undertakers(demo_store) == EXPECTED


def test_without_the_power_list_only_the_name_speaks(tmp_path, demo_store):
    assert ingest_paths([_delegation(tmp_path)], demo_store).ok
    assert _undertakers(demo_store) == {**EXPECTED, INSPECTION: "township_government"}


def test_the_rows_own_category_comes_first(tmp_path, demo_store):
    path = sheet(tmp_path / "typed.xlsx", "青岚县赋予乡镇县级行政权力事项清单（第一批）", ["事项类型", *DELEGATION_HEADER],
                 ["公共服务", PENALTY, "县住建局", "下放", "临江镇", "青政发〔2021〕15号", "2021-05-01"])
    assert ingest_paths([path], demo_store).ok
    assert _undertakers(demo_store) == {PENALTY: "township_government"}


@pytest.mark.parametrize("name,category", [
    ("对擅自占用城市道路的处罚", "行政处罚"), ("对非法占用土地的行政处罚", "行政处罚"), ("对超限运输车辆的罚款", "行政处罚"),
    ("对燃气经营者的监督检查", "行政检查"), ("对违法排放污染物设施的查封、扣押", "行政强制"),
    ("对擅自占用城市道路的处罚（委托）", "行政处罚"),
    ("行政处罚决定书送达", None), ("检查站设置许可", None), ("孕前优生健康检查", None), ("城市道路占用巡查", None),
])
def test_what_a_name_says_of_its_kind(name: str, category: str | None) -> None:
    assert category_from_name(name) == category
