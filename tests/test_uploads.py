"""Uploaded bytes are parsed as the format they claim and nothing else.

An OGR VRT hidden in a .geojson/.json/.gpkg/.csv, a /vsicurl/, /vsizip/ or local path
reference, or a linked CRS must be refused with a clear error, without GDAL being asked to
open anything, without a file of the server being read and without a connection.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from siteselect.catalog import sites_from_file
from siteselect.errors import DataError, SiteSelectError

SECRET = "TOP-SECRET-LINE-7d1f"
EXTENSIONS = (".csv", ".geojson", ".json", ".gpkg")


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A file on the 'server' that an attacker would like to read."""
    target = tmp_path / "server" / "secret.csv"
    target.parent.mkdir()
    target.write_text(f"name,lat,lon,country\n{SECRET},15,120,PHL\n", encoding="utf-8")
    return target


def _vrt(source: str) -> bytes:
    return (
        "<OGRVRTDataSource><OGRVRTLayer name='secret'>"
        f"<SrcDataSource>{source}</SrcDataSource>"
        "<GeometryType>wkbPoint</GeometryType>"
        "<GeometryField encoding='PointFromColumns' x='lon' y='lat'/>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


@pytest.fixture
def no_gdal_no_network(monkeypatch):
    """Fail the test if an upload reaches GDAL or tries to open a connection."""
    from siteselect import boundaries

    boundaries.countries()  # the package's own outlines (trusted) load before the guard
    # and the first-level regions that uploads are located in (Philippines, Mexico, US)
    boundaries.locate(gpd.GeoSeries.from_xy([121.0, -100.0, -97.0], [14.6, 25.7, 32.8], crs=4326))
    calls: list[str] = []

    def forbidden(what):
        def _raise(*args, **kwargs):
            calls.append(what)
            raise AssertionError(f"{what} was called for an upload")

        return _raise

    for mod, attr in (
        (pyogrio, "read_dataframe"),
        (pyogrio, "read_info"),
        (pyogrio, "list_layers"),
        (pyogrio.raw, "read"),
        (gpd, "read_file"),
        (socket.socket, "connect"),
        (socket, "create_connection"),
    ):
        monkeypatch.setattr(mod, attr, forbidden(f"{getattr(mod, '__name__', mod)}.{attr}"))
    return calls


def test_the_attack_is_real_when_bytes_reach_gdal(tmp_path, planted):
    """Guard: GDAL itself would read the planted file from this VRT (so the tests below bite)."""
    vrt = tmp_path / "evil.geojson"
    vrt.write_bytes(_vrt(str(planted)))
    frame = pyogrio.read_dataframe(vrt)
    assert SECRET in frame["name"].tolist()


@pytest.mark.parametrize("suffix", EXTENSIONS)
@pytest.mark.parametrize(
    "source",
    ["{planted}", "/vsicurl/http://127.0.0.1:9/sites.csv", "/vsizip/{planted}.zip/secret.csv"],
    ids=["local-path", "vsicurl", "vsizip"],
)
def test_vrt_content_is_refused_under_every_extension(suffix, source, planted, no_gdal_no_network):
    data = _vrt(source.format(planted=planted))
    with pytest.raises(DataError, match=re.escape(f"upload{suffix}") + r"(, row 1)?: ") as err:
        sites_from_file(f"upload{suffix}", data=data)
    assert SECRET not in str(err.value)
    assert no_gdal_no_network == []


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "link", "properties": {"href": "/vsicurl/http://127.0.0.1:9/crs.wkt"}},
        {"type": "name", "properties": {"name": "/etc/passwd"}},
        {"type": "name", "properties": {"name": "EPSG:999999"}},
        "EPSG:4326",
    ],
    ids=["linked-vsicurl", "path-as-name", "bogus-epsg", "not-an-object"],
)
def test_geojson_crs_member_cannot_reference_anything(crs, no_gdal_no_network):
    doc = {
        "type": "FeatureCollection",
        "crs": crs,
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [120.5, 15.2]},
                "properties": {"name": "A", "country": "PHL"},
            }
        ],
    }
    with pytest.raises(DataError, match=r"x\.geojson, field 'crs': "):
        sites_from_file("x.geojson", data=json.dumps(doc).encode())
    assert no_gdal_no_network == []


