"""Uploads are capped by size (bytes) and by the number of sites, in every format; the error
names the file and states the limit. A scenario's stored uploads have the same byte cap."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from siteselect import catalog
from siteselect.catalog import MAX_UPLOAD_BYTES, MAX_UPLOAD_SITES, sites_from_file
from siteselect.errors import DataError
from siteselect.store import Scenario

LIMIT = 3  # a small stand-in for MAX_UPLOAD_SITES, so the files stay tiny
POINTS = [(120.56 + i / 100, 15.19) for i in range(LIMIT + 1)]


def csv_bytes(n: int, tmp_path: Path) -> bytes:
    rows = [f"Site {i},{lat},{lon},PHL" for i, (lon, lat) in enumerate(POINTS[:n])]
    return ("name,lat,lon,country\n" + "\n".join(rows) + "\n").encode()


def geojson_bytes(n: int, tmp_path: Path) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"Site {i}", "country": "PHL"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for i, (lon, lat) in enumerate(POINTS[:n])
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def gpkg_bytes(n: int, tmp_path: Path) -> bytes:
    path = tmp_path / f"sites{n}.gpkg"
    gpd.GeoDataFrame(
        {"name": [f"Site {i}" for i in range(n)], "country": ["PHL"] * n},
        geometry=[Point(p) for p in POINTS[:n]],
        crs="EPSG:4326",
    ).to_file(path, engine="pyogrio")
    return path.read_bytes()


FORMATS = [("mine.csv", csv_bytes), ("mine.geojson", geojson_bytes), ("mine.gpkg", gpkg_bytes)]


def test_the_stated_limits():
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert MAX_UPLOAD_SITES == 100_000


@pytest.mark.parametrize(("name", "build"), FORMATS, ids=["csv", "geojson", "gpkg"])
def test_a_file_with_too_many_sites_is_refused_naming_it(monkeypatch, tmp_path, name, build):
    monkeypatch.setattr(catalog, "MAX_UPLOAD_SITES", LIMIT)
    accepted = sites_from_file(name, data=build(LIMIT, tmp_path))
    assert len(accepted.sites) == LIMIT
    with pytest.raises(DataError, match=rf"{name.replace('.', '[.]')}: more than {LIMIT} "):
        sites_from_file(name, data=build(LIMIT + 1, tmp_path))


@pytest.mark.parametrize("name", ["big.csv", "big.geojson", "big.json", "big.gpkg"])
def test_a_file_over_the_byte_cap_is_refused_before_it_is_parsed(name):
    data = b"x" * (MAX_UPLOAD_BYTES + 1)
    with pytest.raises(
        DataError, match=rf"{name.replace('.', '[.]')}: file is larger than the 20 MiB limit"
    ):
        sites_from_file(name, data=data)


def test_a_scenarios_uploads_have_the_same_byte_cap():
    half = base64.b64encode(b"x" * (MAX_UPLOAD_BYTES // 2 + 1)).decode("ascii")
    with pytest.raises(DataError, match=r"field 'uploaded_sites': holds \d+ bytes; at most"):
        Scenario(
            "Big", "ems", "investor", {}, "wsm", {}, "worst",
            uploaded_sites=(("a.csv", half), ("b.csv", half)),
        )  # fmt: skip
