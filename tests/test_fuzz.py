"""Fuzzing every upload path: accepted and valid, or a SiteSelectError naming the file.

``tests/fuzz/corpus/`` keeps inputs that once crashed siteselect or were accepted when they
should not have been; the property tests generate at least 1,000 malformed inputs per run
across CSV, GeoJSON, GeoPackage and scenario JSON.
"""

from __future__ import annotations

import json
import math
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteselect.catalog import MAX_TEXT, TEXT_FIELDS, Catalog, served_countries, sites_from_file
from siteselect.errors import SiteSelectError
from siteselect.store import Scenario, scenario_from_json, scenario_to_json

CORPUS = Path(__file__).parent / "fuzz" / "corpus"
ACCEPTED = {"bare-cr.csv"}  # a valid file with old Mac line endings
EXAMPLES = 260  # per format: 4 formats x 260 > 1,000 generated inputs per run
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)


def assert_valid(catalog: Catalog) -> None:
    sites = catalog.sites
    assert len(sites) >= 1
    assert sites.index.is_unique
    for _, site in sites.iterrows():
        assert site["country"] in served_countries()
        for fld in TEXT_FIELDS:
            value = site[fld]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            assert isinstance(value, str), (fld, value)
            assert len(value) <= MAX_TEXT
            assert not any(unicodedata.category(c) == "Cc" for c in value), (fld, value)
        assert -90 <= site.geometry.y <= 90
        assert -180 <= site.geometry.x <= 180


def check_upload(name: str, data: bytes) -> str:
    """'accepted' or 'refused'; anything but a SiteSelectError naming the file fails."""
    try:
        catalog = sites_from_file(name, data=data)
    except SiteSelectError as exc:
        message = str(exc)
    else:
        assert_valid(catalog)
        return "accepted"
    assert name in message, message
    return "refused"


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
def test_corpus(path):
    data = path.read_bytes()
    if path.suffix == ".json" and not path.name.endswith(".geojson"):
        with pytest.raises(SiteSelectError, match=r"scenario JSON|not valid"):
            scenario_from_json(data)
        return
    expected = "accepted" if path.name in ACCEPTED else "refused"
    assert check_upload(path.name, data) == expected


TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["PHL", "MEX", "USA", "ZZZ", "phl", "=1+1", "\x00", "\r", "\u202e", ""]),
)
VALUE = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
FIELDS = st.sampled_from([*TEXT_FIELDS, "lat", "lon", "labour_cost", "x"])
NUMBER = st.one_of(
    st.floats(min_value=-200, max_value=200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([15.18, 120.54, 19.43, -99.13, 33.45, -112.07]),
)


@FUZZ
@given(
    header=st.lists(FIELDS, min_size=0, max_size=8),
    rows=st.lists(st.lists(st.one_of(TEXT, NUMBER.map(str)), max_size=8), max_size=4),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    base=st.booleans(),
)
def test_fuzz_csv(header, rows, ending, delimiter, base):
    lines = [delimiter.join(header)] if not base else ["name,lat,lon,country"]
    if base:
        lines.append("Clark,15.18,120.54,PHL")
    lines += [delimiter.join(row) for row in rows]
    check_upload("fuzz.csv", ending.join(lines).encode("utf-8", "surrogatepass"))


@FUZZ
@given(
    props=st.dictionaries(FIELDS, VALUE, max_size=6),
    keep=st.booleans(),
    x=NUMBER,
    y=NUMBER,
    geometry=st.sampled_from(["Point", "LineString", None, "bad"]),
    crs=st.one_of(st.none(), st.sampled_from(["EPSG:4326", "EPSG:32651", "EPSG:999999", "x"])),
    wrap=st.sampled_from(["collection", "feature", "list", "junk"]),
)
def test_fuzz_geojson(props, keep, x, y, geometry, crs, wrap):
    if keep:
        props = {"name": "Clark", "country": "PHL", **props}
    geom: object
    if geometry == "Point":
        geom = {"type": "Point", "coordinates": [x, y]}
    elif geometry == "LineString":
        geom = {"type": "LineString", "coordinates": [[x, y], [y, x]]}
    else:
        geom = geometry
    feature = {"type": "Feature", "properties": props, "geometry": geom}
    doc: object = {
        "collection": {"type": "FeatureCollection", "features": [feature]},
        "feature": feature,
        "list": [feature],
        "junk": {"type": "FeatureCollection", "features": [props]},
    }[wrap]
    if crs is not None and isinstance(doc, dict):
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    text = json.dumps(doc, allow_nan=True, default=str)
    check_upload("fuzz.geojson", text.encode("utf-8", "surrogatepass"))


def _gpkg(tmp: Path, columns: dict[str, object], geometry: bytes | None, srs: int) -> bytes:
    path = tmp / "x.gpkg"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA application_id = 1196444487")  # "GPKG"
        con.execute(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, "
            "organization TEXT, organization_coordsys_id INTEGER, definition TEXT, "
            "description TEXT)"
        )
        con.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', ?, 'EPSG', ?, '', '')", (srs, srs)
        )
        con.execute(
            "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, "
            "identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL, "
            "max_x REAL, max_y REAL, srs_id INTEGER)"
        )
        con.execute(
            "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
            "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER)"
        )
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, srs_id) "
            "VALUES ('s', 'features', ?)",
            (srs,),
        )
        con.execute(
            "INSERT INTO gpkg_geometry_columns VALUES ('s', 'geom', 'POINT', ?, 0, 0)", (srs,)
        )
        names = list(columns)
        cols = ", ".join(f'"{c}"' for c in names)
        con.execute(
            f"CREATE TABLE s (fid INTEGER PRIMARY KEY, geom BLOB{', ' + cols if cols else ''})"
        )
        marks = ", ".join("?" for _ in ["geom", *names])
        con.execute(
            f"INSERT INTO s (geom{', ' + cols if cols else ''}) VALUES ({marks})",
            [geometry, *columns.values()],
        )
        con.commit()
    finally:
        con.close()
    return path.read_bytes()


