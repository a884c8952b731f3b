"""The benchmark's scales, from the national region table (``graph/data``: 2,978 counties, 41,352 townships).

- ``county``: the demo county (青岚县, 990701, 24 townships), ingested from its files — what one county office holds;
- ``province``: 浙江省 (33) — 90 counties, 1,387 townships, each county with its real code, name and townships (the
  province closest to the brief's "~1,300 townships in ~90 counties"; 甘肃 88/1,403 and 贵州 88/1,510 are near too);
- ``country``: every county of the table, with its real townships.

The synthetic graph of each county (``bench/synthetic.py``) is built over these real codes and names.
"""

from __future__ import annotations

from dataclasses import dataclass

from quanze.graph.regions import Region, reference_regions

SCALES = ("county", "province", "country")
PROVINCE = "33"  # 浙江省
PROVINCE_NAME = "浙江省"


@dataclass(frozen=True)
class County:
    """A real county of the table and its real townships."""

    region: Region
    townships: tuple[Region, ...]

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def name(self) -> str:
        return self.region.name


def national_counties() -> list[County]:
    """Every county of the table with its townships, in code order (a county without townships is left out: the
    2022 table has none)."""
    towns: dict[str, list[Region]] = {}
    counties: list[Region] = []
    for r in reference_regions():
        if r.level == "county":
            counties.append(r)
        elif r.county_code:
            towns.setdefault(r.county_code, []).append(r)
    return [County(c, tuple(sorted(towns[c.code], key=lambda r: r.code)))
            for c in sorted(counties, key=lambda r: r.code) if towns.get(c.code)]


def counties_of(scale: str) -> list[County]:
    """The counties a scale generates: none for ``county`` (the demo is ingested from its files), the province's,
    or the whole country's."""
    if scale == "county":
        return []
    if scale == "province":
        return [c for c in national_counties() if c.code.startswith(PROVINCE)]
    if scale == "country":
        return national_counties()
    raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")


def describe(scale: str) -> dict[str, object]:
    """What a scale holds: counties, townships, the smallest, median and largest township count."""
    if scale == "county":
        return {"scale": scale, "what": "the demo county 青岚县 (990701), from its files", "counties": 1,
                "townships": 24}
    counties = counties_of(scale)
    sizes = sorted(len(c.townships) for c in counties)
    return {"scale": scale, "what": PROVINCE_NAME if scale == "province" else "全国 the whole country",
            "counties": len(counties), "townships": sum(sizes), "townships_min": sizes[0],
            "townships_median": sizes[len(sizes) // 2], "townships_max": sizes[-1]}
