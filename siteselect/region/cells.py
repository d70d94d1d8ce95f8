"""The model's criteria for blocks of grid cells, with the functions the list ranking uses.

A cell is treated as an uploaded site without site evidence at its centre: its country and
first-level region (:func:`siteselect.boundaries.locate`, an STRtree point-in-polygon
query), the nearest seaport of searoute's list as its gateway and the nearest airport
(:func:`siteselect.geo.nearest_port` / :func:`~siteselect.geo.nearest_airport`, a k-d
tree), no zone regime.

Speed without a second model: every criterion value of a cell depends only on its *place*
— (country, region, gateway port) — except the parts that grow with distance. So the
decision table (:func:`siteselect.table.decision_table`, the list path itself) is built
once for one pseudo-site per place, at the first cell found there (its *prototype*), next
to the listed candidates. A cell's value is its prototype's plus the distance terms, which
are linear in two kinds of distance, computed per cell in numpy:

- the inland leg to the gateway port (``taiwan_transit``: road days; ``market_transit``:
  road days for markets reached by sea; ``operating_cost``: inbound and outbound road
  freight);
- the geodesic distance to a road-reachable market's delivery point (``market_transit``:
  road days; ``operating_cost``: outbound road freight), per market.

The slopes are the transport figures of ``criteria/markets.yaml`` and the project's freight
figures (:func:`slopes` states them); tests prove the cell values equal the list path's for
the same points. The cost components the missing-value policy fills (land, power, water)
are filled over the listed candidates and every cell together, as the list path would.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteselect import boundaries, geo
from siteselect.catalog import Catalog
from siteselect.cost import IMPUTABLE, SCORED, CostResult
from siteselect.criteria import CriteriaSet
from siteselect.errors import SiteSelectError
from siteselect.markets import MarketSet
from siteselect.region.layers_api import LayerRule
from siteselect.table import DecisionTable, ModelContext, decision_table

#: derive kinds that are site evidence (a cell has none)
SITE_EVIDENCE_KINDS = ("sector_fit", "cluster")
#: computed functions a cell supports (the others are retired criteria)
CELL_FUNCTIONS = ("taiwan_transit_days", "market_transit_days")
INLAND = "inland"
Place = tuple[str, str, str]  # country, region code ("" when none), gateway port


_BUILD = threading.Lock()


@cache
def _bounds(iso3: str) -> tuple[float, float, float, float]:
    world = boundaries.countries()
    x0, y0, x1, y1 = world.geometry[world["iso3"] == iso3].total_bounds
    return float(x0), float(y0), float(x1), float(y1)


def _outlines(iso3: str) -> tuple[Any, list[tuple[str, str, Any, tuple[float, ...]]]]:
    """A country's outline and its regions' outlines, prepared (built once per process,
    by one thread)."""
    with _BUILD:
        return _build_outlines(iso3)


@cache
def _build_outlines(iso3: str) -> tuple[Any, list[tuple[str, str, Any, tuple[float, ...]]]]:
    world = boundaries.countries()
    country = shapely.union_all(world.geometry[world["iso3"] == iso3].to_numpy())
    shapely.prepare(country)
    regions = []
    frame = boundaries.regions(iso3)[["region_code", "name", "geometry"]]
    for code, name, geom in frame.itertuples(index=False):
        shapely.prepare(geom)
        regions.append((str(code), str(name), geom, tuple(geom.bounds)))
    return country, regions


def where_points(lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """Country and first-level region of each point, as :func:`siteselect.boundaries.locate`.

    A point strictly inside a country's outline and one of its regions' (countries of
    :data:`~siteselect.boundaries.REGION_COUNTRIES`) is found with prepared polygons
    (10-40 times faster than the tree query on these 1:10m outlines); every other point
    (a border, a coast within locate's tolerance, another country) goes to ``locate``
    itself. Tests check that both answer the same.
    """
    n = len(lon)
    out = {k: np.full(n, "", dtype=object) for k in ("country", "region_code", "region_name")}
    todo = np.ones(n, dtype=bool)
    for iso3 in sorted(boundaries.REGION_COUNTRIES):
        x0, y0, x1, y1 = _bounds(iso3)
        near = todo & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        if not near.any():
            continue
        country, regions = _outlines(iso3)
        inside = near.copy()
        inside[near] = shapely.contains_xy(country, lon[near], lat[near])
        for code, name, geom, (a, b, c, d) in regions:
            sel = inside & todo & (lon >= a) & (lon <= c) & (lat >= b) & (lat <= d)
            if not sel.any():
                continue
            hit = sel.copy()
            hit[sel] = shapely.contains_xy(geom, lon[sel], lat[sel])
            out["country"][hit] = iso3
            out["region_code"][hit] = code
            out["region_name"][hit] = name
            todo &= ~hit
    if todo.any():
        rest = gpd.GeoSeries(gpd.points_from_xy(lon[todo], lat[todo]), crs=4326)
        where = boundaries.locate(rest)
        for key, values in out.items():
            values[todo] = where[key].fillna("").to_numpy(dtype=object)
    return out


def located_frame(lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """Country, region, gateway port, airport and inland km of each point (vectorised)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    port, inland = geo.nearest_port(points)
    airport, _ = geo.nearest_airport(points)
    return {
        **where_points(lon, lat),
        "gateway_port": port.to_numpy(dtype=object),
        "airport": airport.to_numpy(dtype=object),
        "inland_km": inland.to_numpy(dtype=float),
    }


def place_keys(loc: Mapping[str, np.ndarray]) -> list[Place]:
    return list(zip(loc["country"], loc["region_code"], loc["gateway_port"], strict=True))


def market_points(mset: MarketSet, markets: Mapping[str, float]) -> dict[str, tuple[float, float]]:
    """Delivery points of the target markets that some country reaches by road."""
    out = {}
    for mid in markets:
        market = mset.market(mid)
        if market.point is not None and market.road_from:
            out[mid] = (float(market.point[0]), float(market.point[1]))
    return out


def distances(
    lon: np.ndarray,
    lat: np.ndarray,
    inland_km: np.ndarray,
    points: Mapping[str, tuple[float, float]],
) -> np.ndarray:
    """(n × (1 + markets)) distances: the inland leg, then the geodesic km to each point."""
    cols = [np.asarray(inland_km, dtype=float)]
    for plon, plat in points.values():
        cols.append(geo.geodesic_km(lon, lat, plon, plat))
    return np.column_stack(cols) if len(lon) else np.zeros((0, len(cols)))


def slopes(
    country: str,
    criteria: Sequence[str],
    kinds: Mapping[str, str],
    ctx: ModelContext,
    points: Mapping[str, tuple[float, float]],
) -> np.ndarray:
    """(criteria × distances) change of each criterion per km of each distance.

    taiwan_transit: ``road_circuity / road_km_per_day`` days per inland km.
    market_transit: ``share × road_circuity / road_km_per_day`` per km of the inland leg
    (markets by sea) or of the road to the market's delivery point (markets the country
    reaches by road). operating_cost: ``containers_in × road_circuity × road_rate`` per
    inland km plus ``share × containers_out × road_circuity × road_rate`` per km of each
    market's road leg (the same formulas as :func:`siteselect.markets.market_transit_days`
    and :func:`siteselect.cost.annual_cost`).
    """
    mset, project = ctx.mset, ctx.project
    circuity = mset.transport["road_circuity"].value
    per_day = circuity / mset.transport["road_km_per_day"].value
    figs, fr = project.figures, project.freight
    road_rate = fr["road_usd_per_truck_km"].value
    names = [INLAND, *points]
    out = np.zeros((len(criteria), len(names)))
    for j, cid in enumerate(criteria):
        kind = kinds[cid]
        if kind == "taiwan_transit_days":
            out[j, 0] = per_day
        elif kind in ("market_transit_days", "cost"):
            unit = per_day if kind == "market_transit_days" else 0.0
            if kind == "cost":
                out[j, 0] = figs["containers_in_per_year"].value * circuity * road_rate
                unit = figs["containers_out_per_year"].value * circuity * road_rate
            for mid, share in ctx.markets.items():
                market = mset.market(mid)
                by_road = market.point is not None and country in market.road_from
                out[j, names.index(mid) if by_road else 0] += share * unit
    return out


@dataclass(frozen=True)
class CellModel:
    """What a worker needs to compute the raw criteria of any block of cells (picklable)."""

    columns: tuple[str, ...]
    places: Mapping[Place, int]
    base: np.ndarray  # places × columns: the prototype's values (layer columns NaN)
    origin: np.ndarray  # places × distances: the prototype's distances
    slope: np.ndarray  # places × columns × distances
    points: Mapping[str, tuple[float, float]]
    served: tuple[str, ...]
    layers: tuple[LayerRule, ...] = ()
    layer_columns: tuple[int, ...] = ()

    def values(self, lon: np.ndarray, lat: np.ndarray, loc: Mapping[str, np.ndarray]) -> Any:
        """(n × columns) raw values and the place index of each cell (-1: not served).

        Layer criteria are sampled here; layer exclusions are applied by the caller.
        """
        keys = place_keys(loc)
        idx = np.array([self.places.get(k, -1) for k in keys], dtype=np.int64)
        n = len(idx)
        out = np.full((n, len(self.columns)), np.nan)
        ok = idx >= 0
        if ok.any():
            d = distances(lon[ok], lat[ok], loc["inland_km"][ok], self.points)
            k = idx[ok]
            delta = d - self.origin[k]
            out[ok] = self.base[k] + np.einsum("icd,id->ic", self.slope[k], delta)
        for rule, col in zip(self.layers, self.layer_columns, strict=True):
            # the criterion layers, in column order
            out[:, col] = rule.layer.sample(lon, lat) if n else np.zeros(0)
        return out, idx


@dataclass(frozen=True)
class Places:
    """The distinct places of a grid (pass 0): per place, its cell count and prototype."""

    keys: tuple[Place, ...]
    counts: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    airport: tuple[str, ...]
    region_name: tuple[str, ...]

    @staticmethod
    def merge(parts: Sequence[Places]) -> Places:
        seen: dict[Place, int] = {}
        counts: list[int] = []
        lon: list[float] = []
        lat: list[float] = []
        airport: list[str] = []
        names: list[str] = []
        for p in parts:
            for i, key in enumerate(p.keys):
                if key in seen:
                    counts[seen[key]] += int(p.counts[i])
                    continue
                seen[key] = len(counts)
                counts.append(int(p.counts[i]))
                lon.append(float(p.lon[i]))
                lat.append(float(p.lat[i]))
                airport.append(p.airport[i])
                names.append(p.region_name[i])
        return Places(
            tuple(seen),
            np.array(counts),
            np.array(lon),
            np.array(lat),
            tuple(airport),
            tuple(names),
        )


def block_places(lon: np.ndarray, lat: np.ndarray, loc: Mapping[str, np.ndarray]) -> Places:
    """The places of one block: first cell (in raster order) and count of each."""
    keys = place_keys(loc)
    first: dict[Place, int] = {}
    counts: dict[Place, int] = {}
    for i, key in enumerate(keys):
        if key not in first:
            first[key] = i
        counts[key] = counts.get(key, 0) + 1
    order = list(first)
    at = np.array([first[k] for k in order], dtype=np.int64)
    return Places(
        tuple(order),
        np.array([counts[k] for k in order]),
        lon[at] if len(at) else np.zeros(0),
        lat[at] if len(at) else np.zeros(0),
        tuple(str(loc["airport"][i]) for i in at),
        tuple(str(loc["region_name"][i]) for i in at),
    )


@dataclass(frozen=True)
class Table:
    """The decision table of the candidates and the place prototypes, cost filled."""

    table: DecisionTable
    values: pd.DataFrame  # candidates then prototypes (ids PLACE-<i>), every criterion
    candidates: list[str]
    prototypes: list[str]
    notes: list[str] = field(default_factory=list)


def prototype_sites(places: Places, served: Sequence[str]) -> gpd.GeoDataFrame:
    """One pseudo-site per served place, at its first cell (an uploaded site's fields)."""
    rows = []
    for i, (country, region_code, port) in enumerate(places.keys):
        if country not in served:
            continue
        rows.append(
            {
                "site_id": f"PLACE-{i}",
                "name": f"cell place {i}",
                "country": country,
                "region": places.region_name[i] or country,
                "region_code": region_code or None,
                "locality": None,
                "zone_regime": None,
                "gateway_port": port,
                "gateway_note": "nearest port in searoute's list, computed",
                "airport": places.airport[i],
                "status": "grid cell",
                "lon": places.lon[i],
                "lat": places.lat[i],
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return gpd.GeoDataFrame({"site_id": []}, geometry=[], crs=4326)
    geom = gpd.points_from_xy(frame.pop("lon"), frame.pop("lat"))
    sites = gpd.GeoDataFrame(frame, geometry=geom, crs=4326)
    return sites.set_index("site_id", drop=False).rename_axis(None)


def place_table(
    catalog: Catalog,
    cset: CriteriaSet,
    sector: str,
    ctx: ModelContext,
    candidates: Sequence[str],
    places: Places,
    impute: str | None,
) -> Table:
    """The list path's decision table for the candidates plus one prototype per place.

    The table is built without cost imputation; the land, power and water components are
    then filled (``impute`` = ``worst``: the highest amount known; ``mean``: the mean over
    the candidates and every cell, each cell counted once) and the cost criterion is
    recomputed from the scored components, as :func:`siteselect.cost.annual_cost` does.
    """
    protos = prototype_sites(places, catalog_served(catalog))
    listed = replace(catalog, sites=catalog.sites.loc[list(candidates)])
    extra = Catalog(
        protos,
        catalog.indicators.iloc[0:0],
        catalog.sector_fit.iloc[0:0],
        pd.DataFrame(),
        version="cells",
    )
    both = listed.with_sites(extra) if len(protos) else listed
    table = decision_table(both, cset, sector, replace(ctx, impute=None))
    values = table.values.copy()
    notes: list[str] = []
    cost_ids = [c.id for c in cset.criteria if c.derive["kind"] == "cost"]
    if cost_ids and table.cost is not None:
        weight = pd.Series(1.0, index=values.index)
        for i, (country, _, _) in enumerate(places.keys):
            if f"PLACE-{i}" in weight.index and country:
                weight[f"PLACE-{i}"] = float(places.counts[i])
        scored, filled, unknown = filled_cost(table.cost, weight, impute)
        for cid in cost_ids:
            values[cid] = scored.reindex(values.index)
        if unknown:
            notes.append(
                f"cost of operation: {', '.join(unknown)} known for no listed candidate and no "
                "cell of the area's countries, so the cost cannot be computed or filled"
            )
        if filled:
            notes.append(
                f"cost of operation: {', '.join(filled)} filled by the '{impute}' policy over "
                "the listed candidates and every cell"
            )
    return Table(table, values, list(listed.sites.index), list(protos.index), notes)


def catalog_served(catalog: Catalog) -> tuple[str, ...]:
    return tuple(sorted(set(catalog.sites["country"].dropna().astype(str))))


def filled_cost(
    cost: CostResult, weight: pd.Series, impute: str | None
) -> tuple[pd.Series, list[str], list[str]]:
    """The scored cost per site with the imputable components filled over weighted sites,
    the components filled and those known nowhere."""
    amounts = cost.breakdown.pivot(index="site_id", columns="component", values="amount_usd")
    amounts = amounts.reindex(index=weight.index)
    filled = []
    unknown = [c for c in SCORED if c in amounts.columns and amounts[c].isna().all()]
    if impute is not None:
        for comp in IMPUTABLE:
            if comp not in amounts.columns:
                continue
            col = amounts[comp]
            known = col.notna()
            if not known.any() or known.all():
                continue
            if impute == "worst":
                fill = float(col[known].max())
            else:
                w = weight[known]
                fill = float((col[known] * w).sum() / w.sum())
            amounts.loc[~known, comp] = fill
            filled.append(comp)
    scored = amounts[list(SCORED)].sum(axis=1).where(amounts[list(SCORED)].notna().all(axis=1))
    return scored.astype(float), filled, unknown


def derive_kind(cset: CriteriaSet, cid: str) -> str:
    """``taiwan_transit_days`` / ``market_transit_days`` / ``cost`` / the derive kind."""
    derive = cset.criterion(cid).derive
    if derive["kind"] == "computed":
        return str(derive["function"])
    return str(derive["kind"])


def cell_model(
    tab: Table,
    cset: CriteriaSet,
    ctx: ModelContext,
    places: Places,
    rules: Sequence[LayerRule],
    served: Sequence[str],
) -> CellModel:
    """The :class:`CellModel` for ``places`` from their prototypes' table rows."""
    base_ids = list(cset.ids)
    kinds = {c: derive_kind(cset, c) for c in base_ids}
    layer_rules = tuple(r for r in rules if r.kind == "criterion")
    columns = (*base_ids, *(r.criterion_id for r in layer_rules))
    points = market_points(ctx.mset, ctx.markets)
    index: dict[Place, int] = {}
    base: list[np.ndarray] = []
    origin: list[np.ndarray] = []
    slope: list[np.ndarray] = []
    for i, key in enumerate(places.keys):
        sid = f"PLACE-{i}"
        if key[0] not in served or sid not in tab.values.index:
            continue
        index[key] = len(base)
        row = tab.values.loc[sid, base_ids].to_numpy(dtype=float)
        base.append(np.concatenate([row, np.full(len(layer_rules), np.nan)]))
        lon, lat = np.array([places.lon[i]]), np.array([places.lat[i]])
        inland = geo.geodesic_km(lon, lat, *geo.port_location(key[2]))
        origin.append(distances(lon, lat, inland, points)[0])
        s = slopes(key[0], base_ids, kinds, ctx, points)
        slope.append(np.vstack([s, np.zeros((len(layer_rules), s.shape[1]))]))
    nd = 1 + len(points)
    return CellModel(
        columns=columns,
        places=index,
        base=np.array(base).reshape(len(base), len(columns)),
        origin=np.array(origin).reshape(len(origin), nd),
        slope=np.array(slope).reshape(len(slope), len(columns), nd),
        points=points,
        served=tuple(served),
        layers=layer_rules,
        layer_columns=tuple(columns.index(r.criterion_id) for r in layer_rules),
    )


def check_cell_criteria(cset: CriteriaSet, used: Sequence[str]) -> None:
    """Refuse criteria a cell cannot have (retired computed functions, e.g. time zone)."""
    bad = []
    for cid in used:
        derive = cset.criterion(cid).derive
        if derive["kind"] == "computed" and derive["function"] not in CELL_FUNCTIONS:
            bad.append(f"{cid} ({derive['function']})")
    if bad:
        raise SiteSelectError(
            "criteria not computed for grid cells: " + ", ".join(bad) + "; give them weight 0"
        )
