"""GeoParquet and GeoTIFF exports of a screen, read back with geopandas and rasterio."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer

from siteselect import region_export
from siteselect.errors import SiteSelectError
from tests.region_fake import fake_result


def test_geotiff_has_the_grid_crs_transform_values_and_tags(tmp_path):
    result = fake_result()
    path = region_export.write(result, tmp_path / "scores.tif")
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == 6933
        assert ds.transform == Affine.from_gdal(*result.grid.transform)
        assert (ds.height, ds.width) == (result.grid.n_rows, result.grid.n_cols)
        assert np.isnan(ds.nodata)
        got = ds.read(1)
        tags = ds.tags()
        assert ds.descriptions[0] == "suitability score (topsis)"
    np.testing.assert_array_equal(got, result.scores)  # NaN where NaN, equal elsewhere
    assert (tags["method"], tags["sector"], json.loads(tags["markets"])) == (
        "topsis",
        "ems",
        {"US": 1.0},
    )
    assert tags["data_version"] == region_export.data_version(result)
    assert tags["cell_km"] == "2.0"


def test_a_pixel_of_the_geotiff_is_the_cell_it_scores(tmp_path):
    result = fake_result()
    path = region_export.write_geotiff(result, tmp_path / "scores.tif")
    to_ea = Transformer.from_crs(4326, 6933, always_xy=True)
    with rasterio.open(path) as ds:
        for _, cell in result.top.iterrows():
            x, y = to_ea.transform(cell["lon"], cell["lat"])
            row, col = ds.index(x, y)
            assert (row, col) == (cell["row"], cell["col"])
            assert ds.read(1)[row, col] == cell["score"]


def test_dask_scores_are_written_chunk_by_chunk_equal_to_numpy(tmp_path, monkeypatch):
    import dask.array as da

    plain = fake_result(cell_km=0.5)
    lazy = fake_result(cell_km=0.5, chunks=(17, 23))
    monkeypatch.setattr(region_export, "TILE", 16)  # several tiles and writes at this size
    writes: list[tuple[int, int]] = []
    real = region_export._BandWriter.__setitem__

    def spy(self, key, value):
        writes.append(value.shape)
        real(self, key, value)

    monkeypatch.setattr(region_export._BandWriter, "__setitem__", spy)

    def no_compute(*args, **kwargs):
        raise AssertionError("the whole score raster was computed at once")

    monkeypatch.setattr(da.Array, "compute", no_compute)
    region_export.write_geotiff(plain, tmp_path / "plain.tif")
    n_plain = len(writes)
    region_export.write_geotiff(lazy, tmp_path / "lazy.tif")
    chunk_writes = writes[n_plain:]
    assert len(chunk_writes) > 1
    assert max(r * c for r, c in chunk_writes) <= 64 * 256  # one (4 x 16)-tile window at most
    with rasterio.open(tmp_path / "plain.tif") as a, rasterio.open(tmp_path / "lazy.tif") as b:
        np.testing.assert_array_equal(a.read(1), b.read(1))
        np.testing.assert_array_equal(b.read(1), plain.scores)


def test_geoparquet_cells_are_the_grid_squares_with_their_columns(tmp_path):
    result = fake_result(name="<script>x</script>")
    path = region_export.write(result, tmp_path / "top.parquet")
    back = gpd.read_parquet(path)
    assert back.crs.to_epsg() == 6933
    assert list(back["cell_id"]) == list(result.top["cell_id"])
    np.testing.assert_allclose(back.geometry.area, result.grid.cell_m**2)
    centres = back.geometry.centroid.to_crs(4326)
    np.testing.assert_allclose(centres.x, result.top["lon"], atol=1e-9)
    np.testing.assert_allclose(centres.y, result.top["lat"], atol=1e-9)
    np.testing.assert_array_equal(back["beats_all"], result.top["beats_all"])
    np.testing.assert_array_equal(back["score"], result.top["score"])
    assert back["explanation"].iloc[0] == result.top["explanation"].iloc[0]  # data, unchanged
    meta = json.loads(pq.read_schema(path).metadata[b"siteselect"])
    assert (meta["content"], meta["method"], meta["sector"], meta["crs"]) == (
        "cells",
        "topsis",
        "ems",
        "EPSG:6933",
    )
    assert meta["layers"]["flood"]["sha256"] == "ab" * 32
    assert meta["n_excluded"] == {"layer flood: depth over 0.5 m": 1}


def test_write_refuses_unknown_suffixes_and_missing_areas(tmp_path):
    result = fake_result()
    with pytest.raises(SiteSelectError, match=r"--out 'top.csv': the suffix must be one of"):
        region_export.write(result, tmp_path / "top.csv")
    with pytest.raises(SiteSelectError, match="no contiguous areas"):
        region_export.write_geoparquet(result, tmp_path / "a.parquet", what="areas")


def test_download_bytes_are_the_written_files(tmp_path):
    result = fake_result()
    tif = region_export.to_bytes(result, ".tif")
    assert tif[:4] in (b"II*\x00", b"MM\x00*")
    assert region_export.to_bytes(result, ".parquet")[:4] == b"PAR1"
