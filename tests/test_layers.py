"""User layers: GeoTIFF rasters (GTiff only, lazy windows) and vector zones (no GDAL)."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from rasterio.transform import from_origin

from siteselect import layers
from siteselect.errors import DataError, SiteSelectError
from siteselect.layers import RasterLayer, VectorLayer, criterion_rule, exclusion_rule
from siteselect.region import LayerRule

# a 40 x 30 pixel raster of 0.01° over 120.00–120.40 E, 15.00–14.70 N; value = 100·row + col
ORIGIN = (120.0, 15.0)
PIXEL = 0.01


def _write_tif(path: Path, *, crs="EPSG:4326", nodata=-9999.0, **options) -> np.ndarray:
    data = (100.0 * np.arange(30)[:, None] + np.arange(40)[None, :]).astype("float32")
    data[0, 0] = nodata
    profile = {
        "driver": "GTiff",
        "width": 40,
        "height": 30,
        "count": 1,
        "dtype": "float32",
        "crs": crs,
        "transform": from_origin(*ORIGIN, PIXEL, PIXEL),
        "nodata": nodata,
        **options,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return data


@pytest.fixture
def tif(tmp_path: Path) -> Path:
    path = tmp_path / "flood.tif"
    _write_tif(path)
    return path


@pytest.fixture(scope="module")
def tiled(tmp_path_factory) -> tuple[RasterLayer, np.ndarray]:
    path = tmp_path_factory.mktemp("tiled") / "tiled.tif"
    data = _write_tif(path, tiled=True, blockxsize=16, blockysize=16)
    layer = RasterLayer.open(path, name="tiled")
    assert layer.block == (16, 16)
    return layer, data


def _centre(row: int, col: int) -> tuple[float, float]:
    return ORIGIN[0] + (col + 0.5) * PIXEL, ORIGIN[1] - (row + 0.5) * PIXEL


@pytest.fixture
def rasterio_forbidden(monkeypatch):
    """Fail the test if GDAL is asked to open anything."""
    calls: list[str] = []

    def refuse(*args, **kwargs):
        calls.append(str(args[0]) if args else "?")
        raise AssertionError("rasterio.open was called on a refused file")

    monkeypatch.setattr(rasterio, "open", refuse)
    return calls


def test_raster_values_at_pixel_centres_nodata_and_outside(tif):
    layer = RasterLayer.open(tif, name="flood depth", source="Test agency", year=2024)
    lon, lat = np.array([_centre(2, 3), _centre(29, 39), _centre(0, 0)]).T
    lon = np.append(lon, [119.99, 120.41, 120.2])
    lat = np.append(lat, [14.8, 14.8, 15.001])
    got = layer.sample(lon, lat)
    np.testing.assert_array_equal(got[:2], [203.0, 2939.0])
    assert np.isnan(got[2:]).all()  # nodata, then west, east and north of the raster
    assert got.dtype == np.float64


def test_raster_in_a_projected_crs_is_sampled_through_pyproj(tmp_path):
    from pyproj import Transformer

    path = tmp_path / "utm.tif"
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True)
    x0, y0 = to_utm.transform(120.5, 15.5)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=50,
        height=50,
        count=1,
        dtype="int16",
        crs="EPSG:32651",
        transform=from_origin(round(x0), round(y0), 1000, 1000),
    ) as dst:
        dst.write((np.arange(2500).reshape(50, 50) % 1000).astype("int16"), 1)
    layer = RasterLayer.open(path, name="slope")
    lon, lat = 120.7, 15.3
    x, y = to_utm.transform(lon, lat)
    row, col = int((round(y0) - y) // 1000), int((x - round(x0)) // 1000)
    assert layer.sample(np.array([lon]), np.array([lat]))[0] == (row * 50 + col) % 1000
    assert layer.provenance["crs"] == "EPSG:32651"


def test_scale_and_offset_tags_are_applied(tmp_path):
    path = tmp_path / "scaled.tif"
    _write_tif(path)
    with rasterio.open(path, "r+") as dst:
        dst.scales = (0.5,)
        dst.offsets = (10.0,)
    layer = RasterLayer.open(path, name="scaled")
    lon, lat = _centre(1, 2)
    assert layer.sample(np.array([lon]), np.array([lat]))[0] == 102 * 0.5 + 10


@given(
    points=st.lists(
        st.tuples(st.floats(119.95, 120.45), st.floats(14.65, 15.05)), min_size=1, max_size=30
    )
)
def test_block_by_block_reads_equal_one_window_and_the_pixel_value(points, tiled):
    layer, data = tiled
    lon, lat = (np.array(v) for v in zip(*points, strict=True))
    one_window = layer.sample(lon, lat)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(layers, "MAX_WINDOW_PIXELS", 1)
        by_block = layer.sample(lon, lat)
    np.testing.assert_array_equal(one_window, by_block)
    col = np.floor((lon - ORIGIN[0]) / PIXEL).astype(int)
    row = np.floor((ORIGIN[1] - lat) / PIXEL).astype(int)
    inside = (row >= 0) & (row < 30) & (col >= 0) & (col < 40)
    expected = np.full(lon.shape, np.nan)
    expected[inside] = data[row[inside], col[inside]]
    expected[expected == -9999.0] = np.nan
    # points within 1e-9° of a pixel edge may fall either side of it after the transform
    edge = (np.abs((lon - ORIGIN[0]) / PIXEL % 1) < 1e-6) | (
        np.abs((ORIGIN[1] - lat) / PIXEL % 1) < 1e-6
    )
    np.testing.assert_array_equal(one_window[~edge], expected[~edge])


def test_only_the_blocks_holding_points_are_read(tmp_path, monkeypatch):
    path = tmp_path / "tiled.tif"
    _write_tif(path, tiled=True, blockxsize=16, blockysize=16)
    layer = RasterLayer.open(path, name="tiled")
    windows: list[tuple[int, int]] = []
    real_read = rasterio.io.DatasetReader.read

    def spy(self, *args, window=None, **kwargs):
        windows.append((int(window.height), int(window.width)))
        return real_read(self, *args, window=window, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    monkeypatch.setattr(layers, "MAX_WINDOW_PIXELS", 100)
    lon, lat = np.array([_centre(1, 1), _centre(28, 38)]).T
    np.testing.assert_array_equal(layer.sample(lon, lat), [101.0, 2838.0])
    assert windows == [(16, 16), (14, 8)]  # two blocks (the last ones clipped to the raster)


def test_bigtiff_opens(tmp_path):
    path = tmp_path / "big.tif"
    _write_tif(path, BIGTIFF="YES")
    assert path.read_bytes()[:4] in (b"II+\x00", b"MM\x00+")
    lon, lat = _centre(3, 4)
    assert RasterLayer.open(path, name="big").sample(np.array([lon]), np.array([lat]))[0] == 304


def test_raster_layer_pickles_for_workers(tif):
    layer = RasterLayer.open(tif, name="flood")
    lon, lat = np.array([_centre(5, 6), _centre(7, 8)]).T
    before = layer.sample(lon, lat)
    clone = pickle.loads(pickle.dumps(layer))
    np.testing.assert_array_equal(clone.sample(lon, lat), before)


def test_raster_provenance_like_an_indicator(tif):
    layer = RasterLayer.open(
        tif, name="flood", source="PAGASA", year=2023, as_of="2024-05-01", url="https://x.test"
    )
    p = layer.provenance
    assert p["sha256"] == hashlib.sha256(tif.read_bytes()).hexdigest()
    assert (p["file"], p["source"], p["year"], p["as_of"]) == (
        "flood.tif",
        "PAGASA",
        2023,
        "2024-05-01",
    )
    assert p["user_assumption"] is False
    plain = RasterLayer.open(tif, name="flood").provenance
    assert (plain["source"], plain["user_assumption"]) == ("user assumption", True)
    with pytest.raises(DataError, match=r"flood\.tif, field 'as_of': must be a date"):
        RasterLayer.open(tif, name="flood", as_of="last spring")


VRT = (
    '<VRTDataset rasterXSize="4" rasterYSize="3"><VRTRasterBand dataType="Float32" band="1">'
    "<SimpleSource><SourceFilename>{src}</SourceFilename></SimpleSource>"
    "</VRTRasterBand></VRTDataset>"
)


@pytest.mark.parametrize(
    "body",
    [
        VRT.format(src="/etc/passwd"),
        VRT.format(src="/vsicurl/http://127.0.0.1:9/x.tif"),
        "\ufeff" + VRT.format(src="secret.tif"),
        "GIF89a",
    ],
    ids=["vrt-local-file", "vrt-vsicurl", "vrt-with-bom", "other-format"],
)
def test_a_vrt_disguised_as_tif_never_reaches_gdal(tmp_path, body, rasterio_forbidden):
    path = tmp_path / "hazard.tif"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataError, match=r"hazard\.tif: not a GeoTIFF"):
        RasterLayer.open(path, name="hazard")
    assert rasterio_forbidden == []


@pytest.mark.parametrize("path", ["/vsicurl/http://127.0.0.1:9/a.tif", "http://127.0.0.1:9/a.tif"])
def test_urls_and_virtual_paths_are_refused(path, rasterio_forbidden):
    with pytest.raises(DataError, match="must be a local file"):
        RasterLayer.open(path, name="remote")
    assert rasterio_forbidden == []


def test_gdal_cannot_be_handed_a_vrt_even_past_the_signature_check(tmp_path, tif):
    path = tmp_path / "v.tif"
    path.write_text(VRT.format(src=str(tif)), encoding="utf-8")
    with (
        pytest.raises(DataError, match=r"v\.tif: cannot read as GeoTIFF"),
        layers.open_geotiff(path, "v.tif"),
    ):
        pass


def test_a_tiff_that_is_not_georeferenced_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "photo.tif"
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(path)
    # a world file beside it is not read: georeferencing comes from the TIFF's own tags
    (tmp_path / "photo.tfw").write_text("0.01\n0\n0\n-0.01\n120\n15\n")
    with pytest.raises(DataError, match=r"photo\.tif: the raster is not georeferenced"):
        RasterLayer.open(path, name="photo")


def test_a_tiff_without_crs_is_refused(tmp_path):
    path = tmp_path / "nocrs.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _write_tif(path, crs=None)
    with pytest.raises(DataError, match=r"nocrs\.tif: the raster has no coordinate reference"):
        RasterLayer.open(path, name="nocrs")


def test_a_sidecar_aux_xml_is_ignored(tmp_path, tif):
    aux = tif.with_name(tif.name + ".aux.xml")
    aux.write_text(
        '<PAMDataset><PAMRasterBand band="1"><NoDataValue>203</NoDataValue>'
        "</PAMRasterBand></PAMDataset>"
    )
    layer = RasterLayer.open(tif, name="flood")
    lon, lat = _centre(2, 3)
    assert layer.sample(np.array([lon]), np.array([lat]))[0] == 203.0
    assert aux.read_text().count("203") == 1


def test_a_missing_band_is_refused(tif):
    with pytest.raises(DataError, match=r"flood\.tif: band 2 does not exist \(the raster has 1\)"):
        RasterLayer.open(tif, name="flood", band=2)


def _zones(tmp_path: Path, features: list[dict], name: str = "zones.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _square(x0, y0, x1, y1, **props) -> dict:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": props,
    }


def test_vector_mask_inside_outside_and_boundary(tmp_path):
    path = _zones(tmp_path, [_square(120, 14, 121, 15), _square(122, 14, 123, 15)])
    layer = VectorLayer.open(path, name="ecozones", source_text="PEZA")
    got = layer.sample(np.array([120.5, 121.5, 121.0, 122.2]), np.array([14.5, 14.5, 14.5, 14.9]))
    np.testing.assert_array_equal(got, [1.0, 0.0, 1.0, 1.0])
    assert layer.provenance["features"] == 2
    assert layer.provenance["source"] == "PEZA"


def test_vector_property_takes_the_largest_value_and_nan_outside(tmp_path):
    path = _zones(
        tmp_path, [_square(120, 14, 121, 15, risk=2), _square(120.5, 14, 122, 15, risk=5.5)]
    )
    layer = VectorLayer.open(path, name="risk", field="risk")
    got = layer.sample(np.array([120.2, 120.7, 121.5, 125.0]), np.array([14.5, 14.5, 14.5, 14.5]))
    np.testing.assert_array_equal(got, [2.0, 5.5, 5.5, np.nan])
    clone = pickle.loads(pickle.dumps(layer))
    np.testing.assert_array_equal(clone.sample(np.array([120.7]), np.array([14.5])), [5.5])


def test_vector_layer_errors_name_file_row_and_field(tmp_path):
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [120, 14]},
        "properties": {},
    }
    path = _zones(tmp_path, [_square(120, 14, 121, 15, risk="high"), point])
    with pytest.raises(DataError) as err:
        VectorLayer.open(path, name="risk", field="risk")
    text = str(err.value)
    assert "zones.geojson, row 1, field 'risk': must be a number; got 'high'" in text
    assert "zones.geojson, row 2, field 'geometry': a zone must be a polygon; got Point" in text
    with pytest.raises(DataError, match=r"no property 'depth'; properties: risk"):
        VectorLayer.open(path, name="risk", field="depth")


def test_vector_geopackage_bytes_are_read_without_gdal(tmp_path, monkeypatch):
    import geopandas as gpd
    import pyogrio
    import shapely

    path = tmp_path / "protected.gpkg"
    gpd.GeoDataFrame(
        {"name": ["park"]}, geometry=[shapely.box(120, 14, 121, 15)], crs=4326
    ).to_file(path, engine="pyogrio", layer="protected")
    data = path.read_bytes()

    def refuse(*args, **kwargs):
        raise AssertionError("GDAL was asked to read an upload")

    for attr in ("read_dataframe", "read_info", "list_layers"):
        monkeypatch.setattr(pyogrio, attr, refuse)
    monkeypatch.setattr(gpd, "read_file", refuse)
    layer = VectorLayer.open(data, name="protected", file_name="protected.gpkg")
    np.testing.assert_array_equal(
        layer.sample(np.array([120.5, 119.0]), np.array([14.5, 14.5])), [1, 0]
    )
    with pytest.raises(DataError, match=r"protected\.tif: a vector layer must be one of"):
        VectorLayer.open(data, name="protected", file_name="protected.tif")


def test_rules_from_layers(tmp_path, tif):
    zones = VectorLayer.open(_zones(tmp_path, [_square(120, 14, 121, 15)]), name="park")
    exclude = exclusion_rule(zones, exclude_if="inside", reason="protected area")
    assert isinstance(exclude, LayerRule)
    np.testing.assert_array_equal(
        exclude.excludes(zones.sample(np.array([120.5, 122.0]), np.array([14.5, 14.5]))),
        [True, False],
    )
    flood = RasterLayer.open(tif, name="flood")
    rule = criterion_rule(
        flood,
        group="business_climate",
        weight=0.2,
        objective="min",
        value_function={"kind": "piecewise", "points": [[0, 1], [1000, 0]], "why": "depth"},
    )
    assert (rule.criterion_id, rule.value_function.kind) == ("layer:flood", "piecewise")
    assert rule.value_function.value(np.array([500.0]), "min")[0] == pytest.approx(0.5)
    with pytest.raises(DataError, match=r"flood\.tif, field 'value_function.why'"):
        criterion_rule(
            flood,
            group="cost",
            weight=0.2,
            objective="min",
            value_function={"kind": "piecewise", "points": [[0, 1], [1, 0]]},
        )
    with pytest.raises(SiteSelectError, match=re.escape("'weight' must be a share in (0, 1)")):
        criterion_rule(flood, group="cost", weight=1.5, objective="min")


def test_layer_names_are_checked(tif):
    with pytest.raises(DataError, match="may not hold ':'"):
        RasterLayer.open(tif, name="a:b")


def test_an_uploaded_raster_is_stored_under_its_digest(tmp_path, tif):
    store = tmp_path / "store"
    store.mkdir()
    data = tif.read_bytes()
    layer = layers.layer_from_upload("../../etc/evil.tif", data, directory=store, name="flood")
    digest = hashlib.sha256(data).hexdigest()
    assert [p.name for p in store.iterdir()] == [f"{digest}.tif"]
    assert layer.provenance["file"] == "../../etc/evil.tif"
    lon, lat = _centre(2, 3)
    assert layer.sample(np.array([lon]), np.array([lat]))[0] == 203.0
    zones = json.dumps({"type": "FeatureCollection", "features": [_square(120, 14, 121, 15)]})
    vector = layers.layer_from_upload("z.geojson", zones.encode(), directory=store, name="z")
    assert vector.sample(np.array([120.5]), np.array([14.5]))[0] == 1.0


def test_a_layers_file_gives_the_rules(tmp_path, tif):
    _zones(tmp_path, [_square(120, 14, 121, 15)], name="park.geojson")
    (tmp_path / "layers.yaml").write_text(
        "layers:\n"
        f"  - file: {tif.name}\n"
        "    name: flood\n"
        "    source: Test agency\n"
        "    as_of: 2024-05-01\n"
        "    exclude_if: ['>', 0.5]\n"
        "    reason: flood depth above 0.5 m\n"
        "  - file: park.geojson\n"
        "    name: park\n"
        "    criterion: {group: business_climate, weight: 0.1, objective: max}\n"
    )
    flood, park = layers.load_layer_rules(tmp_path / "layers.yaml")
    assert (flood.kind, flood.exclude_if, flood.reason) == (
        "exclusion",
        (">", 0.5),
        "flood depth above 0.5 m",
    )
    assert flood.layer.provenance["as_of"] == "2024-05-01"
    assert (park.kind, park.criterion_id, park.weight) == ("criterion", "layer:park", 0.1)


def test_a_bad_layers_file_names_every_problem(tmp_path, tif):
    (tmp_path / "layers.yaml").write_text(
        "layers:\n"
        f"  - file: {tif.name}\n"
        "    name: flood\n"
        "    colour: red\n"
        "    exclude_if: inside\n"
        "    reason: x\n"
        "  - file: missing.tif\n"
        "    name: gone\n"
        "    exclude_if: inside\n"
        "    reason: x\n"
        "  - name: nofile\n"
        "    criterion: {group: cost, weight: 0.1, objective: min}\n"
    )
    with pytest.raises(DataError) as err:
        layers.load_layer_rules(tmp_path / "layers.yaml")
    text = str(err.value)
    assert "layers.yaml, row 1, field 'colour': unknown field" in text
    assert "missing.tif: cannot read file" in text
    assert "layers.yaml, row 3, field 'file': required text is missing" in text