def _point_blob(x: float, y: float, srs: int) -> bytes:
    import struct

    return (
        b"GP\x00\x01"
        + struct.pack("<i", srs)
        + b"\x01"
        + struct.pack("<II", 1, 1)
        + struct.pack("<dd", x, y)
    )


@FUZZ
@given(
    props=st.dictionaries(
        FIELDS,
        st.one_of(
            TEXT, st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.binary(max_size=8)
        ),
        max_size=5,
    ),
    keep=st.booleans(),
    x=NUMBER,
    y=NUMBER,
    srs=st.sampled_from([4326, 32651, 999999]),
    blob=st.one_of(st.none(), st.binary(max_size=40), st.just(b"point")),
    flip=st.integers(min_value=0, max_value=4096),
)
def test_fuzz_geopackage(tmp_path_factory, props, keep, x, y, srs, blob, flip):
    if keep:
        props = {"name": "Clark", "country": "PHL", **props}
    geometry = _point_blob(x, y, srs) if blob == b"point" else blob
    data = bytearray(_gpkg(tmp_path_factory.mktemp("g"), props, geometry, srs))
    if flip and flip < len(data) and flip > 100:
        data[flip] ^= 0xFF  # a corrupted byte somewhere past the header
    check_upload("fuzz.gpkg", bytes(data))


GOOD = json.loads(
    scenario_to_json(
        Scenario("Fuzz", "ems", "investor", {"tax": 1.0}, "vikor", {"v": 0.5}, "worst")
    )
)


@FUZZ
@given(
    field=st.sampled_from([*GOOD["scenario"], "format", "schema_version", "extra"]),
    value=VALUE,
    top=st.booleans(),
)
def test_fuzz_scenario_json(field, value, top):
    document = json.loads(json.dumps(GOOD))
    (document if top else document["scenario"])[field] = value
    text = json.dumps(document, allow_nan=True, default=str)
    try:
        scenario = scenario_from_json(text.encode("utf-8", "surrogatepass"))
    except SiteSelectError as exc:
        message = str(exc)
    else:
        assert isinstance(scenario, Scenario)
        assert scenario_from_json(scenario_to_json(scenario)) == scenario
        return
    assert any(w in message for w in ("scenario", "JSON", "schema_version", "UTF-8")), message
