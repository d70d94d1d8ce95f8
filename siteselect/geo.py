"""Computed geographic criteria.

Every function takes a GeoDataFrame of sites (point geometries, a CRS) and returns a
Series aligned with ``sites.index``. Distances are geodesic on the WGS84 ellipsoid
(``pyproj.Geod``); sea routes come from ``searoute``'s maritime network, ports from its
port list (UN/LOCODE), airports from ``airportsdata``, time zones from ``timezonefinder``.
All of these ship their data: nothing here needs the network.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import Geod

from siteselect.errors import SiteSelectError

ORIGIN_PORT = "TWKHH"  # Kaohsiung
ORIGIN_AIRPORT = "TPE"  # Taiwan Taoyuan International
REFERENCE_TZ = "Asia/Taipei"
TZ_DATES = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))
EARTH_RADIUS_KM = 6371.0088
_GEOD = Geod(ellps="WGS84")


def _lonlat(sites: gpd.GeoDataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Longitudes and latitudes of point sites in WGS84; refuses data without a CRS."""
    if not isinstance(sites, gpd.GeoDataFrame):
        raise SiteSelectError(f"sites must be a GeoDataFrame; got {type(sites).__name__}")
    if sites.crs is None:
        raise SiteSelectError(
            "sites have no coordinate reference system (CRS); set one, e.g. "
            "sites.set_crs('EPSG:4326') for longitude/latitude degrees"
        )
    geom = (
        sites.geometry.to_crs("EPSG:4326") if not sites.crs.equals("EPSG:4326") else sites.geometry
    )
    if len(geom) and not (geom.geom_type == "Point").all():
        raise SiteSelectError("site geometries must be points")
    return geom.x.to_numpy(dtype=float), geom.y.to_numpy(dtype=float)


@cache
def _ports() -> pd.DataFrame:
    import searoute

    path = Path(searoute.__file__).parent / "data" / "ports.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    rows = [
        {
            "locode": f["properties"]["port"],
            "name": f["properties"].get("name"),
            "country": f["properties"].get("cty"),
            "lon": f["geometry"]["coordinates"][0],
            "lat": f["geometry"]["coordinates"][1],
            "links": len(f["properties"].get("to_cty") or ()),
        }
        for f in features
    ]
    return pd.DataFrame(rows).drop_duplicates("locode").set_index("locode")


@cache
def gateway_ports() -> pd.DataFrame:
    """Ports of searoute's list with recorded international links (its ``to_cty``
    property: countries the port connects to). The list's other ports include fishing,
    ferry and single-user bulk terminals (e.g. Masinloc, a power plant's coal pier) that
    no container line calls at, so they cannot be a site's gateway."""
    ports = _ports()
    return ports[ports["links"] > 0]


@cache
def _airports() -> pd.DataFrame:
    import airportsdata

    table = airportsdata.load("IATA")
    frame = pd.DataFrame.from_dict(table, orient="index")
    return frame[["name", "city", "country", "lat", "lon", "tz"]]


def port_location(locode: str) -> tuple[float, float]:
    """(lon, lat) of a seaport by UN/LOCODE, from searoute's port list."""
    ports = _ports()
    if locode not in ports.index:
        raise SiteSelectError(
            f"unknown seaport UN/LOCODE {locode!r}: not in searoute's list of {len(ports)} ports"
        )
    row = ports.loc[locode]
    return float(row["lon"]), float(row["lat"])


def known_port(locode: str) -> bool:
    return locode in _ports().index


def known_airport(iata: str) -> bool:
    return iata in _airports().index


def airport_location(iata: str) -> tuple[float, float]:
    """(lon, lat) of an airport by IATA code, from airportsdata."""
    airports = _airports()
    if iata not in airports.index:
        raise SiteSelectError(f"unknown airport IATA code {iata!r}")
    row = airports.loc[iata]
    return float(row["lon"]), float(row["lat"])


@lru_cache(maxsize=4096)
def sea_route_km(origin: str, destination: str) -> float:
    """Sea-lane distance in km between two ports (UN/LOCODE); cached per pair."""
    import searoute

    if origin == destination:
        return 0.0
    route = searoute.searoute(list(port_location(origin)), list(port_location(destination)))
    return float(route["properties"]["length"])


@lru_cache(maxsize=256)
def sea_route_line(origin: str, destination: str) -> tuple[tuple[float, float], ...]:
    """The sea route's vertices as (lat, lon) pairs, for drawing on a map."""
    import searoute

    route = searoute.searoute(list(port_location(origin)), list(port_location(destination)))
    return tuple((float(lat), float(lon)) for lon, lat in route["geometry"]["coordinates"])


def _gateways(sites: gpd.GeoDataFrame, column: str) -> pd.Series:
    if column not in sites.columns:
        raise SiteSelectError(f"sites need a {column!r} column")
    return sites[column]


