"""Finding regions and agencies in a store by what a person types: a code, a name, a short name, a plaque, a name
qualified by its place (``青岚县城关镇``, ``漆园乡综合行政执法大队``, ``漆园乡/综合行政执法大队``).

These are the name-matching rules every front end shares (through ``api/inputs.py``); the indexes behind them are
``graph/regions.py`` (the national table overlaid with declared regions) and ``graph/agency_index.py`` (one county's
bodies: names, plaques, short names, abbreviations).
"""

from __future__ import annotations

from quanze.errors import Ambiguous, LookupFailed, NotFound
from quanze.graph.agency_index import AgencyIndex, AgencyRef
from quanze.graph.cache import by_version
from quanze.graph.regions import Region, RegionDirectory
from quanze.graph.store import Store

# what may follow a township's name without being one of its units: the township's own government
_NOT_A_UNIT = ("人民政府", "政府", "党委")


def region_directory(store: Store) -> RegionDirectory:
    """The national table overlaid with the regions the store's structure files declared (built once per data
    version)."""
    return by_version(store, "region_directory", None, lambda: RegionDirectory(
        Region.from_props(p) for p in store.nodes("Region", origin="declared")))


def find_region(store: Store, text: str, within: str | None = None) -> Region:
    """A region by code, name, or county name + township name; ``within`` is a county code. A region the store
    holds wins over the national table's namesakes."""
    directory = region_directory(store)
    try:
        return directory.resolve(text, within)
    except Ambiguous:
        held = [r for r in (Region.from_props(p) for p in store.nodes("Region", name=text.strip()))]
        if len(held) == 1:
            return held[0]
        raise


def county_code(region: Region) -> str:
    """The county a region is in (a county is its own)."""
    return region.code if region.level == "county" else str(region.county_code)


def agency_index(store: Store, county: str) -> AgencyIndex:
    """The name index of one county's agencies (built once per data version)."""
    def build() -> AgencyIndex:
        node = store.node("Region", county)
        agencies = [AgencyRef.from_props(p) for p in store.nodes_any("Agency", region_prefix=county)]
        return AgencyIndex(county, node["name"] if node else "", agencies)

    return by_version(store, "agency_index", county, build)


def held_townships(store: Store) -> dict[str, list[str]]:
    """Township name → the codes of the townships of that name the store holds (several counties have a 城关镇)."""
    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in store.nodes("Region", level="township"):
            out.setdefault(r["name"], []).append(r["code"])
        return out

    return by_version(store, "held_townships", None, build)


def township_readings(store: Store, text: str) -> list[tuple[str, str]]:
    """How a body's name may be read as a township's unit: ``樟湾镇/综合行政执法大队`` or ``樟湾镇综合行政执法大队`` →
    (code, ``综合行政执法大队``) for each township of that name the store holds; empty when the text does not start
    with one (or names the township's government itself)."""
    townships = held_townships(store)
    head, sep, tail = text.strip().partition("/")
    if sep and head in townships and tail:
        return [(code, tail) for code in townships[head]]
    for township in sorted(townships, key=len, reverse=True):
        rest = text.strip()[len(township):]
        if text.strip().startswith(township) and rest and not rest.startswith(_NOT_A_UNIT):
            return [(code, rest) for code in townships[township]]
    return []


def find_agency(store: Store, text: str, within: str | None = None) -> AgencyRef:
    """An agency by id, name, plaque or short name, or a township's unit qualified by the township's name;
    ``within`` (a region name or code) narrows the search."""
    exact = store.node("Agency", text.strip())
    if exact:
        return AgencyRef.from_props(exact)
    county = township = None
    if within:
        region = find_region(store, within)
        county = county_code(region)
        township = region.code if region.level == "township" else None
        try:
            return agency_index(store, county).resolve(text, township)
        except NotFound as e:
            missed: LookupFailed = e
    else:
        try:
            return _anywhere(store, text)
        except NotFound as e:
            missed = e
    qualified = _qualified(store, text, county)
    if qualified is not None:
        return qualified
    raise missed


def _qualified(store: Store, text: str, county: str | None) -> AgencyRef | None:
    """``漆园乡综合行政执法大队``: the unit of that name in the township of that name (within ``county`` when given);
    None when the text does not read so, Ambiguous when several townships of that name have such a unit."""
    found: dict[str, AgencyRef] = {}
    for code, unit in township_readings(store, text):
        if county and not code.startswith(county):
            continue
        for a in agency_index(store, code[:6]).find(unit, code):
            if a.region == code:
                found[a.id] = a
    if len(found) == 1:
        return next(iter(found.values()))
    if found:
        labels = [a.label() for a in found.values()]
        raise Ambiguous(f"机构名称「{text}」可指 {len(found)} 个机构：" + "；".join(labels),
                        f"agency name {text!r} could mean {len(found)} agencies: " + "; ".join(labels), labels)
    return None


def _anywhere(store: Store, text: str) -> AgencyRef:
    found: list[AgencyRef] = []
    near: list[str] = []
    for county in store.nodes("Region", level="county"):
        index = agency_index(store, county["code"])
        # a name written exactly, in any township: 综合行政执法大队 is every township's, and ambiguous without --in
        hits = [a for a in index.by_id.values() if text.strip() in (a.name,) + a.plaques + a.short_names]
        found += hits or index.find(text)
        near += index.nearest(text)
    if len(found) == 1:
        return found[0]
    if found:
        labels = [a.label() for a in found]
        raise Ambiguous(f"机构名称「{text}」可指 {len(found)} 个机构，请用 --in 指定地区、写上乡镇名或用机构编号："
                        + "；".join(labels[:20]),
                        f"agency name {text!r} could mean {len(found)} agencies; narrow with --in, put the "
                        f"township's name in front, or use the id: " + "; ".join(labels[:20]), labels)
    raise NotFound(f"找不到机构「{text}」" + (f"；最接近的：{'、'.join(near[:5])}" if near else ""),
                   f"no agency named {text!r}" + (f"; nearest: {', '.join(near[:5])}" if near else ""), near[:5])
