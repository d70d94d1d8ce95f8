"""Country outlines from the package-shipped Natural Earth data, and point location."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siteselect import boundaries
from siteselect.errors import SiteSelectError

KNOWN = {  # name: (lon, lat, ISO 3166-1 alpha-3 or None at sea)
    "Clark Freeport": (120.5394, 15.1849, "PHL"),
    "Hermosillo": (-110.9668, 29.0887, "MEX"),
    "North Phoenix": (-112.1294, 33.7352, "USA"),
    "Kaohsiung": (120.3014, 22.6273, "TWN"),
    "Ciudad Juárez (border)": (-106.4608, 31.7202, "MEX"),
    "El Paso (across the border)": (-106.4850, 31.7619, "USA"),
    "Pacific Ocean": (-140.0, 10.0, None),
    "South China Sea": (116.0, 16.0, None),
}


def test_countries_carry_iso_codes_and_a_crs():
    world = boundaries.countries()
    assert world.crs.to_epsg() == 4326
    codes = set(world["iso3"].dropna())
    assert {"PHL", "MEX", "USA", "TWN", "FRA", "NOR"} <= codes  # FRA/NOR: ISO_A3_EH fills them
    # a few small units carry their parent's code (Natural Earth's ISO_A3_EH), ours are one unit
    assert (world["iso3"].value_counts()[["PHL", "MEX", "USA", "TWN"]] == 1).all()
    assert world.geometry.is_valid.all()


def test_known_points_are_located_in_their_country():
    names = list(KNOWN)
    pts = gpd.GeoSeries.from_xy(
        [KNOWN[n][0] for n in names], [KNOWN[n][1] for n in names], index=names, crs=4326
    )
    got = boundaries.locate(pts)
    expected = pd.Series([KNOWN[n][2] for n in names], index=names, dtype="string")
    pd.testing.assert_series_equal(got["country"], expected, check_names=False)
    assert got.loc["Clark Freeport", "country_name"] == "Philippines"
    assert list(got.columns) == boundaries.LOCATED


def test_locate_takes_a_geodataframe_in_a_projected_crs_and_keeps_its_index():
    sites = gpd.GeoDataFrame(
        {"name": ["Phoenix", "Hermosillo"]},
        geometry=gpd.points_from_xy([-112.13, -110.97], [33.74, 29.09]),
        index=["b", "a"],
        crs=4326,
    ).to_crs(3857)
    got = boundaries.locate(sites)
    assert list(got.index) == ["b", "a"]
    assert got["country"].tolist() == ["USA", "MEX"]


def test_locate_refuses_points_without_a_crs():
    with pytest.raises(SiteSelectError, match="no coordinate reference system"):
        boundaries.locate(gpd.GeoSeries.from_xy([1.0], [2.0]))


def test_locate_refuses_a_plain_frame():
    with pytest.raises(SiteSelectError, match="GeoSeries or GeoDataFrame"):
        boundaries.locate(pd.DataFrame({"lon": [1.0]}))  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-180, 180), st.floats(-89.9, 89.9)), min_size=0, max_size=30))
def test_locate_returns_one_row_per_point_on_the_same_index(coords):
    index = [f"p{i}" for i in range(len(coords))][::-1]
    pts = gpd.GeoSeries.from_xy(
        [c[0] for c in coords], [c[1] for c in coords], index=index, crs=4326
    )
    got = boundaries.locate(pts)
    assert list(got.index) == index
    known = set(boundaries.countries()["iso3"].dropna())
    assert set(got["country"].dropna()) <= known


def test_simplified_outlines_keep_every_country_with_fewer_vertices():
    full = boundaries.countries()
    light = boundaries.simplified(0.05)
    assert len(light) == len(full)
    assert shapely_count(light) < shapely_count(full) / 5
    assert boundaries.simplified(0.05) is light  # cached


def shapely_count(frame: gpd.GeoDataFrame) -> int:
    import shapely

    return int(np.sum(shapely.get_num_coordinates(frame.geometry.to_numpy())))


def test_bad_tolerance_is_refused():
    with pytest.raises(SiteSelectError, match="tolerance"):
        boundaries.simplified(-1.0)


def test_regions_are_reported_missing_not_guessed():
    with pytest.raises(boundaries.MissingBoundariesError, match="admin-1"):
        boundaries.regions("PHL")
    pts = gpd.GeoSeries.from_xy([120.5394], [15.1849], crs=4326)
    assert boundaries.locate(pts)["region_code"].isna().all()
