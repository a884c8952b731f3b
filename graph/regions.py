"""Regions (行政区划): the national code table shipped with the package, overlaid by regions that structure files declare.

The reference table (国家统计局 统计用区划代码, 2022 vintage: 2,978 counties, 41,352 townships) is read lazily the
first time a lookup needs it. A structure file may declare its own counties and townships (a fictional county, a
township renamed after a boundary change); declared regions win over the reference table, and a county that declares
its townships has exactly those townships.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Iterable

from quanze.errors import Ambiguous, BadValue, NotFound
from quanze.graph.suggest import NameIndex
from quanze.graph.text import normalise_key

_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡", "苏木")
_LONGEST_NAME = 30  # characters of a county's or township's name (the national table's longest: 15 and 24)
_LONGEST_PREFIX = 30  # of the province and city written before a county's name (the longest: 19)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # "county" | "township"
    kind: str = ""
    county_code: str | None = None
    full_name: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    origin: str = "reference"

    def label(self) -> str:
        """Code, name and where it is: how candidates are shown to a person."""
        where = f"（{self.full_name}）" if self.full_name else ""
        return f"{self.code} {self.name}{where}"

    def to_props(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level, "kind": self.kind,
                "county_code": self.county_code, "full_name": self.full_name, "tags": list(self.tags),
                "origin": self.origin}

    @classmethod
    def from_props(cls, p: dict) -> "Region":
        return cls(code=p["code"], name=p["name"], level=p["level"], kind=p.get("kind") or "",
                   county_code=p.get("county_code"), full_name=p.get("full_name") or "",
                   tags=tuple(p.get("tags") or ()), origin=p.get("origin") or "reference")


def region_kind(name: str, level: str) -> str:
    """镇/乡/街道 for a township, 县/区/市/旗 for a county, from the name's ending."""
    for suffix in (_TOWNSHIP_SUFFIXES if level == "township" else _COUNTY_SUFFIXES):
        if name.endswith(suffix):
            return "乡" if suffix == "乡" or name.endswith("民族乡") else suffix
    return "其他"


def _read_csv(name: str) -> list[dict[str, str]]:
    raw = resources.files("quanze.graph").joinpath("data", f"{name}.csv.gz").read_bytes()
    return list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))))


@cache
def reference_regions() -> tuple[Region, ...]:
    """Every county and township of the national table, counties first."""
    provinces = {r["code"]: r["name"] for r in _read_csv("provinces")}
    cities = {r["code"]: r["name"] for r in _read_csv("cities")}

    def place(province: str, city: str) -> str:
        city_name = cities.get(city, "")
        return provinces.get(province, "") + ("" if city_name in ("市辖区", "县", "省直辖县级行政区划") else city_name)

    regions: list[Region] = []
    county_names: dict[str, str] = {}
    for r in _read_csv("areas"):
        county_names[r["code"]] = r["name"]
        regions.append(Region(r["code"], r["name"], "county", region_kind(r["name"], "county"), None,
                              place(r["provinceCode"], r["cityCode"])))
    for r in _read_csv("streets"):
        regions.append(Region(r["code"], r["name"], "township", region_kind(r["name"], "township"), r["areaCode"],
                              place(r["provinceCode"], r["cityCode"]) + county_names.get(r["areaCode"], "")))
    return tuple(regions)


@cache
def _reference_index() -> tuple[dict[str, Region], dict[str, list[Region]], dict[str, list[Region]], frozenset[str]]:
    """The national table by code, by normalised name, townships by county, and every name: built once per process,
    and kept on disk for the next one (``quanze who --in 城关镇`` from the shell spent most of a second building it)."""
    return _kept_on_disk(_build_reference_index)


