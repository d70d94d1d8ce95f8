"""data/: loading, validation of every file, the user's own sites."""

from __future__ import annotations

import json
import sqlite3  # noqa: F401  (pyogrio writes GeoPackages through GDAL, not sqlite3)

import geopandas as gpd
import pytest
from shapely.geometry import Point

from siteselect.catalog import load_catalog, resolve_indicator, sites_from_file
from siteselect.errors import DataError


def test_tiny_catalogue_loads(tiny):
    assert list(tiny.sites.index) == ["PH-TEST-A", "MX-TEST-B", "US-TEST-C", "US-TEST-D"]
    assert tiny.sites.crs.to_epsg() == 4326
    assert len(tiny.version) == 16


def test_indicator_resolution_prefers_site_then_region_then_country(tiny):
    wage = resolve_indicator(tiny, "minimum_wage")
    assert wage.loc["US-TEST-C", "scope_level"] == "region"
    assert wage.loc["US-TEST-D", "scope_level"] == "country"
    cluster = resolve_indicator(tiny, "taiwan_cluster")
    assert (cluster["scope_level"] == "site").all()


def _features(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path, doc):
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_duplicate_site_ids_are_reported_with_rows(tiny_dir):
    doc = _features(tiny_dir / "sites.geojson")
    doc["features"][2]["properties"]["site_id"] = "PH-TEST-A"
    _write(tiny_dir / "sites.geojson", doc)
    with pytest.raises(
        DataError,
        match=r"sites\.geojson, row 3, field 'site_id': duplicate "
        r"site id 'PH-TEST-A' \(first at row 1\)",
    ):
        load_catalog(tiny_dir)


def test_out_of_range_coordinates_and_bad_codes_all_reported(tiny_dir):
    doc = _features(tiny_dir / "sites.geojson")
    doc["features"][0]["geometry"]["coordinates"] = [120.0, 95.0]
    doc["features"][1]["properties"]["gateway_port"] = "ZZZZZ"
    doc["features"][2]["properties"]["country"] = "US"
    _write(tiny_dir / "sites.geojson", doc)
    with pytest.raises(DataError) as info:
        load_catalog(tiny_dir)
    text = str(info.value)
    assert "row 1, field 'lat': latitude 95.0 outside -90..90" in text
    assert "row 2, field 'gateway_port': unknown seaport 'ZZZZZ'" in text
    assert "row 3, field 'country': expected an ISO 3166-1 alpha-3 code" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "PHL,lpi_score,abc,LPI score,2023,2025-01-01,,,s,https://x,",
            r"row 31, field 'value': not a number",
        ),
        (
            "PHL,wgi_x,1,u,23,2025-01-01,,,s,https://x,",
            r"row 31, field 'year': expected a 4-digit year",
        ),
        (
            "PHL,wgi_y,1,u,2023,2025-01-01,,,,https://x,",
            r"row 31, field 'source': required text is missing",
        ),
        (
            "PHL,wgi_y,1,u,2023,,,,s,https://x,",
            r"row 31, field 'as_of': required date is missing",
        ),
        (
            "PHL,wgi_y,1,u,2023,1 Jan 2025,,,s,https://x,",
            r"row 31, field 'as_of': expected a date YYYY-MM-DD; got '1 Jan 2025'",
        ),
        (
            "PHL,wgi_y,1,u,2023,2025-06-01,2025-05-31,,s,https://x,",
            r"row 31, field 'valid_until': 2025-05-31 is before as_of 2025-06-01",
        ),
        (
            "PHL,lpi_score,3.1,LPI score,2023,2025-01-01,,,s,https://x,",
            r"row 31, field 'indicator': duplicate of indicators\.csv line 16",
        ),
        (
            "XYZ,lpi_score,3.1,LPI score,2023,2025-01-01,,,s,https://x,",
            r"row 31, field 'scope': 'XYZ' is not a site id, region code or country",
        ),
    ],
    ids=[
        "non-numeric",
        "bad-year",
        "no-source",
        "no-as-of",
        "bad-as-of",
        "valid-until-before-as-of",
        "duplicate",
        "unknown-scope",
    ],
)
def test_malformed_indicator_rows_name_line_and_field(tiny_dir, line, message):
    with (tiny_dir / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    with pytest.raises(DataError, match=message):
        load_catalog(tiny_dir)


def test_missing_csv_column_is_reported(tiny_dir):
    path = tiny_dir / "fx.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("usd_per_unit", "rate"), encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"fx\.csv, row 1: missing column\(s\) usd_per_unit"):
        load_catalog(tiny_dir)


def test_sector_fit_out_of_scale_is_reported(tiny_dir):
    path = tiny_dir / "sector_fit.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("PH-TEST-A,new_sector,7,r,s,https://x,2025\n")
    with pytest.raises(DataError, match=r"field 'fit': must be 0, 1, 2 or 3; got 7"):
        load_catalog(tiny_dir)


# --- the user's own sites -------------------------------------------------------------


def test_user_csv_sites_get_ports_airports_and_values(tmp_path, cset):
    path = tmp_path / "mine.csv"
    path.write_text(
        "name,lat,lon,country,logistics\n"
        "Batangas candidate,13.78,121.06,PHL,9.5\n"
        "Nogales candidate,31.30,-110.95,MEX,\n",
        encoding="utf-8",
    )
    cat = sites_from_file(path, criteria=cset.ids)
    assert len(cat.sites) == 2
    assert cat.sites["gateway_port"].notna().all()
    assert cat.sites["airport"].notna().all()
    assert cat.sites.iloc[0]["site_id"].startswith("USER1-BATANGAS")
    assert cat.user_values.to_dict("records") == [
        {
            "site_id": cat.sites.index[0],
            "criterion": "logistics",
            "value": 9.5,
            "source": "user file mine.csv, row 2",
        }
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name,lat,lon,country\nA,95,10,PHL\n", r"mine\.csv, row 2, field 'lat': latitude 95\.0"),
        ("name,lat,lon,country\nA,north,10,PHL\n", r"row 2, field 'lat': not a number: 'north'"),
        ("name,lat,lon,country\nA,10,10,\n", r"row 2, field 'country': required value is missing"),
        ("name,lat,lon\nA,10,10\n", r"row 1: missing column\(s\) country"),
        (
            "site_id,name,lat,lon,country\nXX-A,A,10,10,PHL\nXX-A,B,11,11,PHL\n",
            r"row 3, field 'site_id': duplicate site id 'XX-A'",
        ),
        (
            "name,lat,lon,country,logistics\nA,10,10,PHL,cheap\n",
            r"row 2, field 'logistics': not a number: 'cheap'",
        ),
        ("", r"row 1: missing column"),
    ],
    ids=["lat-range", "lat-text", "no-country", "no-column", "dup-id", "bad-value", "empty"],
)
def test_bad_user_csv_names_row_and_field(tmp_path, cset, body, message):
    path = tmp_path / "mine.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        sites_from_file(path, criteria=cset.ids)


