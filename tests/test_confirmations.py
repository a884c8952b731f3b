"""A confirmed ticket teaches search at once — on both stores, with or without the semantic model, without a restart:
``record_ticket`` appends it to the ticket file, the file's stamp changes, and the next ``who`` reads it (only the
tickets are read again; the matters' index is kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quanze.api import semantic
from quanze.api.tickets import record_ticket
from quanze.api.who import matter_index, who
from quanze.demo import demo_path
from quanze.ingest.pipeline import ingest_paths
from quanze.tests.helpers import sheet, use_search_mode

SEWER = "城镇排水设施维护管理"
ROADS = "城市道路设施养护管理"
WORDS = "半夜咕嘟咕嘟响，黑乎乎的水漫到门口"  # no word of either name: the words alone cannot tell


@pytest.fixture
def county(any_store, tmp_path: Path):
    """The demo county's structure and one department's two duties, in a store of each kind."""
    power = sheet(tmp_path / "p.xlsx", "青岚县住房和城乡建设局权责清单（2024年版）", ["职权编码", "职权名称", "职权类型"],
                  ["Z101", ROADS, "其他行政权力"], ["Z102", SEWER, "其他行政权力"])
    assert ingest_paths([demo_path() / "structure", power], any_store).ok
    return any_store


@pytest.mark.parametrize("mode", ["lexical", "semantic"])
def test_a_confirmation_counts_for_the_next_question_at_once(county, tmp_path: Path, mode: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    use_search_mode(mode, monkeypatch)
    confirmed = tmp_path / "confirmed.csv"
    base = matter_index(county)
    before = who(county, WORDS, "城关镇", as_of="2025-06-01", ticket_files=[])
    assert not before["matches"] or before["matches"][0]["matter"]["name"] != SEWER
    record_ticket(county, confirmed, WORDS, matter=SEWER)
    after = who(county, WORDS, "城关镇", as_of="2025-06-01", ticket_files=[confirmed])
    assert after["matches"][0]["matter"]["name"] == SEWER
    assert any("工单" in m for m in after["matches"][0]["matched"])  # the answer says which confirmation taught it
    assert after["tickets"]["read"] == 1
    # the matters' index was not rebuilt for the ticket, only the tickets were read
    learnt = matter_index(county, ticket_files=[confirmed])
    assert matter_index(county) is base and learnt.channels is base.channels
    # a second confirmation, of the other matter, in other words: read at once as well
    record_ticket(county, confirmed, "马路牙子塌了一大块没人修", matter=ROADS)
    again = who(county, "马路牙子塌了一大块", "城关镇", as_of="2025-06-01", ticket_files=[confirmed])
    assert again["tickets"]["read"] == 2 and again["matches"][0]["matter"]["name"] == ROADS
    semantic.embedder.cache_clear()