def test_geojson_with_named_epsg_crs_is_reprojected(no_gdal_no_network):
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [13_421_000.0, 1_712_000.0]},
                "properties": {"name": "A", "country": "PHL"},
            }
        ],
    }
    cat = sites_from_file("x.geojson", data=json.dumps(doc).encode())
    assert cat.sites.geometry.iloc[0].x == pytest.approx(120.56, abs=0.01)
    assert no_gdal_no_network == []


def test_geopackage_is_read_without_gdal(tmp_path, no_gdal_no_network):
    path = tmp_path / "mine.gpkg"
    gpd.GeoDataFrame(
        {"name": ["A", "B"], "country": ["PHL", "MEX"]},
        geometry=[Point(120.56, 15.19), Point(-110.96, 29.07)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857").to_file(path, engine="pyogrio")
    data = path.read_bytes()
    cat = sites_from_file("mine.gpkg", data=data)
    assert cat.sites["name"].tolist() == ["A", "B"]
    assert cat.sites.geometry.iloc[1].y == pytest.approx(29.07)
    assert no_gdal_no_network == []


def _gpkg_with(tmp_path: Path, sql: str) -> bytes:
    path = tmp_path / "base.gpkg"
    gpd.GeoDataFrame(
        {"name": ["A"], "country": ["PHL"]}, geometry=[Point(120.56, 15.19)], crs="EPSG:4326"
    ).to_file(path, engine="pyogrio", layer="sites", SPATIAL_INDEX="NO")
    con = sqlite3.connect(path)
    con.executescript(sql)
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "DELETE FROM gpkg_geometry_columns;",
            r"field 'geometry': the GeoPackage has no feature table with a geometry column",
        ),
        (
            "ALTER TABLE sites RENAME TO real_sites;"
            "CREATE VIEW sites AS SELECT * FROM real_sites;",
            r"feature table 'sites' is not a plain table",
        ),
        ("UPDATE sites SET geom = X'00';", r"row 1, field 'geometry': invalid geometry"),
    ],
    ids=["no-geometry-table", "view-as-table", "garbage-geometry"],
)
def test_bad_geopackages_are_refused(tmp_path, sql, message, no_gdal_no_network):
    with pytest.raises(DataError, match=message):
        sites_from_file("x.gpkg", data=_gpkg_with(tmp_path, sql))


def test_sqlite_file_that_is_not_a_geopackage_is_refused(tmp_path, no_gdal_no_network):
    path = tmp_path / "plain.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(DataError, match=r"x\.gpkg: cannot read as GeoPackage: SQLite file w"):
        sites_from_file("x.gpkg", data=path.read_bytes())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suffix=st.sampled_from(EXTENSIONS),
    data=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=200).map(lambda b: b"SQLite format 3\x00" + b),
        st.recursive(
            st.none() | st.integers() | st.text(max_size=8),
            lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids),
            max_leaves=8,
        ).map(lambda d: json.dumps(d).encode()),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.text(max_size=8),
            lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids),
            max_leaves=12,
        ).map(lambda d: json.dumps({"type": "FeatureCollection", "features": d}).encode()),
    ),
)
def test_arbitrary_bytes_are_accepted_or_refused_clearly(suffix, data):
    try:
        cat = sites_from_file(f"fuzz{suffix}", data=data)
    except SiteSelectError as exc:
        message = str(exc)
    else:
        message = f"fuzz{suffix}" if len(cat.sites) > 0 else "accepted an empty file"
    assert f"fuzz{suffix}" in message
