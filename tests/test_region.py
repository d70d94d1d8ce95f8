"""The region-screening grid: equal-area square cells over a country, region, bbox or polygon."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from siteselect import boundaries, region
from siteselect.errors import SiteSelectError


def test_region_grid_cells_lie_in_the_region_and_cover_its_area():
    cells = region.grid("PH-03", 5.0)
    located = boundaries.locate(cells)
    assert (located["region_code"] == "PH-03").all()
    outline = gpd.GeoSeries([region.area_geometry("PH-03")], crs=4326).to_crs(region.EQUAL_AREA)
    expected = outline.area.iloc[0] / 25e6  # cells of 25 km2
    assert len(cells) == pytest.approx(expected, rel=0.03)


def test_cells_are_equal_area_squares_on_a_fixed_global_grid():
    small = region.grid((120.0, 14.0, 120.5, 14.5), 2.0)
    large = region.grid((119.5, 13.5, 121.0, 15.0), 2.0)
    # same cell_km, overlapping areas: the same cells where they overlap
    assert set(zip(small["col"], small["row"], strict=True)) <= set(
        zip(large["col"], large["row"], strict=True)
    )
    squares = region.cell_polygons(small, 2.0)
    assert np.allclose(squares.area, 4e6)
    assert shapely.contains_xy(squares.to_numpy(), small["x"], small["y"]).all()


@settings(max_examples=20, deadline=None)
@given(
    st.floats(-170, 160),
    st.floats(-60, 60),
    st.floats(0.05, 2.0),
    st.floats(0.05, 2.0),
    st.floats(1.0, 20.0),
)
def test_bbox_grid_centres_lie_inside_the_bbox(lon, lat, width, height, cell_km):
    bbox = (lon, lat, lon + width, lat + height)
    cells = region.grid(bbox, cell_km)
    assert cells["lon"].between(bbox[0], bbox[2]).all()
    assert cells["lat"].between(bbox[1], bbox[3]).all()
    area = gpd.GeoSeries([shapely.box(*bbox)], crs=4326).to_crs(region.EQUAL_AREA).area.iloc[0]
    # every cell centre inside, so the count is the area in cells up to a one-cell border
    side = math.sqrt(area)
    assert len(cells) <= (side / (cell_km * 1000) + 2) ** 2 * 1.5


def test_bad_areas_and_sizes_are_refused():
    with pytest.raises(SiteSelectError, match="neither a country code"):
        region.grid("XX-99", 5.0)
    with pytest.raises(SiteSelectError, match="cell_km must be a positive"):
        region.grid("PHL", 0.0)
    with pytest.raises(SiteSelectError, match="cell_km must be a positive"):
        region.grid("PHL", float("nan"))
    with pytest.raises(SiteSelectError, match="min_lon < max_lon"):
        region.grid((121.0, 14.0, 120.0, 15.0), 5.0)
    with pytest.raises(SiteSelectError, match="non-empty polygon"):
        region.grid(shapely.Point(120.0, 14.0), 5.0)
    with pytest.raises(SiteSelectError, match="more than max_cells=1,000"):
        region.grid("PHL", 1.0, max_cells=1000)