def _kept_on_disk(build):  # type: ignore[no-untyped-def]
    """``build()``'s value, read from the user's cache when an earlier process wrote it from the same table and the
    same code (``QUANZE_INDEX_CACHE=off``: always built); written whole or not at all, files 0600; a file that
    cannot be read is built again, never an error."""
    import hashlib
    import os
    import pickle

    from quanze import settings
    from quanze.graph.cache import write_pickle

    if not settings.value("QUANZE_INDEX_CACHE"):
        return build()
    digest = hashlib.sha256()
    package = resources.files("quanze.graph")
    for name in ("data/areas.csv.gz", "data/streets.csv.gz", "data/provinces.csv.gz", "data/cities.csv.gz",
                 "regions.py", "text.py"):
        source = package.joinpath(name)
        try:  # a file on disk: its size and time say when it changed (reading the tables costs what we save)
            st = os.stat(source)  # type: ignore[arg-type]
            digest.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
        except TypeError:
            digest.update(source.read_bytes())
    path = settings.cache_home() / "quanze" / "indexes" / f"regions-{digest.hexdigest()[:24]}.pickle"
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 — missing, broken or foreign: build it
        pass
    value = build()
    try:
        write_pickle(path, value, ".regions-")
    except Exception:  # noqa: BLE001 — a full disk or a read-only home: nothing kept
        pass
    return value


def _build_reference_index() -> tuple[dict[str, Region], dict[str, list[Region]], dict[str, list[Region]],
                                      frozenset[str]]:
    by_code: dict[str, Region] = {}
    by_name: dict[str, list[Region]] = {}
    townships: dict[str, list[Region]] = {}
    for r in reference_regions():
        by_code[r.code] = r
        by_name.setdefault(normalise_key(r.name), []).append(r)
        if r.level == "township" and r.county_code:
            townships.setdefault(r.county_code, []).append(r)
    for lst in townships.values():
        lst.sort(key=lambda r: r.code)
    return by_code, by_name, townships, frozenset(r.name for r in by_code.values())


@cache
def _reference_names() -> NameIndex:
    """Every name of the national table, indexed once per process for suggestions."""
    return NameIndex(_reference_index()[3], clean=True)


