"""Finding regions and agencies in a store by what a person types: a code, a name, a short name."""

from __future__ import annotations

from quanze.errors import Ambiguous, NotFound
from quanze.graph.agency_index import AgencyIndex, AgencyRef
from quanze.graph.cache import by_version
from quanze.graph.regions import Region, RegionDirectory
from quanze.graph.store import Store


def region_directory(store: Store) -> RegionDirectory:
    """The national table overlaid with the regions the store's structure files declared (built once per data
    version)."""
    return by_version(store, "region_directory", None, lambda: RegionDirectory(
        Region.from_props(p) for p in store.nodes("Region", origin="declared")))


def find_region(store: Store, text: str, within: str | None = None) -> Region:
    """A region by code or name; a region the store holds wins over the national table's namesakes."""
    directory = region_directory(store)
    try:
        return directory.resolve(text, within)
    except Ambiguous:
        held = [r for r in (Region.from_props(p) for p in store.nodes("Region", name=text.strip()))]
        if len(held) == 1:
            return held[0]
        raise


def agency_index(store: Store, county_code: str) -> AgencyIndex:
    """The name index of one county's agencies (built once per data version)."""
    def build() -> AgencyIndex:
        county = store.node("Region", county_code)
        agencies = [AgencyRef.from_props(p) for p in store.nodes("Agency") if p["region"][:6] == county_code]
        return AgencyIndex(county_code, county["name"] if county else "", agencies)

    return by_version(store, "agency_index", county_code, build)


def find_agency(store: Store, text: str, within: str | None = None) -> AgencyRef:
    """An agency by id, name, plaque or short name; ``within`` (a region name or code) narrows the search."""
    exact = store.node("Agency", text.strip())
    if exact:
        return AgencyRef.from_props(exact)
    if within:
        region = find_region(store, within)
        county = region.code if region.level == "county" else str(region.county_code)
        township = region.code if region.level == "township" else None
        return agency_index(store, county).resolve(text, township)
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
        raise Ambiguous(f"机构名称「{text}」可指 {len(found)} 个机构，请用 --in 指定地区或用机构编号：" + "；".join(labels[:20]),
                        f"agency name {text!r} could mean {len(found)} agencies; narrow with --in or use the id: "
                        + "; ".join(labels[:20]), labels)
    raise NotFound(f"找不到机构「{text}」" + (f"；最接近的：{'、'.join(near[:5])}" if near else ""),
                   f"no agency named {text!r}" + (f"; nearest: {', '.join(near[:5])}" if near else ""), near[:5])
