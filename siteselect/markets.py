"""Target markets: the duty a product faces from a site's country, and the transit to it.

``criteria/markets.yaml`` names the markets (a destination code, member countries, a
representative port and, where goods go on by road, a delivery point), the regimes of
``data/trade/tariffs.csv`` and the transport figures. Market access per site is the
share-weighted duty (``market_tariff``) and the share-weighted transit time
(``market_transit``) over the user's target markets.

Choosing the applicable duty for (origin, destination, product class):

1. the origin is a member of the market (domestic sale): 0 %;
2. otherwise the rows of the tariff table for that origin (or a bloc it belongs to),
   destination and product class that are in force on the release date (``valid_until``
   not passed; ``expired`` regimes never); the *general* duty is the highest total among
   the general rows (each row states the total of its layers: MFN plus any Section 301/232
   or LIGIE surcharge; where a class spans several HS lines under different layers, the
   highest is taken, a cautious choice), plus any *conditional* layer the project says
   applies to its product; a claimed *preference* (USMCA, ATIGA, EPAs, GSP+) or an
   applicable *zone* regime (IMMEX, PROSEC, PEZA) replaces it when lower;
3. no row in force: the duty is missing (never taken as zero).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml

from siteselect import geo
from siteselect.errors import DataError, Problem, SiteSelectError, UnknownNameError, raise_if

CRITERIA_DIR = Path(__file__).resolve().parent.parent / "criteria"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TARIFF_COLUMNS = (
    "origin",
    "destination",
    "product_class",
    "hs",
    "regime",
    "rate_pct",
    "condition",
    "year",
    "as_of",
    "valid_until",
    "source",
    "url",
    "note",
)
PRODUCT_CLASSES = ("computers_servers", "telecom_equipment", "semiconductors", "auto_electronics")
REGIME_KINDS = ("general", "preference", "zone", "conditional", "domestic", "expired")
TRANSPORT_KEYS = (
    "sea_speed_knots",
    "port_days",
    "road_km_per_day",
    "road_circuity",
    "border_days",
)
KM_PER_NAUTICAL_MILE = 1.852
DEFAULT_MARKETS: Mapping[str, float] = MappingProxyType({"US": 1.0})
_CODE = re.compile(r"^[A-Z]{3}$|^[A-Z]{2,6}$")


@dataclass(frozen=True)
class Figure:
    """A model figure: its value and either its source or why it is an assumption."""

    name: str
    value: float
    assumption: bool
    source: str
    why: str

    def provenance(self) -> str:
        if self.assumption:
            return f"{self.name}={self.value:g} (assumption: {self.why})"
        return f"{self.name}={self.value:g} ({self.source})"


@dataclass(frozen=True)
class Market:
    id: str
    label: str
    destination: str
    members: tuple[str, ...]
    port: str
    point: tuple[float, float] | None  # (lon, lat)
    road_from: tuple[str, ...]


@dataclass(frozen=True)
class MarketSet:
    """Markets, the regimes of the tariff table and the transport figures."""

    markets: tuple[Market, ...]
    regimes: Mapping[str, Mapping[str, str]]
    transport: Mapping[str, Figure]

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.markets]

    def market(self, market_id: str) -> Market:
        table = {m.id: m for m in self.markets}
        if market_id not in table:
            raise UnknownNameError("market", market_id, table)
        return table[market_id]

    def blocs_of(self, country: str) -> list[str]:
        """Bloc destination codes (e.g. ASEAN, EU) that ``country`` belongs to."""
        return [
            m.destination
            for m in self.markets
            if country in m.members and m.destination not in m.members
        ]


def _figure(name: str, spec: Any, file: str, problems: list[Problem]) -> Figure | None:
    if not isinstance(spec, dict):
        problems.append(Problem(file, None, f"transport.{name}", "expected a mapping"))
        return None
    value = spec.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        problems.append(
            Problem(file, None, f"transport.{name}.value", f"must be a positive number: {value!r}")
        )
        return None
    assumption = bool(spec.get("assumption", False))
    source = str(spec.get("source") or "")
    why = str(spec.get("why") or "")
    if assumption and not why.strip():
        problems.append(Problem(file, None, f"transport.{name}.why", "an assumption needs a why"))
    if not assumption and not source.strip():
        problems.append(
            Problem(file, None, f"transport.{name}.source", "needs a source or assumption: true")
        )
    return Figure(name, float(value), assumption, " ".join(source.split()), " ".join(why.split()))


def load_markets(path: str | Path | None = None) -> MarketSet:
    """Load and validate ``criteria/markets.yaml``; every problem is reported at once."""
    path = Path(path) if path is not None else CRITERIA_DIR / "markets.yaml"
    file = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError([Problem(file, None, None, f"cannot read file: {exc.strerror}")]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(file, None, None, f"invalid YAML: {exc}")]) from None
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise DataError([Problem(file, None, None, "expected a mapping at the top level")])
    transport: dict[str, Figure] = {}
    raw_transport = doc.get("transport") or {}
    for key in TRANSPORT_KEYS:
        fig = _figure(
            key,
            raw_transport.get(key) if isinstance(raw_transport, dict) else None,
            file,
            problems,
        )
        if fig is not None:
            transport[key] = fig
    regimes: dict[str, Mapping[str, str]] = {}
    for i, item in enumerate(doc.get("regimes") or [], start=1):
        if not isinstance(item, dict) or not item.get("name"):
            problems.append(Problem(file, i, "regimes", "each regime needs a name"))
            continue
        kind = item.get("kind")
        if kind not in REGIME_KINDS:
            problems.append(
                Problem(file, i, "regimes.kind", f"must be one of {', '.join(REGIME_KINDS)}")
            )
            continue
        pattern = str(item.get("zone_pattern") or "")
        if kind == "zone":
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(Problem(file, i, "regimes.zone_pattern", f"bad pattern: {exc}"))
        regimes[str(item["name"])] = MappingProxyType({"kind": kind, "zone_pattern": pattern})
    markets = []
    seen: set[str] = set()
    for i, item in enumerate(doc.get("markets") or [], start=1):
        if not isinstance(item, dict):
            problems.append(Problem(file, i, "markets", "each market must be a mapping"))
            continue
        mid = str(item.get("id") or "")
        if not mid or mid in seen:
            problems.append(Problem(file, i, "id", f"missing or duplicate market id {mid!r}"))
        seen.add(mid)
        port = str(item.get("port") or "")
        if not geo.known_port(port):
            problems.append(Problem(file, i, "port", f"unknown seaport UN/LOCODE {port!r}"))
        point = item.get("point")
        lonlat = None
        if point is not None:
            try:
                lonlat = (float(point["lon"]), float(point["lat"]))
            except (KeyError, TypeError, ValueError):
                problems.append(Problem(file, i, "point", "needs numeric lat and lon"))
        members = tuple(str(x) for x in item.get("members") or [])
        if not members:
            problems.append(Problem(file, i, "members", "lists no member country"))
        markets.append(
            Market(
                id=mid,
                label=str(item.get("label") or mid),
                destination=str(item.get("destination") or ""),
                members=members,
                port=port,
                point=lonlat,
                road_from=tuple(str(x) for x in item.get("road_from") or []),
            )
        )
    if not markets:
        problems.append(Problem(file, None, "markets", "no market defined"))
    raise_if(problems)
    return MarketSet(tuple(markets), MappingProxyType(regimes), MappingProxyType(transport))


@cache
def default_markets() -> MarketSet:
    """The bundled markets (loaded once per process)."""
    return load_markets()


def parse_market_shares(
    shares: Mapping[str, Any] | None, mset: MarketSet | None = None
) -> dict[str, float]:
    """Validate market shares and normalise them to sum to 1 (default: the US only).

    >>> parse_market_shares({"US": 7, "ASEAN": 3})
    {'US': 0.7, 'ASEAN': 0.3}
    """
    mset = mset if mset is not None else default_markets()
    if not shares:
        return dict(DEFAULT_MARKETS)
    problems = []
    out: dict[str, float] = {}
    for key, value in shares.items():
        if key not in mset.ids:
            raise UnknownNameError("market", key, mset.ids)
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(f"share of market {key!r} is not a number: {value!r}")
            continue
        if not math.isfinite(number) or number <= 0:
            problems.append(f"share of market {key!r} must be a positive number; got {value!r}")
            continue
        out[key] = number
    if problems:
        raise SiteSelectError("; ".join(problems))
    total = sum(out.values())
    return {k: round(v / total, 12) for k, v in out.items()}


def describe_shares(shares: Mapping[str, float]) -> str:
    """``"US 70 %, ASEAN 30 %"``: the shares as stated beside every result."""
    return ", ".join(f"{k} {v:.0%}".replace("%", " %") for k, v in shares.items())


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def load_tariffs(path: str | Path | None = None, mset: MarketSet | None = None) -> pd.DataFrame:
    """Load and validate ``data/trade/tariffs.csv`` (see DATA_CONTRACT); errors name row+field.

    A missing file gives an empty table: every duty is then *missing*, never zero.
    """
    mset = mset if mset is not None else default_markets()
    path = Path(path) if path is not None else DATA_DIR / "trade" / "tariffs.csv"
    if not path.exists():
        return pd.DataFrame(columns=[*TARIFF_COLUMNS, "_line"])
    file = str(path)
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(file, None, None, f"cannot read as UTF-8 text: {exc}")]) from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    absent = [c for c in TARIFF_COLUMNS if c not in header]
    if absent:
        raise DataError([Problem(file, 0, c, "column is missing") for c in absent])
    rows = []
    keys: dict[tuple[str, ...], int] = {}
    for line, row in enumerate(reader, start=2):
        rec: dict[str, Any] = {c: (row.get(c) or "").strip() for c in TARIFF_COLUMNS}
        for fld in ("origin", "destination"):
            if not _CODE.match(rec[fld]):
                problems.append(
                    Problem(file, line, fld, f"not an ISO3 or bloc code: {rec[fld]!r}")
                )
        if not rec["product_class"]:
            problems.append(Problem(file, line, "product_class", "required"))
        if rec["regime"] not in mset.regimes:
            problems.append(
                Problem(
                    file,
                    line,
                    "regime",
                    f"unknown regime {rec['regime']!r}; known: {', '.join(mset.regimes)}",
                )
            )
        try:
            rate = float(rec["rate_pct"])
            if not math.isfinite(rate) or not 0 <= rate <= 1000:
                raise ValueError
            rec["rate_pct"] = rate
        except ValueError:
            problems.append(
                Problem(file, line, "rate_pct", f"not a rate in %: {rec['rate_pct']!r}")
            )
        if not re.fullmatch(r"\d{4}", rec["year"]):
            problems.append(Problem(file, line, "year", f"not a year: {rec['year']!r}"))
        as_of = _date(rec["as_of"])
        if as_of is None:
            problems.append(Problem(file, line, "as_of", f"required ISO date: {rec['as_of']!r}"))
        if rec["valid_until"]:
            until = _date(rec["valid_until"])
            if until is None:
                problems.append(Problem(file, line, "valid_until", "not an ISO date"))
            elif as_of is not None and until < as_of:
                problems.append(Problem(file, line, "valid_until", "is before as_of"))
        for fld in ("source", "url"):
            if not rec[fld]:
                problems.append(Problem(file, line, fld, "required"))
        key = (rec["origin"], rec["destination"], rec["product_class"], rec["regime"])
        if key in keys:
            problems.append(
                Problem(file, line, "regime", f"duplicates the row on line {keys[key]}")
            )
        keys[key] = line
        rows.append({**rec, "_line": line})
    raise_if(problems)
    return pd.DataFrame(rows, columns=[*TARIFF_COLUMNS, "_line"])


@cache
def default_tariffs() -> pd.DataFrame:
    """The bundled tariff table (loaded once per process; treat as read-only)."""
    return load_tariffs()


@dataclass(frozen=True)
class Duty:
    """The duty chosen for one (origin, market, product class), and why."""

    rate_pct: float  # NaN when unknown
    regime: str
    how: str
    source: str
    url: str
    as_of: str


def applicable_duty(
    tariffs: pd.DataFrame,
    mset: MarketSet,
    origin: str,
    market: Market,
    product_class: str,
    *,
    zone_regime: str = "",
    claim_preferences: bool = True,
    conditional: tuple[str, ...] = (),
    on: date | None = None,
) -> Duty:
    """The duty on ``product_class`` from ``origin`` into ``market`` (rules: module docstring).

    ``conditional`` names the conditional regimes that apply to the product; ``on`` is the
    date at which a row must be in force (default: every row is).
    """
    if origin in market.members and market.destination == origin:
        return Duty(0.0, "domestic", f"domestic sale in {market.label}", "", "", "")
    origins = [origin, *mset.blocs_of(origin)]
    rows = tariffs[
        tariffs["origin"].isin(origins)
        & (tariffs["destination"] == market.destination)
        & (tariffs["product_class"] == product_class)
    ]
    if on is not None and len(rows):
        until = rows["valid_until"].map(lambda t: _date(t) if t else None)
        rows = rows[until.map(lambda d: d is None or d >= on)]
    if len(rows):
        rows = rows[rows["regime"].map(lambda r: mset.regimes[r]["kind"] != "expired")]
    if rows.empty:
        return Duty(
            math.nan,
            "",
            f"missing: no row in tariffs.csv in force for {origin} → {market.destination}, "
            f"{product_class}",
            "",
            "",
            "",
        )
    kinds = rows["regime"].map(lambda r: mset.regimes[r]["kind"])
    if (kinds == "domestic").any():
        row = rows[kinds == "domestic"].iloc[0]
        return Duty(
            float(row["rate_pct"]),
            "domestic",
            f"domestic sale ({row['condition'] or 'no import'}), tariffs.csv line {row['_line']}",
            str(row["source"]),
            str(row["url"]),
            str(row["as_of"]),
        )
    applies = (kinds == "general") | ((kinds == "conditional") & rows["regime"].isin(conditional))
    general = rows[applies]
    options: list[tuple[float, Any]] = []
    if len(general):
        top = general.loc[general["rate_pct"].astype(float).idxmax()]
        options.append((float(top["rate_pct"]), top))
    for _, row in rows[kinds.isin(["preference", "zone"])].iterrows():
        spec = mset.regimes[row["regime"]]
        if (spec["kind"] == "preference" and claim_preferences) or (
            spec["kind"] == "zone" and re.search(spec["zone_pattern"], zone_regime, re.I)
        ):
            options.append((float(row["rate_pct"]), row))
    if not options:
        return Duty(
            math.nan,
            "",
            f"missing: only regimes that do not apply here for {origin} → {market.destination}",
            "",
            "",
            "",
        )
    rate, row = min(options, key=lambda o: o[0])
    cond = f" ({row['condition']})" if row["condition"] else ""
    how = (
        f"{row['origin']} → {row['destination']} {product_class}: {row['regime']} "
        f"{rate:g} %{cond}, tariffs.csv line {row['_line']}"
    )
    return Duty(rate, str(row["regime"]), how, str(row["source"]), str(row["url"]), row["as_of"])


def _fig(mset: MarketSet, key: str) -> float:
    return mset.transport[key].value


def road_days(km: float | np.ndarray, mset: MarketSet) -> Any:
    """Days by truck for a geodesic distance (stretched by the road circuity factor)."""
    return np.asarray(km) * _fig(mset, "road_circuity") / _fig(mset, "road_km_per_day")


def sea_days(km: float, mset: MarketSet) -> float:
    """Days at sea for a sea-lane distance, at the fleet's average operating speed."""
    return float(km) / (_fig(mset, "sea_speed_knots") * KM_PER_NAUTICAL_MILE * 24.0)


