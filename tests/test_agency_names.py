"""Agency names as lists write them: plaques, short names, prefixes, full width — and the errors when they fail."""

import pytest

from quanze.errors import Ambiguous, NotFound
from quanze.graph.agency_index import AgencyIndex, AgencyRef
from quanze.graph.agency_names import is_abbreviation, split_plaques


@pytest.mark.parametrize("written, name, plaques", [
    ("社会事务办公室(人口和计划生育办公室、民政办公室、应急管理办公室)", "社会事务办公室",
     ["人口和计划生育办公室", "民政办公室", "应急管理办公室"]),
    ("综合行政执法大队（加挂县城管执法局乡镇执法队牌子）", "综合行政执法大队", ["县城管执法局乡镇执法队"]),
    ("经济发展办公室(财政所)", "经济发展办公室", ["财政所"]),
    ("青岚县公安局城关派出所", "青岚县公安局城关派出所", []),
])
def test_plaques_written_inside_a_name_are_aliases_of_one_agency(written, name, plaques):
    assert split_plaques(written) == (name, plaques)


@pytest.mark.parametrize("short, full, ok", [
    ("县住建局", "住房和城乡建设局", True),
    ("市场监管局", "市场监督管理局", True),
    ("资规局", "自然资源和规划局", True),
    ("县委办", "县委办公室", True),
    ("住建局", "自然资源和规划局", False),
    ("执法大队", "城市建设综合执法大队", False),  # a generic ending is not an abbreviation
])
def test_short_names_in_the_style_of_county_lists(short, full, ok):
    assert is_abbreviation(short, full) is ok


@pytest.fixture
def index():
    county = "990701"
    return AgencyIndex(county, "青岚县", [
        AgencyRef("990701/青岚县住房和城乡建设局", "青岚县住房和城乡建设局", county, "county_department",
                  ("县住建局",), ("青岚县人民防空办公室",)),
        AgencyRef("990701/中共青岚县委组织部", "中共青岚县委组织部", county, "county_department"),
        AgencyRef("990701/青岚县市场监督管理局", "青岚县市场监督管理局", county, "county_department"),
        AgencyRef("990701/青岚县城市建设综合执法大队", "青岚县城市建设综合执法大队", county, "county_unit", ("执法大队",)),
        AgencyRef("990701/青岚县农业综合行政执法大队", "青岚县农业综合行政执法大队", county, "county_unit", ("执法大队",)),
        AgencyRef("990701001/综合行政执法大队", "综合行政执法大队", "990701001", "enforcement_team"),
        AgencyRef("990701002/综合行政执法大队", "综合行政执法大队", "990701002", "enforcement_team"),
    ])


@pytest.mark.parametrize("text, expected", [
    ("青岚县住房和城乡建设局", "990701/青岚县住房和城乡建设局"),  # exact
    ("青岚县人民防空办公室", "990701/青岚县住房和城乡建设局"),  # plaque
    ("县住建局", "990701/青岚县住房和城乡建设局"),  # declared short name
    ("住房和城乡建设局", "990701/青岚县住房和城乡建设局"),  # county name left out
    ("县住房和城乡建设局", "990701/青岚县住房和城乡建设局"),  # 县 for the county name
    ("住建局", "990701/青岚县住房和城乡建设局"),  # abbreviation
    ("青岚县委组织部", "990701/中共青岚县委组织部"),  # 中共 left out
    ("县委组织部", "990701/中共青岚县委组织部"),
    ("市场监管局", "990701/青岚县市场监督管理局"),  # abbreviation of a long name
    ("青岚县住房和城乡建设局　", "990701/青岚县住房和城乡建设局"),  # ideographic space
])
def test_names_resolve_exact_alias_normalised_then_abbreviated(index, text, expected):
    assert index.resolve(text).id == expected


def test_a_township_unit_is_told_apart_by_its_township(index):
    assert index.resolve("综合行政执法大队", township="990701002").id == "990701002/综合行政执法大队"


def test_a_shared_short_name_is_ambiguous_and_lists_the_candidates(index):
    with pytest.raises(Ambiguous) as e:
        index.resolve("执法大队")
    assert len(e.value.candidates) == 2


def test_an_unknown_name_fails_with_the_nearest_names(index):
    with pytest.raises(NotFound) as e:
        index.resolve("青岚县住房城乡建设局局")
    assert e.value.candidates[0] == "青岚县住房和城乡建设局"
    assert "找不到机构" in e.value.message_zh and "no agency" in e.value.message_en
