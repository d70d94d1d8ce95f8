"""Parse a user's GeoJSON or GeoPackage bytes as data, and nothing else.

GDAL chooses a driver from a file's content, so bytes handed to it can turn out to be an
OGR VRT that opens a file on the server or a ``/vsicurl/`` URL. User files therefore never
reach GDAL: a GeoJSON is parsed by Python's JSON parser (RFC 7946), a GeoPackage by Python's
SQLite module after its header has been checked, reading only the tables the GeoPackage
specification defines (OGC 12-128r18) in a read-only, untrusted-schema connection. Geometries
are built by shapely from the parsed values (GeoJSON) or from WKB (GeoPackage). Nothing in a
file can name another file, a URL or a driver.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from siteselect.errors import DataError, Problem

SQLITE_HEADER = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = {0x47504B47, 0x47503130, 0x47503131}  # "GPKG", "GP10", "GP11"
WGS84 = "EPSG:4326"
_EPSG_NAME = re.compile(
    r"^(?:EPSG:|urn:ogc:def:crs:EPSG:[0-9.]*:)(?P<code>[0-9]{1,6})$", re.IGNORECASE
)
_CRS84 = re.compile(r"^urn:ogc:def:crs:OGC:[0-9.]*:CRS84$", re.IGNORECASE)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .-]{0,127}$")
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _fail(name: str, message: str, field: str | None = None, row: int | None = None) -> DataError:
    return DataError([Problem(name, row, field, message)])


def _crs_from_epsg(name: str, code: int) -> CRS:
    try:
        return CRS.from_epsg(code)
    except CRSError:
        raise _fail(
            name, f"EPSG:{code} is not a known coordinate reference system", "crs"
        ) from None


def _geojson_crs(doc: dict[str, Any], name: str) -> CRS:
    """RFC 7946 coordinates are WGS84 lon/lat; a legacy named EPSG ``crs`` is honoured."""
    member = doc.get("crs")
    if member is None:
        return CRS.from_user_input(WGS84)
    props = member.get("properties") if isinstance(member, dict) else None
    crs_name = props.get("name") if isinstance(props, dict) else None
    if (
        not isinstance(member, dict)
        or member.get("type") != "name"
        or not isinstance(crs_name, str)
    ):
        raise _fail(
            name,
            "only a named EPSG coordinate reference system is accepted in 'crs' "
            '(e.g. {"type": "name", "properties": {"name": "EPSG:4326"}}); '
            "linked or other CRS definitions are refused",
            "crs",
        )
    if _CRS84.match(crs_name):
        return CRS.from_user_input(WGS84)
    found = _EPSG_NAME.match(crs_name)
    if not found:
        raise _fail(name, f"unknown CRS name {crs_name[:60]!r}; use 'EPSG:<code>'", "crs")
    return _crs_from_epsg(name, int(found["code"]))


def _features(doc: Any, name: str) -> list[Any]:
    if not isinstance(doc, dict):
        raise _fail(name, "a GeoJSON file must hold a JSON object (a FeatureCollection)")
    kind = doc.get("type")
    if kind == "Feature":
        return [doc]
    if kind != "FeatureCollection":
        raise _fail(name, f"GeoJSON type must be 'FeatureCollection', not {str(kind)[:40]!r}")
    features = doc.get("features")
    if not isinstance(features, list):
        raise _fail(name, "'features' must be a list", "features")
    return features


def _frame(
    rows: list[dict[str, Any]], geoms: list[BaseGeometry | None], crs: CRS, name: str
) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms), crs=crs)
    try:
        return frame.to_crs(WGS84)
    except ProjError:
        raise _fail(name, f"cannot convert from {crs.name} to WGS84 coordinates", "crs") from None


def read_geojson(data: bytes, name: str, *, max_features: int) -> gpd.GeoDataFrame:
    """Features of a GeoJSON document as a GeoDataFrame in WGS84 (properties as columns)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise _fail(name, "cannot read as GeoJSON: not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise _fail(name, f"cannot read as GeoJSON: {str(exc)[:120]}") from None
    features = _features(doc, name)
    crs = _geojson_crs(doc, name)
    if len(features) > max_features:
        raise _fail(name, f"more than {max_features} features")
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry | None] = []
    for i, feat in enumerate(features, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(Problem(name, i, None, "not a GeoJSON Feature object"))
            continue
        props = feat.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            problems.append(Problem(name, i, "properties", "must be a JSON object"))
            continue
        geom = feat.get("geometry")
        try:
            built = None if geom is None else shape(geom)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            problems.append(Problem(name, i, "geometry", "not a valid GeoJSON geometry"))
            continue
        rows.append(dict(props))
        geoms.append(built)
    if problems:
        raise DataError(problems)
    return _frame(rows, geoms, crs, name)


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not valid JSON")


def _connect_readonly(data: bytes, directory: str) -> sqlite3.Connection:
    target = Path(directory) / "upload.sqlite"
    target.write_bytes(data)
    con = sqlite3.connect(f"{target.as_uri()}?mode=ro&immutable=1", uri=True)
    # no schema-defined SQL (views, triggers, generated columns) may call functions
    con.execute("PRAGMA trusted_schema = OFF")
    con.execute("PRAGMA cell_size_check = ON")
    return con


def _gpkg_crs(con: sqlite3.Connection, srs_id: int, name: str) -> CRS:
    row = con.execute(
        "SELECT organization, organization_coordsys_id, definition "
        "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    no_crs = _fail(
        name,
        "the file has no coordinate reference system (CRS); save it with one, e.g. EPSG:4326",
        "crs",
    )
    if row is None or srs_id in (-1, 0):
        raise no_crs
    org, code, definition = row
    if isinstance(org, str) and org.upper() == "EPSG" and isinstance(code, int):
        return _crs_from_epsg(name, code)
    if not isinstance(definition, str) or definition.strip().lower() in ("", "undefined"):
        raise no_crs
    try:
        crs = CRS.from_wkt(definition[:20_000])
    except CRSError:
        raise _fail(
            name, "the coordinate reference system definition is not valid WKT", "crs"
        ) from None
    if not (crs.is_geographic or crs.is_projected):
        raise no_crs  # e.g. GDAL's "Undefined SRS" (a LOCAL_CS with no datum)
    return crs


def _gpkg_geometry(blob: Any) -> BaseGeometry | None:
    """A geometry from a GeoPackage binary blob (header + WKB), or None when empty/NULL."""
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    if flags & 0b0010_0000:
        raise ValueError("extended GeoPackage geometries are not supported")
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_DOUBLES:
        raise ValueError("invalid envelope code")
    start = 8 + 8 * _ENVELOPE_DOUBLES[envelope]
    if flags & 0b0001_0000:  # empty geometry flag
        return None
    wkb = blob[start:]
    if len(wkb) < 5:
        raise ValueError("truncated geometry")
    geom = shapely.from_wkb(wkb)
    return None if geom is None or geom.is_empty else geom


def _quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def read_geopackage(data: bytes, name: str, *, max_features: int) -> gpd.GeoDataFrame:
    """The first feature table of a GeoPackage, read by SQLite only, in WGS84."""
    if len(data) < 100 or data[:16] != SQLITE_HEADER:
        raise _fail(name, "cannot read as GeoPackage: not an SQLite file")
    (app_id,) = struct.unpack(">I", data[68:72])
    if app_id not in GPKG_APPLICATION_IDS:
        raise _fail(name, "cannot read as GeoPackage: SQLite file without the GeoPackage id")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            con = _connect_readonly(data, tmp)
        except sqlite3.Error:
            raise _fail(name, "cannot read as GeoPackage: the database cannot be opened") from None
        try:
            return _read_feature_table(con, name, max_features)
        except sqlite3.Error as exc:
            raise _fail(name, f"cannot read as GeoPackage: {str(exc)[:120]}") from None
        except UnicodeDecodeError:
            raise _fail(name, "cannot read as GeoPackage: a text value is not UTF-8") from None
        finally:
            con.close()


def _read_feature_table(con: sqlite3.Connection, name: str, max_features: int) -> gpd.GeoDataFrame:
    tables = con.execute(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c "
        "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
        "WHERE c.data_type = 'features' ORDER BY c.table_name"
    ).fetchall()
    if not tables:
        raise _fail(name, "the GeoPackage has no feature table with a geometry column", "geometry")
    table, geom_col, srs_id = tables[0]
    if not (isinstance(table, str) and _IDENT.match(table)):
        raise _fail(name, "the feature table's name is not a plain identifier")
    if not (isinstance(geom_col, str) and _IDENT.match(geom_col)):
        raise _fail(name, "the geometry column's name is not a plain identifier")
    crs = _gpkg_crs(con, int(srs_id), name)
    master = con.execute(
        "SELECT type FROM sqlite_master WHERE name = ? COLLATE NOCASE", (table,)
    ).fetchone()
    if master is None or master[0] != "table":
        raise _fail(name, f"feature table {table!r} is not a plain table")
    (count,) = con.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()
    if count > max_features:
        raise _fail(name, f"more than {max_features} features")
    cursor = con.execute(f"SELECT * FROM {_quote(table)}")
    columns = [d[0] for d in cursor.description]
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry | None] = []
    for i, values in enumerate(cursor, start=1):
        record = dict(zip(columns, values, strict=True))
        try:
            geoms.append(_gpkg_geometry(record.pop(geom_col)))
        except (ValueError, shapely.errors.GEOSException) as exc:
            problems.append(Problem(name, i, "geometry", f"invalid geometry: {exc}"))
            geoms.append(None)
        rows.append({k: _plain(v) for k, v in record.items() if k != "fid"})
    if problems:
        raise DataError(problems)
    return _frame(rows, geoms, crs, name)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


READERS: dict[str, Callable[..., gpd.GeoDataFrame]] = {
    ".geojson": read_geojson,
    ".json": read_geojson,
    ".gpkg": read_geopackage,
}
