"""Which list versions answer on a date (docs/domain.md §4.10): the time line of versions, and a load killed half way."""

from __future__ import annotations

import datetime as dt

from quanze.api.versions import Timeline

D = dt.date


def lists(*specs):
    """(id, version, status, effective, loaded_at, replaced_at, supplements) → SourceList dicts."""
    out = []
    for sid, version, status, effective, loaded, replaced, supplements in specs:
        out.append({"id": sid, "kind": "basic", "region": "990701004", "version": version, "status": status,
                    "effective": effective, "loaded_at": loaded, "replaced_at": replaced, "supplements": supplements})
    return out


def test_versions_start_on_their_effective_date_else_the_year_they_name_else_when_loaded():
    line = Timeline(lists(("s@2024#a", "2024", "replaced", None, "2026-12-01T00:00:00+00:00", "2026-12-05", None),
                          ("s@2025#b", "2025年版", "replaced", D(2025, 7, 1), "2026-12-05T00:00:00+00:00",
                           "2026-12-06", None),
                          ("s@x#c", "第三版", "current", None, "2026-12-06T08:00:00+00:00", None, None)))
    starts = {i: (v.start, v.start_from) for i, v in line.versions.items()}
    assert starts == {"s@2024#a": (D(2024, 1, 1), "version"), "s@2025#b": (D(2025, 7, 1), "effective"),
                      "s@x#c": (D(2026, 12, 6), "loaded")}
    assert line.in_force(D(2024, 6, 1)) == {"s@2024#a"}
    assert line.in_force(D(2025, 6, 30)) == {"s@2024#a"}
    assert line.in_force(D(2025, 7, 1)) == {"s@2025#b"}
    assert line.in_force(D(2026, 12, 6)) == {"s@x#c"} == line.current
    # before the first version started, the earliest stands for those dates: nothing older is known
    assert line.in_force(D(2019, 1, 1)) == {"s@2024#a"}


def test_an_older_version_kept_as_history_answers_between_the_versions_around_it():
    line = Timeline(lists(("s@2019#a", "2019", "replaced", None, "2026-01-01T00:00:00", "2026-02-01", None),
                          ("s@2025#c", "2025", "current", None, "2026-02-01T00:00:00", None, None),
                          ("s@2021#b", "2021", "history", None, "2026-03-01T00:00:00", None, None)))
    assert [line.in_force(D(y, 6, 1)) for y in (2020, 2022, 2026)] == [{"s@2019#a"}, {"s@2021#b"}, {"s@2025#c"}]


def test_a_supplement_is_in_force_with_its_base_from_its_own_start():
    line = Timeline(lists(("s@2025#a", "2025", "replaced", None, "2026-01-01T00:00:00", "2026-09-01", None),
                          ("s+supplement:1@2026#b", "2026", "replaced", D(2026, 3, 1), "2026-03-01T00:00:00",
                           "2026-09-01", "s@2025#a"),
                          ("s@2027#c", "2027", "current", None, "2026-09-01T00:00:00", None, None)))
    assert line.in_force(D(2026, 2, 1)) == {"s@2025#a"}
    assert line.in_force(D(2026, 4, 1)) == {"s@2025#a", "s+supplement:1@2026#b"}
    assert line.in_force(D(2027, 1, 1)) == {"s@2027#c"}


def test_a_supplement_load_killed_half_way_leaves_the_store_as_it_was(tmp_path, demo_store, killed_load):
    import shutil

    from quanze.demo import demo_path
    from quanze.ingest.pipeline import ingest_paths

    for name in ("t004_baixi_basic.csv", "t004_baixi_basic.meta.yaml"):
        shutil.copy(demo_path() / "lists" / "townships" / name, tmp_path / name)
    assert ingest_paths([tmp_path / "t004_baixi_basic.csv"], demo_store).ok
    before = demo_store.content()
    path = tmp_path / "supplement.csv"
    path.write_text("柏溪镇基本履职事项清单（2026年补充）\n序号,事项名称\n" + "".join(
        f"{i},组织开展第{i}项补充工作\n" for i in range(1, 200)), encoding="utf-8")
    killed_load(["-m", "quanze.cli", "ingest", str(path), "--store", demo_store.url], tmp_path / "holding")
    assert demo_store.content() == before


def test_two_current_lists_of_one_series_are_in_force_together():
    line = Timeline(lists(("s@-#a", None, "current", None, "2026-12-01T00:00:00", None, None),
                          ("s@-#b", None, "current", None, "2026-12-01T00:00:00", None, None)))
    assert line.in_force(D(2026, 12, 7)) == line.current == {"s@-#a", "s@-#b"}
    assert line.in_force(D(2020, 1, 1)) == line.current
