"""User layers through the real screen, and the real result through the exports."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from siteselect import region_export
from siteselect.layers import RasterLayer, VectorLayer, criterion_rule, exclusion_rule
from siteselect.region import ScreenSpec, screen
from siteselect.region.grids import band_cells, grid_frame

BBOX = (120.30, 14.90, 120.70, 15.30)
CELL_KM = 5.0
ZONE = (120.30, 14.90, 120.50, 15.30)  # the western half of the box


@pytest.fixture(scope="module")
def cells():
    frame = grid_frame(BBOX, CELL_KM)
    return band_cells(frame, 0, frame.n_rows)


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    x0, y0, x1, y1 = ZONE
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    path = tmp_path_factory.mktemp("layers") / "protected.geojson"
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return VectorLayer.open(path, name="protected", source_text="test zone")


@pytest.fixture(scope="module")
def slope(tmp_path_factory):
    """A raster over the box whose value rises eastwards (1 per 0.01° of longitude)."""
    path = tmp_path_factory.mktemp("layers") / "slope.tif"
    cols = np.arange(60)
    data = np.repeat((cols + 0.5)[None, :], 60, axis=0).astype("float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=60,
        height=60,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(120.2, 15.4, 0.01, 0.01),
    ) as dst:
        dst.write(data, 1)
    return RasterLayer.open(path, name="slope", source="test raster")


def test_a_zone_exclusion_removes_exactly_the_cells_inside(cells, zone):
    rule = exclusion_rule(zone, exclude_if="inside", reason="protected area")
    result = screen(ScreenSpec(BBOX, CELL_KM, rules=(rule,), top=5), scheduler="threads")
    inside = (cells["lon"] >= ZONE[0]) & (cells["lon"] <= ZONE[2])
    assert result.n_excluded["layer protected: protected area"] == int(inside.sum()) > 0
    assert (result.top["lon"] > ZONE[2]).all()
    scores = np.asarray(result.scores)
    assert np.isnan(scores[cells["r"][inside], cells["c"][inside]]).all()
    assert result.layers["protected"]["source"] == "test zone"


def test_a_raster_criterion_is_sampled_for_each_top_cell(slope):
    rule = criterion_rule(slope, group="business_climate", weight=0.3, objective="min")
    result = screen(ScreenSpec(BBOX, CELL_KM, rules=(rule,), top=8), scheduler="threads")
    assert "layer:slope" in result.top.columns
    expected = slope.sample(result.top["lon"].to_numpy(), result.top["lat"].to_numpy())
    np.testing.assert_array_equal(result.top["layer:slope"].to_numpy(), expected)
    np.testing.assert_allclose(expected, np.floor((result.top["lon"] - 120.2) / 0.01) + 0.5)


def test_the_real_result_exports_cell_for_cell(tmp_path):
    result = screen(ScreenSpec(BBOX, CELL_KM, top=6), scheduler="threads")
    tif = region_export.write(result, tmp_path / "s.tif")
    parquet = region_export.write(result, tmp_path / "s.parquet")
    with rasterio.open(tif) as ds:
        raster = ds.read(1)
    np.testing.assert_array_equal(raster, np.asarray(result.scores))
    back = gpd.read_parquet(parquet)
    pixel = raster[back["row"].to_numpy(), back["col"].to_numpy()]
    np.testing.assert_array_equal(pixel, back["score"].to_numpy())
    centres = back.geometry.centroid.to_crs(4326)
    np.testing.assert_allclose(centres.x, result.top["lon"], atol=1e-9)


def test_cli_screen_region_with_a_layers_file_writes_a_geotiff(tmp_path, capsys):
    from siteselect.cli import main

    x0, y0, x1, y1 = ZONE
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    (tmp_path / "zone.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    (tmp_path / "layers.yaml").write_text(
        "layers:\n  - file: zone.geojson\n    name: protected\n    exclude_if: inside\n"
        "    reason: protected area\n"
    )
    out = tmp_path / "scores.tif"
    bbox = ",".join(map(str, BBOX))
    args = ["screen-region", "--region", bbox, "--cell-km", "5", "--top", "3"]
    code = main(
        [
            *args,
            "--layers",
            str(tmp_path / "layers.yaml"),
            "--scheduler",
            "sync",
            "--no-progress",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "40 excluded" in err
    with rasterio.open(out) as ds:
        assert ds.crs.to_epsg() == 6933
        assert np.isnan(ds.read(1)[:, :2]).all()  # the western columns lie in the zone
    (tmp_path / "layers.yaml").write_text("layers:\n  - file: nothing.tif\n    name: x\n")
    assert main([*args, "--layers", str(tmp_path / "layers.yaml")]) == 2
    assert (
        "layers.yaml, row 1: give exactly one of 'exclude_if' or 'criterion'"
        in capsys.readouterr().err
    )
