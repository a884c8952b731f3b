"""Regions: the national table shipped in the package, overlaid by declared regions."""

import pytest

from quanze.errors import Ambiguous, NotFound
from quanze.graph.regions import RegionDirectory, declared_region, reference_regions


@pytest.fixture(scope="module")
def national():
    return RegionDirectory()


def test_the_package_ships_every_county_and_township_of_the_national_table():
    regions = reference_regions()
    assert sum(r.level == "county" for r in regions) == 2978
    assert sum(r.level == "township" for r in regions) == 41352


def test_a_region_resolves_by_code(national):
    assert national.resolve("330122").name == "桐庐县"
    assert national.resolve("330122002").name == "旧县街道"
    assert national.resolve("330122002000").name == "旧县街道"  # 12-digit statistical code


def test_chengguan_is_ambiguous_and_the_error_lists_every_candidate_with_its_code(national):
    with pytest.raises(Ambiguous) as e:
        national.resolve("城关镇")
    assert len(e.value.candidates) == 88
    assert any(c.startswith("120114110 城关镇") for c in e.value.candidates)
    assert "88" in e.value.message_zh and "88" in e.value.message_en


def test_a_township_resolves_by_name_within_its_county_or_with_the_county_name_before_it(national):
    assert national.resolve("旧县街道", within="330122").code == "330122002"
    assert national.resolve("桐庐县旧县街道").code == "330122002"
    assert national.resolve("浙江省杭州市桐庐县").code == "330122"


def test_an_unknown_name_is_an_error_with_the_nearest_names(national):
    with pytest.raises(NotFound) as e:
        national.resolve("桐庐县旧县街")
    assert "旧县街道" in e.value.candidates
    with pytest.raises(NotFound):
        national.resolve("999999")


def test_declared_regions_win_over_the_national_table():
    county = declared_region("330122", "桐庐县", "county")
    renamed = declared_region("330122002", "旧县新街道", "township", county_code="330122")
    d = RegionDirectory([county, renamed])
    assert d.resolve("330122002").name == "旧县新街道"
    assert d.resolve("旧县新街道", within="330122").origin == "declared"
    # a county that declares its townships has exactly those: the old name is gone
    assert [t.name for t in d.townships("330122")] == ["旧县新街道"]
    with pytest.raises(NotFound):
        d.resolve("桐君街道", within="330122")


def test_a_fictional_county_is_found_by_name_among_real_ones():
    d = RegionDirectory([declared_region("990701", "青岚县", "county"),
                         declared_region("990701001", "城关镇", "township", county_code="990701")])
    assert d.resolve("青岚县").code == "990701"
    assert d.resolve("城关镇", within="990701").code == "990701001"
    assert d.resolve("青岚县城关镇").code == "990701001"
