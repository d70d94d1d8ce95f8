"""Computed geography: distances, sea routes, time zones, nearest port/airport."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from siteselect import geo
from siteselect.errors import SiteSelectError


def sites(points, index=None, crs="EPSG:4326", **cols):
    return gpd.GeoDataFrame(cols, geometry=[Point(x, y) for x, y in points], crs=crs, index=index)


def haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def test_geodesic_agrees_with_haversine_within_half_a_percent():
    rng = np.random.default_rng(0)
    lon1, lon2 = rng.uniform(-180, 180, (2, 200))
    lat1, lat2 = rng.uniform(-80, 80, (2, 200))
    ours = geo.geodesic_km(lon1, lat1, lon2, lat2)
    np.testing.assert_allclose(ours, haversine_km(lon1, lat1, lon2, lat2), rtol=5e-3)


def test_air_distance_from_taoyuan_is_aligned_with_the_index():
    s = sites([(121.233, 25.0777), (120.56, 15.19)], index=["tpe", "clark"])
    d = geo.air_distance_km(s)
    pd.testing.assert_index_equal(d.index, s.index)
    assert d["tpe"] == pytest.approx(0, abs=0.1)
    assert 1000 < d["clark"] < 1200


def test_projected_input_gives_the_same_distances():
    s = sites([(120.56, 15.19), (-110.96, 29.07)], index=["a", "b"])
    projected = s.to_crs("EPSG:3857")
    pd.testing.assert_series_equal(geo.air_distance_km(s), geo.air_distance_km(projected))


def test_sites_without_crs_are_refused():
    s = sites([(120.0, 15.0)], crs=None)
    with pytest.raises(SiteSelectError, match=r"no coordinate reference system"):
        geo.air_distance_km(s)


def test_sea_distance_is_computed_once_per_port():
    geo.sea_route_km.cache_clear()
    s = sites(
        [(120.5, 15.1), (120.6, 15.2), (-110.9, 29.0)],
        index=list("abc"),
        gateway_port=["PHSFS", "PHSFS", "MXGYM"],
    )
    d = geo.sea_distance_km(s)
    info = geo.sea_route_km.cache_info()
    assert info.misses == 2
    assert d["a"] == d["b"]
    # Kaohsiung–Subic is short; Kaohsiung–Guaymas crosses the Pacific
    assert 800 < d["a"] < 1500
    assert 11000 < d["c"] < 16000


def test_unknown_port_is_a_clear_error():
    with pytest.raises(SiteSelectError, match=r"unknown seaport UN/LOCODE 'XXNOP'"):
        geo.port_location("XXNOP")


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((120.98, 14.6), 0.0),
        ((-110.96, 29.07), 15.0),
        ((-112.07, 33.45), 15.0),
        ((-95.37, 29.76), 13.5),
    ],
    ids=["manila", "hermosillo", "phoenix-no-dst", "houston-dst"],
)
def test_time_zone_offset_from_taipei(point, expected):
    assert geo.tz_offset_hours(sites([point])).iloc[0] == pytest.approx(expected)


def test_nearest_port_and_airport_index_equals_brute_force():
    rng = np.random.default_rng(1)
    pts = list(zip(rng.uniform(-120, 125, 60), rng.uniform(-40, 50, 60), strict=True))
    s = sites(pts)
    for fn in (geo.nearest_port, geo.nearest_airport):
        codes, km = fn(s)
        codes_bf, km_bf = fn(s, brute_force=True)
        np.testing.assert_allclose(km, km_bf, rtol=1e-9)
        assert (codes == codes_bf).all() or np.allclose(km, km_bf)


def test_nearest_airport_to_clark_is_crk():
    codes, km = geo.nearest_airport(sites([(120.56, 15.186)]))
    assert codes.iloc[0] == "CRK"
    assert km.iloc[0] < 2


def test_a_gateway_is_a_port_with_international_links_never_a_bulk_pier():
    # Masinloc (PHMSC) is a power plant's coal pier in searoute's list with no recorded
    # links: a site beside it ships through Subic Bay, the nearest linked port.
    assert geo.known_port("PHMSC")
    codes, km = geo.nearest_port(sites([(119.96, 15.59), (121.05, 14.3)]))
    assert list(codes) == ["PHSFS", "PHMNL"]
    assert (
        km.iloc[0]
        > geo.geodesic_km(
            np.array([119.96]), np.array([15.59]), np.array([119.917]), np.array([15.607])
        )[0]
    )
    linked = geo.gateway_ports()
    assert "PHMSC" not in linked.index
    assert (linked["links"] > 0).all()