def sea_distance_km(sites: gpd.GeoDataFrame, *, origin: str = ORIGIN_PORT) -> pd.Series:
    """Sea-route km from ``origin`` to each site's ``gateway_port`` (one route per port)."""
    _lonlat(sites)
    ports = _gateways(sites, "gateway_port")
    values = {p: sea_route_km(origin, p) for p in ports.dropna().unique()}
    return ports.map(values).astype(float).rename("sea_distance")


def geodesic_km(
    lon1: NDArray[np.float64] | float,
    lat1: NDArray[np.float64] | float,
    lon2: NDArray[np.float64] | float,
    lat2: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Geodesic distance in km on the WGS84 ellipsoid (vectorised)."""
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lon1, float),
        np.asarray(lat1, float),
        np.asarray(lon2, float),
        np.asarray(lat2, float),
    )
    _, _, metres = _GEOD.inv(a, b, c, d)
    return np.asarray(metres, dtype=float) / 1000.0


def inland_distance_km(sites: gpd.GeoDataFrame) -> pd.Series:
    """Geodesic km from each site to its gateway seaport."""
    lon, lat = _lonlat(sites)
    ports = _gateways(sites, "gateway_port")
    out = np.full(len(sites), np.nan)
    for code in ports.dropna().unique():
        mask = (ports == code).to_numpy()
        plon, plat = port_location(code)
        out[mask] = geodesic_km(lon[mask], lat[mask], plon, plat)
    return pd.Series(out, index=sites.index, name="inland_distance")


def air_distance_km(sites: gpd.GeoDataFrame, *, origin: str = ORIGIN_AIRPORT) -> pd.Series:
    """Geodesic km from the ``origin`` airport (default Taoyuan, TPE) to each site."""
    lon, lat = _lonlat(sites)
    olon, olat = airport_location(origin)
    return pd.Series(geodesic_km(olon, olat, lon, lat), index=sites.index, name="air_distance")


@cache
def _tz_finder():  # type: ignore[no-untyped-def]
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


@lru_cache(maxsize=65536)
def timezone_at(lon: float, lat: float) -> str | None:
    zone: str | None = _tz_finder().timezone_at(lng=lon, lat=lat)
    return zone


def _utc_hours(tz: str, when: datetime) -> float:
    offset = when.replace(tzinfo=ZoneInfo(tz)).utcoffset()
    return offset.total_seconds() / 3600.0 if offset is not None else 0.0


def tz_offset_hours(
    sites: gpd.GeoDataFrame,
    *,
    reference: str = REFERENCE_TZ,
    dates: tuple[datetime, ...] = TZ_DATES,
) -> pd.Series:
    """Absolute UTC-offset difference from ``reference``, averaged over ``dates`` (DST)."""
    lon, lat = _lonlat(sites)
    out = []
    for x, y in zip(lon, lat, strict=True):
        tz = timezone_at(round(float(x), 4), round(float(y), 4))
        if tz is None:
            out.append(np.nan)
            continue
        diffs = [abs(_utc_hours(tz, d) - _utc_hours(reference, d)) for d in dates]
        out.append(float(np.mean(diffs)))
    return pd.Series(out, index=sites.index, name="tz_offset", dtype=float)


def _unit_vectors(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _nearest(
    sites: gpd.GeoDataFrame, table: pd.DataFrame, *, brute_force: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Nearest row of ``table`` (lon/lat columns) to each site, and its geodesic km.

    Uses a k-d tree on unit vectors (chord order equals great-circle order); the
    ``brute_force`` path compares every pair and exists for tests and benchmarks.
    """
    lon, lat = _lonlat(sites)
    pts = _unit_vectors(table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    q = _unit_vectors(lon, lat)
    if brute_force:
        idx = np.argmax(q @ pts.T, axis=1) if len(q) else np.array([], dtype=int)
    else:
        from scipy.spatial import cKDTree

        idx = cKDTree(pts).query(q)[1] if len(q) else np.array([], dtype=int)
    codes = table.index.to_numpy()[idx]
    km = geodesic_km(
        lon, lat, table["lon"].to_numpy(float)[idx], table["lat"].to_numpy(float)[idx]
    )
    return pd.Series(codes, index=sites.index), pd.Series(km, index=sites.index)


def nearest_port(
    sites: gpd.GeoDataFrame, *, brute_force: bool = False
) -> tuple[pd.Series, pd.Series]:
    """UN/LOCODE of the nearest gateway port (a port of searoute's list with recorded
    international links, see :func:`gateway_ports`) and its distance in km."""
    return _nearest(sites, gateway_ports(), brute_force=brute_force)


def nearest_airport(
    sites: gpd.GeoDataFrame, *, brute_force: bool = False
) -> tuple[pd.Series, pd.Series]:
    """IATA code of the nearest airport in airportsdata, and its distance in km."""
    return _nearest(sites, _airports(), brute_force=brute_force)


COMPUTED = {
    "sea_distance_km": sea_distance_km,
    "inland_distance_km": inland_distance_km,
    "air_distance_km": air_distance_km,
    "tz_offset_hours": tz_offset_hours,
}
