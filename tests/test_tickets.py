"""Past tickets (api/tickets.py): reading them, refusing bad rows, and what they change in search and ``who``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from quanze.api.accuracy import evaluate, load_questions
from quanze.api.search import MatterIndex, Synonyms
from quanze.api.tickets import Ticket, load_tickets
from quanze.api.who import who
from quanze.errors import InputError
from quanze.tests.helpers import sheet, use_search_mode

AS_OF = "2025-06-01"
MATTERS = [{"id": "m1", "name": "城区餐饮油烟治理", "code": "990199001000"}, {"id": "m2", "name": "临时救助"},
           {"id": "m3", "name": "社会团体成立登记"}]


# --- reading ------------------------------------------------------------------------------------------------------

def test_tickets_are_read_from_a_sheet_with_a_title_row(tmp_path: Path) -> None:
    path = sheet(tmp_path / "工单.xlsx", "2024年12345工单（节选）", ["序号", "诉求内容", "事项名称"],
                 [1, "楼下饭馆排烟熏得窗户都黑了", "城区餐饮油烟治理"], [2, "家里遭了灾，生活过不下去", "临时救助"])
    tickets = load_tickets([path])
    assert [(t.text, t.matter) for t in tickets] == [("楼下饭馆排烟熏得窗户都黑了", "城区餐饮油烟治理"),
                                                     ("家里遭了灾，生活过不下去", "临时救助")]
    assert tickets[0].source == "工单.xlsx[Sheet1] 第3行"


def test_tickets_are_read_from_a_question_set(tmp_path: Path) -> None:
    path = tmp_path / "past.yaml"
    path.write_text(yaml.safe_dump([{"q": "想成立一个书法协会", "matter": "社会团体成立登记", "lead": "民政局"}],
                                   allow_unicode=True), encoding="utf-8")
    assert load_tickets([path]) == [Ticket("想成立一个书法协会", "社会团体成立登记", "past.yaml 第1项", agency="民政局")]


def test_an_empty_cell_is_an_error_naming_file_row_and_column(tmp_path: Path) -> None:
    path = sheet(tmp_path / "bad.xlsx", None, ["序号", "诉求内容", "事项"], [1, "饭馆油烟", "城区餐饮油烟治理"],
                 [2, "没有事项的工单", None])
    with pytest.raises(InputError) as e:
        load_tickets([path])
    p = e.value.problems[0]
    assert (p.file, p.row, p.column, p.code) == ("bad.xlsx", 3, "C", "bad-ticket")
    assert "事项" in p.message_zh and "empty" in p.message_en


def test_a_ticket_with_only_its_words_does_not_vanish(tmp_path: Path) -> None:
    path = sheet(tmp_path / "two.xlsx", None, ["诉求内容", "事项"], ["饭馆油烟", "城区餐饮油烟治理"], ["只有诉求的工单", None])
    with pytest.raises(InputError) as e:
        load_tickets([path])
    assert (e.value.problems[0].row, e.value.problems[0].value) == (3, "只有诉求的工单")


def test_a_sheet_without_the_matter_column_is_refused(tmp_path: Path) -> None:
    path = sheet(tmp_path / "nomatter.xlsx", None, ["诉求内容", "来电时间"], ["饭馆油烟", "2024-01-01"])
    with pytest.raises(InputError) as e:
        load_tickets([path])
    assert e.value.problems[0].file.endswith("nomatter.xlsx")


def test_a_yaml_item_without_words_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "past.yaml"
    path.write_text("- {q: 饭馆油烟, matter: 城区餐饮油烟治理}\n- {matter: 临时救助}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_tickets([path])
    assert e.value.problems[0].row == 2 and e.value.problems[0].file == "past.yaml"


# --- searching with them ------------------------------------------------------------------------------------------

def test_a_query_like_a_past_ticket_gains_its_matter(semantic_model) -> None:
    tickets = [Ticket("邻居家的老人过世了，家里穷，丧事都办不起", "临时救助", "t.yaml 第1项"),
               Ticket("一个工单，事项写的是外县的", "外县才有的事项", "t.yaml 第2项")]
    plain = MatterIndex(MATTERS, Synonyms({}), embedder=semantic_model)
    index = MatterIndex(MATTERS, Synonyms({}), embedder=semantic_model, tickets=tickets)
    assert index.tickets_read == 2 and index.tickets_used == 1
    assert [t.source for t in index.tickets_unknown] == ["t.yaml 第2项"]
    query = "邻居家老人走了，穷得连丧事都办不起"
    hits = index.search(query)
    assert hits[0].matter_id == "m2"
    assert any(m.startswith("相似工单 similar ticket") and "t.yaml 第1项" in m for m in hits[0].matched)
    without = {h.matter_id: h.score for h in plain.search(query)}
    assert without.get("m2", 0.0) < hits[0].score  # the ticket lifted it


def test_tickets_are_matched_to_matters_by_code_too(semantic_model) -> None:
    index = MatterIndex(MATTERS, Synonyms({}), embedder=semantic_model,
                        tickets=[Ticket("饭馆排风口对着窗户", "990199001000", "x")])
    assert [docs for _, docs in index.tickets] == [[0]] and not index.tickets_unknown


def test_without_the_model_tickets_are_read_but_not_used() -> None:
    index = MatterIndex(MATTERS, Synonyms({}), tickets=[Ticket("饭馆排烟", "城区餐饮油烟治理", "x")])
    assert index.tickets_read == 1 and index.tickets_used == 0


def test_who_reports_the_tickets_it_compared(full_demo_store, tmp_path: Path, search_mode: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "past.yaml"
    path.write_text(yaml.safe_dump([{"q": "饭馆的油烟管子正对着我家阳台", "matter": "城区餐饮油烟治理"},
                                    {"q": "外县的事", "matter": "本县没有的事项"}], allow_unicode=True),
                    encoding="utf-8")
    answer = who(full_demo_store, "饭馆油烟熏阳台", "城关镇", as_of=AS_OF, ticket_files=[path])
    used = 1 if search_mode == "semantic" else 0
    assert answer["tickets"] == {"read": 2, "used": used, "unknown_matter": ["past.yaml 第2项"]}
    from quanze.cli.text import who_text

    text = who_text(answer)
    assert ("参考历史工单 1 条" in text) == (search_mode == "semantic")
    assert ("没有语义模型，未使用" in text) == (search_mode == "lexical")


def test_accuracy_refuses_tickets_that_are_its_own_questions(full_demo_store, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    use_search_mode("lexical", monkeypatch)  # the refusal needs no model
    questions = load_questions(Path(__file__).parents[1] / "demo" / "questions.yaml")[:5]
    path = tmp_path / "same.yaml"
    path.write_text(yaml.safe_dump(questions[2:3], allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as e:
        evaluate(full_demo_store, questions, as_of=None, ticket_files=[path])
    assert e.value.problems[0].code == "ticket-is-question" and questions[2]["q"] in str(e.value)


def test_the_command_line_takes_tickets(full_demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from quanze.cli import main

    use_search_mode("lexical", monkeypatch)
    path = sheet(tmp_path / "past.xlsx", None, ["诉求内容", "事项"], ["饭馆油烟熏人", "城区餐饮油烟治理"])
    assert main(["who", "饭馆油烟", "--in", "城关镇", "--store", full_demo_store.url, "--tickets", str(path),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tickets"] == {"read": 1, "used": 0, "unknown_matter": []}


# --- tickets that name only the body that handled them ------------------------------------------------------------

def test_a_sheet_may_name_the_handling_body_instead_of_the_matter(tmp_path: Path) -> None:
    path = sheet(tmp_path / "承办.xlsx", None, ["诉求内容", "承办单位"], ["路边有人烧垃圾", "樟湾镇综合行政执法大队"])
    assert load_tickets([path]) == [Ticket("路边有人烧垃圾", "", "承办.xlsx[Sheet1] 第2行", agency="樟湾镇综合行政执法大队")]
    neither = sheet(tmp_path / "neither.xlsx", None, ["诉求内容", "来电时间"], ["路边有人烧垃圾", "2024-03-01"])
    with pytest.raises(InputError) as e:
        load_tickets([neither])
    assert "承办单位" in (e.value.problems[0].expected or "")


def test_a_body_points_at_the_matters_it_handles(full_demo_store) -> None:
    from quanze.api.tickets import with_bodies_resolved

    tickets = [Ticket("路边有人烧垃圾", "", "a", agency=name)
               for name in ("樟湾镇综合行政执法大队", "樟湾镇/综合行政执法大队", "县公安局", "县里没有的局")]
    resolved = with_bodies_resolved(full_demo_store, tickets)
    unit = [a for a in full_demo_store.nodes("Agency", region="990701012") if a["name"] == "综合行政执法大队"][0]
    handled = {r.target for t in ("LEADS", "UNDERTAKES") for r in full_demo_store.rels(t, source=unit["id"])}
    assert handled and set(resolved[0].matter_ids) == handled == set(resolved[1].matter_ids)
    police = {r.target for r in full_demo_store.rels("LEADS", source="990701/青岚县公安局")}
    assert set(resolved[2].matter_ids) >= police and resolved[3].matter_ids == ()


def test_a_bodys_ticket_reorders_what_the_words_found_and_adds_nothing(semantic_model) -> None:
    matters = [{"id": "p1", "name": "对随意倾倒、焚烧生活垃圾的行政处罚"}, {"id": "p2", "name": "生活垃圾分类宣传指导"},
               {"id": "p3", "name": "临时救助"}]
    query = "路边天天有人烧生活垃圾"
    plain = MatterIndex(matters, Synonyms({}), embedder=semantic_model).search(query)
    loser = [h.matter_id for h in plain if h.matter_id in ("p1", "p2")][-1]
    ticket = Ticket("路边有人烧垃圾，呛得人难受", "", "t 第1行", agency="某单位", matter_ids=(loser, "p3"))
    hits = MatterIndex(matters, Synonyms({}), embedder=semantic_model, tickets=[ticket]).search(query)
    assert hits[0].matter_id == loser
    assert "p3" not in [h.matter_id for h in hits] or "p3" in [h.matter_id for h in plain]


def test_an_edited_ticket_file_is_read_again(full_demo_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    use_search_mode("lexical", monkeypatch)
    path = tmp_path / "past.yaml"
    path.write_text("- {q: 饭馆油烟, matter: 城区餐饮油烟治理}\n", encoding="utf-8")
    assert who(full_demo_store, "饭馆油烟", "城关镇", ticket_files=[path])["tickets"]["read"] == 1
    path.write_text("- {q: 饭馆油烟, matter: 城区餐饮油烟治理}\n- {q: 烧垃圾, agency: 县公安局}\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert who(full_demo_store, "饭馆油烟", "城关镇", ticket_files=[path])["tickets"]["read"] == 2


# --- recording confirmed tickets ----------------------------------------------------------------------------------

def test_a_recorded_ticket_is_read_back_and_cannot_carry_a_formula(full_demo_store, tmp_path: Path) -> None:
    from quanze.api.tickets import RECORD_HEADER, record_ticket

    path = tmp_path / "tickets.csv"
    record_ticket(full_demo_store, path, "楼下饭馆排烟熏得窗户都黑了", matter="城区餐饮油烟治理", when="2026-12-04T10:00:00")
    record_ticket(full_demo_store, path, "=HYPERLINK(\"x\") 路边烧垃圾", agency="樟湾镇综合行政执法大队",
                  when="2026-12-04T10:05:00")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1  # one BOM, at the start
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(RECORD_HEADER) and lines[2].startswith("\"'=HYPERLINK")
    back = load_tickets([path])
    assert [(t.matter, t.agency) for t in back] == [("城区餐饮油烟治理", ""), ("", "樟湾镇综合行政执法大队")]
    assert back[0].text == "楼下饭馆排烟熏得窗户都黑了"


def test_recording_refuses_what_the_store_does_not_hold(full_demo_store, tmp_path: Path) -> None:
    from quanze.api.tickets import record_ticket
    from quanze.errors import BadValue, NotFound

    path = tmp_path / "tickets.csv"
    with pytest.raises(NotFound) as e:
        record_ticket(full_demo_store, path, "饭店油烟", matter="饭店油烟的事")
    assert "城区餐饮油烟治理" in e.value.message_zh and "城区餐饮油烟治理" in e.value.candidates
    with pytest.raises(NotFound):
        record_ticket(full_demo_store, path, "饭店油烟", agency="县里没有的局")
    with pytest.raises(BadValue):  # neither a matter nor a body given
        record_ticket(full_demo_store, path, "饭店油烟")
    assert not path.exists()  # nothing half-written
    other = tmp_path / "other.csv"
    other.write_text("日期,内容\n2024-01-01,x\n", encoding="utf-8")
    with pytest.raises(InputError):
        record_ticket(full_demo_store, other, "饭店油烟", matter="城区餐饮油烟治理")
    assert other.read_text(encoding="utf-8") == "日期,内容\n2024-01-01,x\n"


def test_the_tickets_command_adds_and_checks(full_demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from quanze.cli import main

    use_search_mode("lexical", monkeypatch)
    path = tmp_path / "t.csv"
    store = ["--store", full_demo_store.url]
    assert main(["tickets", "add", "饭馆油烟熏人", "--matter", "城区餐饮油烟治理", "--file", str(path)] + store) == 0
    assert main(["tickets", "check", str(path), "--json"] + store) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {q: 外县的事, matter: 本县没有的事项}\n", encoding="utf-8")
    assert main(["tickets", "check", str(path), str(bad), "--json"] + store) == 1
    d = json.loads(capsys.readouterr().out)
    assert (d["read"], d["usable"], [u["source"] for u in d["unknown"]]) == (2, 1, ["bad.yaml 第1项"])


def test_a_recorded_ticket_says_who_confirmed_it_and_an_old_file_gains_the_column(full_demo_store,
                                                                                  tmp_path: Path) -> None:
    import csv

    from quanze.api.tickets import OLD_RECORD_HEADER, RECORD_HEADER, record_ticket

    assert RECORD_HEADER[:4] == OLD_RECORD_HEADER and RECORD_HEADER[4] == "登记人"
    old = tmp_path / "old.csv"
    old.write_text("\ufeff" + ",".join(OLD_RECORD_HEADER) + ",备注\n饭馆油烟,城区餐饮油烟治理,,2025-01-02T03:04:05,老数据\n",
                   encoding="utf-8")
    assert [t.matter for t in load_tickets([old])] == ["城区餐饮油烟治理"]  # read as it is
    record_ticket(full_demo_store, old, "路边烧垃圾", agency="樟湾镇综合行政执法大队", when="2026-12-04T10:05:00",
                  by="张三")
    with old.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [list(RECORD_HEADER) + ["备注"],
                    ["饭馆油烟", "城区餐饮油烟治理", "", "2025-01-02T03:04:05", "", "老数据"],
                    ["路边烧垃圾", "", "樟湾镇综合行政执法大队", "2026-12-04T10:05:00", "张三"]]
    assert [(t.matter, t.agency) for t in load_tickets([old])] == [("城区餐饮油烟治理", ""),
                                                                 ("", "樟湾镇综合行政执法大队")]


def test_the_tickets_command_records_the_system_user_or_the_name_given(full_demo_store, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    from quanze.cli import main

    use_search_mode("lexical", monkeypatch)
    monkeypatch.setattr(getpass, "getuser", lambda: "dispatcher7")
    path = tmp_path / "t.csv"
    store = ["--store", full_demo_store.url]
    assert main(["tickets", "add", "饭馆油烟熏人", "--matter", "城区餐饮油烟治理", "--file", str(path)] + store) == 0
    assert main(["tickets", "add", "路边烧垃圾", "--agency", "樟湾镇综合行政执法大队", "--by", "李四", "--file",
                 str(path)] + store) == 0
    assert [line.rsplit(",", 1)[1] for line in path.read_text(encoding="utf-8-sig").splitlines()] == [
        "登记人", "dispatcher7", "李四"]


@pytest.mark.parametrize("typed, within, expected", [
    ("城区餐饮油烟治理", None, {"matter": "城区餐饮油烟治理", "name": "城区餐饮油烟治理"}),
    ("樟湾镇综合行政执法大队", None, {"agency": "樟湾镇综合行政执法大队", "name": "樟湾镇综合行政执法大队"}),
    ("综合行政执法大队", "樟湾镇", {"agency": "樟湾镇综合行政执法大队", "name": "樟湾镇综合行政执法大队"}),
    ("县住建局", None, {"agency": "青岚县住房和城乡建设局", "name": "青岚县住房和城乡建设局"}),
])
def test_what_is_typed_to_reassign_reads_as_a_matter_or_else_a_body(demo_reader, typed, within, expected) -> None:
    from quanze.api.tickets import ticket_target

    found = ticket_target(demo_reader, typed, within)
    if "matter" in expected:
        held = demo_reader.nodes("Matter", name=typed)[0]
        expected = {"matter": held.get("code") or held["name"], "name": held["name"]}
    assert found == expected


def test_what_is_neither_a_matter_nor_a_body_is_said_plainly(demo_reader) -> None:
    from quanze.api.tickets import ticket_target
    from quanze.errors import Ambiguous, NotFound

    with pytest.raises(NotFound) as e:
        ticket_target(demo_reader, "火星管理局")
    assert "既不是库中的事项" in e.value.message_zh and "neither a matter" in e.value.message_en
    with pytest.raises(Ambiguous):  # 24 townships have one: which was meant
        ticket_target(demo_reader, "综合行政执法大队")