def test_geopackage_without_crs_is_refused(tmp_path):
    path = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame({"name": ["A"], "country": ["PHL"]}, geometry=[Point(120, 15)]).to_file(
            path
        )
    with pytest.raises(DataError, match=r"nocrs\.gpkg, field 'crs': the file has no coordinate"):
        sites_from_file(path)


def test_geopackage_in_another_crs_is_reprojected(tmp_path):
    path = tmp_path / "mine.gpkg"
    frame = gpd.GeoDataFrame(
        {"name": ["A"], "country": ["PHL"]}, geometry=[Point(120.56, 15.19)], crs="EPSG:4326"
    ).to_crs("EPSG:3857")
    frame.to_file(path)
    cat = sites_from_file(path)
    assert cat.sites.geometry.iloc[0].x == pytest.approx(120.56)


def test_unsupported_and_garbage_files_are_refused(tmp_path):
    with pytest.raises(DataError, match=r"unsupported file type"):
        sites_from_file(tmp_path / "x.xlsx", data=b"PK")
    with pytest.raises(DataError, match=r"x\.geojson: cannot read as GeoJSON: Expecting property"):
        sites_from_file(tmp_path / "x.geojson", data=b"{not json")


def test_oversized_upload_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"larger than the 20 MiB limit"):
        sites_from_file(tmp_path / "big.csv", data=b"x" * (20 * 1024 * 1024 + 1))


def test_user_sites_merge_and_clashing_ids_are_refused(tiny, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "site_id,name,lat,lon,country\nPH-TEST-A,A,15.18,120.54,PHL\n", encoding="utf-8"
    )
    with pytest.raises(Exception, match=r"already exist in the catalogue: PH-TEST-A"):
        tiny.with_sites(sites_from_file(path))