def transport_provenance(mset: MarketSet) -> str:
    return "; ".join(f.provenance() for f in mset.transport.values())


def taiwan_transit_days(sites: gpd.GeoDataFrame, mset: MarketSet) -> pd.DataFrame:
    """Door-to-door days from Kaohsiung (TWKHH) to each site by sea, and how it was formed.

    port time at Kaohsiung + sea lane to the gateway port + port time there + inland road.
    """
    sea = geo.sea_distance_km(sites)
    inland = geo.inland_distance_km(sites)
    port = 2 * _fig(mset, "port_days")
    days = sea.map(lambda km: sea_days(km, mset)) + port + road_days(inland, mset)
    how = [
        f"computed: {port:g} d in port + sea TWKHH → {p} {s:,.0f} km + inland {i:,.0f} km by road"
        for p, s, i in zip(sites["gateway_port"], sea, inland, strict=True)
    ]
    return pd.DataFrame({"days": days.astype(float), "how": how}, index=sites.index)


def market_transit_days(sites: gpd.GeoDataFrame, market: Market, mset: MarketSet) -> pd.DataFrame:
    """Days from each site to ``market``: by road where the market is road-reachable from the
    site's country, otherwise inland road to the gateway port, sea to the market's port
    (one searoute route per port pair, cached) and on by road to the delivery point."""
    inland = geo.inland_distance_km(sites).to_numpy()  # also validates the sites and CRS
    points = sites.geometry.to_crs("EPSG:4326")
    lon, lat = points.x.to_numpy(dtype=float), points.y.to_numpy(dtype=float)
    out = []
    how = []
    sea_km = []
    road_km = []
    circuity = _fig(mset, "road_circuity")
    mlon, mlat = geo.port_location(market.port)
    for k, (_, row) in enumerate(sites.iterrows()):
        country = row["country"]
        if market.point is not None and country in market.road_from:
            km = float(geo.geodesic_km(lon[k], lat[k], market.point[0], market.point[1]))
            border = _fig(mset, "border_days") if country not in market.members else 0.0
            out.append(float(road_days(km, mset)) + border)
            sea_km.append(0.0)
            road_km.append(km * circuity)
            how.append(f"road {km:,.0f} km to {market.label}" + (" + border" if border else ""))
            continue
        gateway = row["gateway_port"]
        sea = geo.sea_route_km(gateway, market.port)
        days = (
            float(road_days(inland[k], mset)) + sea_days(sea, mset) + 2 * _fig(mset, "port_days")
        )
        text = f"inland {inland[k]:,.0f} km + sea {gateway} → {market.port} {sea:,.0f} km"
        onward = 0.0
        if market.point is not None:
            onward = float(geo.geodesic_km(mlon, mlat, market.point[0], market.point[1]))
            days += float(road_days(onward, mset))
            text += f" + road {onward:,.0f} km"
        out.append(days)
        sea_km.append(sea)
        road_km.append((inland[k] + onward) * circuity)
        how.append(text)
    return pd.DataFrame(
        {"days": out, "sea_km": sea_km, "road_km": road_km, "how": how}, index=sites.index
    )