class RegionDirectory:
    """Looks regions up by code, by name (optionally within a county) and by county + township name."""

    def __init__(self, declared: Iterable[Region] = (), *, use_reference: bool = True):
        self._declared = {r.code: r for r in declared}
        self._use_reference = use_reference
        self._built = False

    def declare(self, regions: Iterable[Region]) -> None:
        for r in regions:
            self._declared[r.code] = r
        self._built = False

    # -- index ------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        """Index the declared regions; the national table's index is built once per process and only overlaid."""
        if self._built:
            return
        declared = self._declared
        self._hidden = {r.county_code for r in declared.values() if r.level == "township"}
        self._d_by_name: dict[str, list[Region]] = {}
        self._d_townships: dict[str, list[Region]] = {}
        for r in declared.values():
            self._d_by_name.setdefault(normalise_key(r.name), []).append(r)
            if r.level == "township" and r.county_code:
                self._d_townships.setdefault(r.county_code, []).append(r)
        for lst in self._d_townships.values():
            lst.sort(key=lambda r: r.code)
        self._declared_index: NameIndex | None = None
        self._built = True

    def _reference_visible(self, r: Region) -> bool:
        # a county that declares its townships has exactly those: renamed or merged ones are gone
        return r.code not in self._declared and not (r.level == "township" and r.county_code in self._hidden)

    def _named(self, key: str) -> list[Region]:
        found = list(self._d_by_name.get(key, ()))
        if self._use_reference:
            found += [r for r in _reference_index()[1].get(key, ()) if self._reference_visible(r)]
        return found

    # -- lookups ----------------------------------------------------------------------------------------------

    def get(self, code: str) -> Region | None:
        self._build()
        if code in self._declared:
            return self._declared[code]
        ref = _reference_index()[0].get(code) if self._use_reference else None
        return ref if ref is not None and self._reference_visible(ref) else None

    def townships(self, county_code: str) -> list[Region]:
        self._build()
        if county_code in self._hidden or not self._use_reference:
            return list(self._d_townships.get(county_code, ()))
        return list(_reference_index()[2].get(county_code, ()))

    def county_of(self, region: Region) -> Region | None:
        return region if region.level == "county" else self.get(region.county_code or "")

    def resolve(self, text: str, within: str | None = None) -> Region:
        """One region for a code, a name, or county name + township name.

        ``within`` is a county code: a bare township name is then looked up among that county's townships first.
        Raises NotFound (with the nearest names) or Ambiguous (listing every candidate with its code).
        """
        self._build()
        raw = str(text or "").strip()
        key = normalise_key(raw)
        if not key:
            raise BadValue("区划名称或代码为空", "region name or code is empty")
        if key.isdigit():
            return self._by_code_text(key, raw)
        found = self._named(key)
        if within:
            inside = [r for r in found if r.code == within or r.county_code == within]
            if inside:
                found = inside
        if not found:
            found = self._by_county_and_township(key, within)
        if len(found) == 1:
            return found[0]
        if found:
            found = sorted(found, key=lambda r: r.code)
            labels = [r.label() for r in found]
            raise Ambiguous(
                f"区划名称「{raw}」有 {len(found)} 个同名地区，请用区划代码或加上县名：" + "；".join(labels[:20]),
                f"region name {raw!r} matches {len(found)} regions; give the code or the county name too: "
                + "; ".join(labels[:20]),
                labels,
            )
        near = self.nearest(raw, within)
        raise NotFound(
            f"找不到区划「{raw}」" + (f"；最接近的：{'、'.join(near)}" if near else ""),
            f"no region named {raw!r}" + (f"; nearest: {', '.join(near)}" if near else ""),
            near,
        )

    def _by_code_text(self, key: str, raw: str) -> Region:
        code = key
        if len(code) == 12 and code.endswith("000"):
            code = code[:9]  # 12-digit statistical code of a township
        region = self.get(code)
        if region is None:
            raise NotFound(f"找不到区划代码「{raw}」（县级6位，乡级9位）",
                           f"no region with code {raw!r} (6 digits for a county, 9 for a township)")
        return region

    def _by_county_and_township(self, key: str, within: str | None) -> list[Region]:
        """`青岚县城关镇`, `浙江省杭州市桐庐县旧县街道`: find a county name inside the text, then the rest in it."""
        found: list[Region] = []
        # a county's name runs to 15 characters, the province and city before it to 19, a township's to 24: only
        # those spans are tried, so a long text costs no more than a short one
        if len(key) > _LONGEST_PREFIX + _LONGEST_NAME + _LONGEST_NAME:
            return []
        for start in range(min(len(key), _LONGEST_PREFIX + 1)):
            for end in range(start + 2, min(len(key), start + _LONGEST_NAME) + 1):
                for county in self._named(key[start:end]):
                    if county.level != "county":
                        continue
                    rest = key[end:]
                    if not rest:
                        prefix = key[:start]
                        if not prefix or normalise_key(county.full_name).endswith(prefix):
                            found.append(county)
                        continue
                    found.extend(t for t in self.townships(county.code) if normalise_key(t.name) == rest)
        return list({r.code: r for r in found}.values())

    def nearest(self, text: str, within: str | None = None, n: int = 5) -> list[str]:
        """The nearest region names, for a 'did you mean' line: among one county's townships when ``within`` is given,
        else among the declared regions and the national table — each from a bigram index (``graph/suggest.py``),
        never by comparing the text with all 44,000 names."""
        self._build()
        if within:
            pool = {r.name for r in self.townships(within)}
            county = self.get(within)
            if county:
                pool.add(county.name)
            return NameIndex(pool).nearest(text, n)
        if self._declared_index is None:
            self._declared_index = NameIndex(r.name for r in self._declared.values())
        scored = self._declared_index.scored(text, n)
        if self._use_reference:
            scored += _reference_names().scored(text, n)
        return list(dict.fromkeys(name for name, _ in sorted(scored, key=lambda x: (-x[1], x[0]))))[:n]


def declared_region(code: str, name: str, level: str, *, kind: str = "", county_code: str | None = None,
                    full_name: str = "", tags: Iterable[str] = ()) -> Region:
    return Region(code, name, level, kind or region_kind(name, level), county_code, full_name, tuple(tags), "declared")


def with_tags(region: Region, tags: Iterable[str]) -> Region:
    return replace(region, tags=tuple(tags))
