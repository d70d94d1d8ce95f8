"""Load and validate ``data/``: candidate sites, indicators, sector fit and exchange rates.

Also reads a user's own candidate sites (CSV, GeoJSON or GeoPackage). Every problem found
in a file is reported at once, naming the file, the row (line number in a CSV, header =
line 1; feature number in a GeoJSON or GeoPackage) and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteselect import geo, readers, uploads
from siteselect.errors import DataError, Problem, SiteSelectError, raise_if
from siteselect.release import Release, load_release

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SITE_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9-]+$")
USER_SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ISO3 = re.compile(r"^[A-Z]{3}$")
LOCODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")
IATA = re.compile(r"^[A-Z]{3}$")
INDICATOR_COLUMNS = (
    "scope",
    "indicator",
    "value",
    "unit",
    "year",
    "as_of",
    "valid_until",
    "edition",
    "source",
    "url",
    "note",
)
SECTOR_FIT_COLUMNS = ("site_id", "sector", "fit", "rationale", "source", "url", "year")
FX_COLUMNS = ("currency", "usd_per_unit", "date", "source", "url", "note")
SITE_FIELDS = (
    "site_id",
    "name",
    "country",
    "region",
    "region_code",
    "locality",
    "zone_regime",
    "gateway_port",
    "gateway_note",
    "airport",
    "coord_source",
    "coord_url",
    "coord_note",
    "presence",
    "presence_source",
    "presence_url",
    "presence_year",
    "status",
)
REQUIRED_SITE_FIELDS = ("site_id", "name", "country", "region", "gateway_port", "airport")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_SITES = 100_000


@dataclass(frozen=True)
class Catalog:
    """Validated data: sites (GeoDataFrame indexed by ``site_id``) and their facts.

    Treat every frame as read-only: a catalog may be shared between app sessions.
    ``user_values`` holds criterion values given directly in a user's site file (long
    table: site_id, criterion, value, source).
    """

    sites: gpd.GeoDataFrame
    indicators: pd.DataFrame
    sector_fit: pd.DataFrame
    fx: pd.DataFrame
    user_values: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["site_id", "criterion", "value", "source"])
    )
    version: str = ""
    release: Release = field(default_factory=Release)

    @cached_property
    def geography(self) -> pd.DataFrame:
        """Computed geographic criteria for every site (computed once per catalog)."""
        return pd.DataFrame({name: fn(self.sites) for name, fn in geo.COMPUTED.items()})

    def with_sites(self, extra: Catalog) -> Catalog:
        """A new catalog with ``extra``'s sites, site facts and user values added."""
        clash = sorted(set(self.sites.index) & set(extra.sites.index))
        if clash:
            raise SiteSelectError(
                f"uploaded site ids already exist in the catalogue: {', '.join(clash)}"
            )
        sites = pd.concat([self.sites, extra.sites.to_crs(self.sites.crs)])
        merged = replace(
            self,
            sites=gpd.GeoDataFrame(sites, geometry="geometry", crs=self.sites.crs),
            indicators=pd.concat([self.indicators, extra.indicators], ignore_index=True),
            user_values=pd.concat([self.user_values, extra.user_values], ignore_index=True),
            sector_fit=pd.concat([self.sector_fit, extra.sector_fit], ignore_index=True),
            version=hashlib.sha256((self.version + extra.version).encode()).hexdigest()[:16],
        )
        if "geography" in self.__dict__ and len(extra.sites):
            merged.__dict__["geography"] = pd.concat([self.geography, extra.geography])
        return merged


def _read_csv_rows(
    path: Path, columns: Iterable[str], problems: list[Problem], text: str | None = None
) -> list[dict[str, str]]:
    """Rows of a CSV as dicts with a ``_line`` key; header problems are recorded."""
    name = str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            problems.append(Problem(name, None, None, f"cannot read file: {exc.strerror}"))
            return []
        except UnicodeDecodeError:
            problems.append(Problem(name, None, None, "not a UTF-8 text file"))
            return []
    # universal newlines: LF, CRLF and bare CR line endings all end a row
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        problems.append(Problem(name, 1, None, f"not a readable CSV header: {_csv_reason(exc)}"))
        return []
    missing = [c for c in columns if c not in header]
    if missing:
        shown = [h[:40] + ("…" if len(h) > 40 else "") for h in header[:10]]
        more = f" and {len(header) - 10} more" if len(header) > 10 else ""
        problems.append(
            Problem(
                name,
                1,
                None,
                f"missing column(s) {', '.join(missing)}; found {shown}{more}"
                + uploads.delimiter_hint(header),
            )
        )
        return []
    rows = []
    i = 1
    try:
        for i, row in enumerate(reader, start=2):
            if None in row:
                problems.append(Problem(name, i, None, "more values than header columns"))
                continue
            rows.append({"_line": str(i), **{k: (v or "").strip() for k, v in row.items()}})
    except csv.Error as exc:
        problems.append(Problem(name, i + 1, None, f"not readable as CSV: {_csv_reason(exc)}"))
    return rows


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit()} characters"
    return text


def _float(
    value: str, name: str, line: int, fld: str, problems: list[Problem], *, required: bool = True
) -> float | None:
    if value == "":
        if required:
            problems.append(Problem(name, line, fld, "value is missing"))
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append(Problem(name, line, fld, f"not a number: {value!r}"))
        return None
    if not math.isfinite(number):
        problems.append(Problem(name, line, fld, f"not a finite number: {value!r}"))
        return None
    return number


def _int_year(value: str, name: str, line: int, fld: str, problems: list[Problem]) -> int | None:
    if not re.fullmatch(r"(19|20)\d\d", value or ""):
        problems.append(Problem(name, line, fld, f"expected a 4-digit year; got {value!r}"))
        return None
    return int(value)


def _iso_date(
    value: str, name: str, line: int, fld: str, problems: list[Problem], *, required: bool = False
) -> dt.date | None:
    """An ISO date (YYYY-MM-DD); blank is allowed unless ``required``."""
    if not value:
        if required:
            problems.append(Problem(name, line, fld, "required date is missing (YYYY-MM-DD)"))
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        pass
    problems.append(Problem(name, line, fld, f"expected a date YYYY-MM-DD; got {value[:40]!r}"))
    return None


def load_indicators(paths: Iterable[Path]) -> pd.DataFrame:
    """Read indicator CSVs (long table) into one validated frame."""
    problems: list[Problem] = []
    records = []
    seen: dict[tuple[str, str], str] = {}
    for path in paths:
        name = str(path)
        for row in _read_csv_rows(path, INDICATOR_COLUMNS, problems):
            line = int(row["_line"])
            value = _float(row["value"], name, line, "value", problems)
            year = _int_year(row["year"], name, line, "year", problems)
            for fld in ("scope", "indicator", "unit", "source", "url"):
                if not row[fld]:
                    problems.append(Problem(name, line, fld, "required text is missing"))
            as_of = _iso_date(row["as_of"], name, line, "as_of", problems, required=True)
            until = _iso_date(row["valid_until"], name, line, "valid_until", problems)
            if as_of is not None and until is not None and until < as_of:
                problems.append(
                    Problem(
                        name,
                        line,
                        "valid_until",
                        f"{row['valid_until']} is before as_of {row['as_of']}",
                    )
                )
            key = (row["scope"], row["indicator"])
            if key in seen:
                problems.append(
                    Problem(name, line, "indicator", f"duplicate of {seen[key]} for {key}")
                )
            seen[key] = f"{path.name} line {line}"
            records.append(
                {
                    **{c: row[c] for c in INDICATOR_COLUMNS},
                    "value": value,
                    "year": year,
                    "file": "/".join(path.parts[-2:]),
                    "line": line,
                }
            )
    raise_if(problems)
    frame = pd.DataFrame.from_records(records, columns=[*INDICATOR_COLUMNS, "file", "line"])
    return frame.astype({"value": float})


def load_sector_fit(path: Path, site_ids: Iterable[str]) -> pd.DataFrame:
    problems: list[Problem] = []
    name = str(path)
    ids = set(site_ids)
    records = []
    seen: set[tuple[str, str]] = set()
    for row in _read_csv_rows(path, SECTOR_FIT_COLUMNS, problems):
        line = int(row["_line"])
        if row["site_id"] not in ids:
            problems.append(Problem(name, line, "site_id", f"unknown site {row['site_id']!r}"))
        fit = _float(row["fit"], name, line, "fit", problems, required=False)
        if fit is not None and (fit not in (0, 1, 2, 3)):
            problems.append(Problem(name, line, "fit", f"must be 0, 1, 2 or 3; got {row['fit']}"))
        if fit is not None:
            for fld in ("rationale", "source"):
                if not row[fld]:
                    problems.append(
                        Problem(name, line, fld, "a rating needs a rationale and source")
                    )
            _int_year(row["year"], name, line, "year", problems)
        key = (row["site_id"], row["sector"])
        if key in seen:
            problems.append(Problem(name, line, "sector", f"duplicate rating for {key}"))
        seen.add(key)
        records.append({**{c: row[c] for c in SECTOR_FIT_COLUMNS}, "fit": fit, "line": line})
    raise_if(problems)
    return pd.DataFrame.from_records(records, columns=[*SECTOR_FIT_COLUMNS, "line"])


def load_fx(path: Path) -> pd.DataFrame:
    problems: list[Problem] = []
    name = str(path)
    records = []
    for row in _read_csv_rows(path, FX_COLUMNS, problems):
        line = int(row["_line"])
        rate = _float(row["usd_per_unit"], name, line, "usd_per_unit", problems)
        if rate is not None and rate <= 0:
            problems.append(Problem(name, line, "usd_per_unit", "must be positive"))
        if not re.fullmatch(r"[A-Z]{3}", row["currency"]):
            problems.append(Problem(name, line, "currency", "expected an ISO 4217 code"))
        records.append({**{c: row[c] for c in FX_COLUMNS}, "usd_per_unit": rate})
    raise_if(problems)
    return pd.DataFrame.from_records(records, columns=list(FX_COLUMNS)).set_index("currency")


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError([Problem(name, None, None, f"cannot read file: {exc.strerror}")]) from None


MAX_TEXT = 200
"""Longest text a user's site file may give in one field (name, region, ids...)."""
TEXT_FIELDS = tuple(
    f for f in SITE_FIELDS[: SITE_FIELDS.index("coord_source")] if f != "gateway_note"
)  # site_id, name, country, region, region_code, locality, zone_regime, gateway_port, airport
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def served_countries(directory: Path = DATA_DIR) -> tuple[str, ...]:
    """The ISO 3166-1 alpha-3 codes the data release covers (one folder per country)."""
    return tuple(
        sorted(p.name for p in directory.iterdir() if p.is_dir() and ISO3.fullmatch(p.name))
    )


def _check_text_fields(
    props: dict[str, Any], name: str, row: int, problems: list[Problem]
) -> None:
    """Text fields must be text of at most :data:`MAX_TEXT` characters without control or
    bidirectional-override characters; an offending value is set to ``None``."""
    for fld in TEXT_FIELDS:
        value = props.get(fld)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(
                Problem(name, row, fld, f"must be text; got {type(value).__name__} {value!r:.40}")
            )
            props[fld] = None
            continue
        bad = sorted(
            {
                f"U+{ord(c):04X}"
                for c in value
                if unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI
            }
        )
        if bad:
            problems.append(
                Problem(name, row, fld, f"contains control characters ({', '.join(bad[:5])})")
            )
            props[fld] = None
        elif len(value) > MAX_TEXT:
            problems.append(
                Problem(name, row, fld, f"is {len(value)} characters long; at most {MAX_TEXT}")
            )
            props[fld] = None


def _check_countries(sites: gpd.GeoDataFrame, rows: list[int], name: str) -> list[Problem]:
    """Each site's country must be one the data serves, and its point must lie in it
    (within about 10 km of its outline, for a coastal site on a simplified coast)."""
    from siteselect import boundaries

    problems = []
    served = served_countries()
    located = boundaries.locate(sites.geometry)["country"]
    world = boundaries.countries().set_index("iso3")
    for (site_id, site), row in zip(sites.iterrows(), rows, strict=True):
        country = site["country"]
        if country not in served:
            problems.append(
                Problem(
                    name,
                    row,
                    "country",
                    f"no data for country {country!r}; this release covers {', '.join(served)}",
                )
            )
            continue
        found = located.loc[site_id]
        if not pd.isna(found) and found == country:
            continue
        near = (
            pd.isna(found)
            and country in world.index
            # degrees of WGS84 as a plain planar tolerance (0.1° is 11 km or less)
            and float(
                shapely.distance(world.geometry.loc[[country]].to_numpy(), site.geometry).min()
            )
            < 0.1
        )
        if not near:
            where = "at sea or outside every country" if pd.isna(found) else f"in {found}"
            problems.append(
                Problem(
                    name,
                    row,
                    "geometry",
                    f"the point (lat {site.geometry.y:.5f}, lon {site.geometry.x:.5f}) lies "
                    f"{where}, not in {country} (check the coordinates and the CRS)",
                )
            )
    return problems


def _check_site_row(
    props: Mapping[str, Any],
    lon: float | None,
    lat: float | None,
    name: str,
    row: int,
    problems: list[Problem],
    *,
    required: Iterable[str] = REQUIRED_SITE_FIELDS,
    site_id: re.Pattern[str] = SITE_ID,
) -> None:
    for fld in required:
        value = props.get(fld)
        if (
            value is None
            or (isinstance(value, str) and not value.strip())
            or (isinstance(value, float) and math.isnan(value))
        ):
            problems.append(Problem(name, row, fld, "required value is missing"))
    checks = (
        ("site_id", site_id, "expected an id like 'PH-CLARK-FZ' (letters, digits, dashes)"),
        ("country", ISO3, "expected an ISO 3166-1 alpha-3 code such as PHL, MEX, USA"),
        ("gateway_port", LOCODE, "expected a 5-character UN/LOCODE such as PHSFS"),
        ("airport", IATA, "expected a 3-letter IATA code"),
    )
    for fld, pattern, message in checks:
        value = props.get(fld)
        if isinstance(value, str) and value and not pattern.fullmatch(value):
            problems.append(Problem(name, row, fld, f"{message}; got {value!r}"))
    port = props.get("gateway_port")
    if isinstance(port, str) and LOCODE.fullmatch(port) and not geo.known_port(port):
        problems.append(Problem(name, row, "gateway_port", f"unknown seaport {port!r}"))
    airport = props.get("airport")
    if isinstance(airport, str) and IATA.fullmatch(airport) and not geo.known_airport(airport):
        problems.append(Problem(name, row, "airport", f"unknown airport {airport!r}"))
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        problems.append(Problem(name, row, "geometry", "missing or non-numeric coordinates"))
    else:
        if not -90 <= lat <= 90:
            problems.append(Problem(name, row, "lat", f"latitude {lat} outside -90..90"))
        if not -180 <= lon <= 180:
            problems.append(Problem(name, row, "lon", f"longitude {lon} outside -180..180"))


def _check_unique_ids(
    ids: list[Any], name: str, problems: list[Problem], rows: list[int] | None = None
) -> None:
    first: dict[Any, int] = {}
    for row, ident in zip(rows or range(1, len(ids) + 1), ids, strict=True):
        if ident in first and ident is not None:
            problems.append(
                Problem(
                    name,
                    row,
                    "site_id",
                    f"duplicate site id {ident!r} (first at row {first[ident]})",
                )
            )
        first.setdefault(ident, row)


def read_geo_file(path: Path, *, data: bytes | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON or GeoPackage as data only (see :mod:`siteselect.readers`), in WGS84.

    The reader is chosen by the file's declared extension alone; the bytes never reach GDAL,
    so no content can make the server open another file or a URL.
    """
    name = str(path)
    reader = readers.READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(
            [Problem(name, None, None, "unsupported file type; use .csv, .geojson or .gpkg")]
        )
    if data is None:
        data = _read_bytes(path, name)
    return reader(data, name, max_features=MAX_UPLOAD_SITES)


def load_sites(path: Path) -> gpd.GeoDataFrame:
    """Load the curated ``sites.geojson``."""
    name = str(path)
    frame = read_geo_file(path)
    problems: list[Problem] = []
    for row, (props, geom) in enumerate(
        zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True),
        start=1,
    ):
        ok = geom is not None and geom.geom_type == "Point"
        _check_site_row(props, geom.x if ok else None, geom.y if ok else None, name, row, problems)
    _check_unique_ids(frame.get("site_id", pd.Series(dtype=object)).tolist(), name, problems)
    raise_if(problems)
    for fld in SITE_FIELDS:
        if fld not in frame.columns:
            frame[fld] = None
    return frame[[*SITE_FIELDS, "geometry"]].set_index("site_id", drop=False).rename_axis(None)


def _check_scopes(indicators: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    """Every indicator row must apply to a site, a site's region or a site's country."""
    known = set(sites.index) | set(sites["region_code"].dropna()) | set(sites["country"].dropna())
    problems = [
        Problem(
            row.file,
            int(row.line),
            "scope",
            f"{row.scope!r} is not a site id, region code or country of any site",
        )
        for row in indicators.itertuples(index=False)
        if row.scope not in known
    ]
    raise_if(problems)


def _data_version(paths: Iterable[Path], release: str) -> str:
    """The release version plus a digest of every data file: any refresh changes it."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    short = digest.hexdigest()[:16]
    return f"{release}+{short[:8]}" if release else short


def data_files(base: Path, name: str) -> list[Path]:
    """``base/name`` (flat layout) and ``base/*/name`` (one folder per country), sorted."""
    return [p for p in [base / name, *sorted(base.glob(f"*/{name}"))] if p.exists()]


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """Load the curated catalogue from ``directory`` (default: the bundled ``data/``).

    A release keeps one folder per country (``PHL/``, ``MEX/``, ``USA/``, ``global/``),
    each with ``sites.geojson``, ``indicators.csv`` and ``sector_fit.csv``; a flat folder
    with those files (and ``site_indicators.csv``) at the top loads too.
    """
    base = Path(directory) if directory is not None else DATA_DIR
    site_files = data_files(base, "sites.geojson")
    if not site_files:
        raise DataError([Problem(str(base), None, None, "no sites.geojson found")])
    sites = _concat_sites([load_sites(p) for p in site_files], site_files)
    indicator_files = [
        *data_files(base, "indicators.csv"),
        *data_files(base, "site_indicators.csv"),
    ]
    indicators = load_indicators(indicator_files)
    _check_scopes(indicators, sites)
    fit_files = data_files(base, "sector_fit.csv")
    sector_fit = pd.concat([load_sector_fit(p, sites.index) for p in fit_files], ignore_index=True)
    fx = load_fx(base / "fx.csv")
    rel = load_release(base)
    files = [*site_files, *indicator_files, *fit_files, base / "fx.csv"]
    if rel.path is not None:
        files.append(rel.path)
    return Catalog(
        sites, indicators, sector_fit, fx, version=_data_version(files, rel.version), release=rel
    )


def _concat_sites(frames: list[gpd.GeoDataFrame], paths: list[Path]) -> gpd.GeoDataFrame:
    if len(frames) == 1:
        return frames[0]
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for frame, path in zip(frames, paths, strict=True):
        for sid in frame.index:
            if sid in first:
                problems.append(
                    Problem(str(path), None, "site_id", f"{sid!r} is also in {first[sid]}")
                )
            first.setdefault(sid, str(path))
    raise_if(problems)
    return gpd.GeoDataFrame(pd.concat(frames), geometry="geometry", crs=frames[0].crs)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")[:30] or "SITE"


def sites_from_file(
    path: str | Path,
    *,
    data: bytes | None = None,
    criteria: Iterable[str] = (),
    id_prefix: str = "USER",
) -> Catalog:
    """Read a user's candidate sites from CSV, GeoJSON or GeoPackage.

    Required: ``name``, ``country`` (ISO3) and a location (``lat``/``lon`` columns in a
    CSV; point geometries with a CRS otherwise). Optional: ``site_id``, ``region``,
    ``region_code``, ``locality``, ``zone_regime``, ``gateway_port`` (UN/LOCODE; the
    nearest port of searoute's list when absent), ``airport`` (IATA; the nearest airport
    when absent), and one column per criterion id giving its value directly.

    ``data`` lets a caller pass the file's bytes (an upload) instead of reading ``path``.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if data is None:
        data = _read_bytes(path, name)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"file is larger than the {MAX_UPLOAD_BYTES // 2**20} MiB limit",
                )
            ]
        )
    problems: list[Problem] = []
    criteria = list(criteria)
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError([Problem(name, None, None, "not a UTF-8 text file")]) from None
        rows = _read_csv_rows(Path(name), ("name", "lat", "lon", "country"), problems, text=text)
        raise_if(problems)
        records: list[dict[str, Any]] = []
        coords = []
        for csv_row in rows:
            line = int(csv_row["_line"])
            lat = _float(csv_row["lat"], name, line, "lat", problems)
            lon = _float(csv_row["lon"], name, line, "lon", problems)
            records.append({**csv_row, "_row": line})
            coords.append((lon, lat))
    elif suffix in (".geojson", ".json", ".gpkg"):
        frame = read_geo_file(Path(name), data=data)
        records = []
        coords = []
        for row, (props, geom) in enumerate(
            zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True),
            start=1,
        ):
            ok = geom is not None and not geom.is_empty and geom.geom_type == "Point"
            if geom is not None and not ok:
                problems.append(Problem(name, row, "geometry", "must be a point"))
            records.append({**props, "_row": row})
            coords.append((geom.x, geom.y) if ok else (None, None))
    else:
        raise DataError(
            [Problem(name, None, None, "unsupported file type; use .csv, .geojson or .gpkg")]
        )
    if len(records) > MAX_UPLOAD_SITES:
        raise DataError([Problem(name, None, None, f"more than {MAX_UPLOAD_SITES} sites")])
    if not records:
        raise DataError([Problem(name, None, None, "the file holds no sites")])

    out = []
    values = []
    for i, (rec, (lon, lat)) in enumerate(zip(records, coords, strict=True), start=1):
        row = rec["_row"]
        props = {
            k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()
        }
        props = {k: (v.strip() if isinstance(v, str) else v) for k, v in props.items()}
        props = {k: (None if v == "" else v) for k, v in props.items()}
        _check_text_fields(props, name, row, problems)
        if props.get("site_id") is None and props.get("name"):
            props["site_id"] = f"{id_prefix}{i}-{_slug(str(props['name']))}"[:40].rstrip("-")
        if isinstance(props.get("country"), str):
            props["country"] = props["country"].upper()
        props.setdefault("region", None)
        if props.get("region") is None:
            props["region"] = props.get("country")
        if props.get("site_id") is not None:
            props["site_id"] = str(props["site_id"])
        _check_site_row(
            props,
            lon,
            lat,
            name,
            row,
            problems,
            required=("site_id", "name", "country"),
            site_id=USER_SITE_ID,
        )
        for crit in criteria:
            raw = props.get(crit)
            if raw is None:
                continue
            value = _float(str(raw), name, row, crit, problems)
            if value is not None:
                values.append(
                    {
                        "site_id": props["site_id"],
                        "criterion": crit,
                        "value": value,
                        "source": f"user file {name}, row {row}",
                    }
                )
        out.append({**{f: props.get(f) for f in SITE_FIELDS}, "lon": lon, "lat": lat})
    _check_unique_ids(
        [r["site_id"] for r in out], name, problems, [int(r["_row"]) for r in records]
    )
    raise_if(problems)

    sites = (
        gpd.GeoDataFrame(
            [{k: v for k, v in r.items() if k not in ("lon", "lat")} for r in out],
            geometry=gpd.points_from_xy([r["lon"] for r in out], [r["lat"] for r in out]),
            crs="EPSG:4326",
        )
        .set_index("site_id", drop=False)
        .rename_axis(None)
    )
    raise_if(_check_countries(sites, [int(r["_row"]) for r in records], name))
    uploads.infer_regions(sites)  # so that regional indicators apply
    sites["status"] = sites["status"].fillna("user-supplied")
    missing_port = sites["gateway_port"].isna()
    if missing_port.any():
        codes, km = geo.nearest_port(sites[missing_port])
        sites.loc[missing_port, "gateway_port"] = codes
        sites.loc[missing_port, "gateway_note"] = [
            f"nearest port in searoute's list ({d:.0f} km), computed" for d in km
        ]
    missing_air = sites["airport"].isna()
    if missing_air.any():
        codes, _ = geo.nearest_airport(sites[missing_air])
        sites.loc[missing_air, "airport"] = codes
    user_values = pd.DataFrame(values, columns=["site_id", "criterion", "value", "source"])
    empty_ind = pd.DataFrame(columns=[*INDICATOR_COLUMNS, "file", "line"]).astype({"value": float})
    empty_fit = pd.DataFrame(columns=[*SECTOR_FIT_COLUMNS, "line"])
    version = hashlib.sha256(data).hexdigest()[:16]
    return Catalog(sites, empty_ind, empty_fit, pd.DataFrame(), user_values, version)


def resolve_indicator(
    catalog: Catalog, indicator: str, site_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """The indicator row that applies to each site: site id > region code > country.

    Returns a frame indexed by site id with the indicator's columns plus ``scope_level``
    (``site``, ``region`` or ``country``); sites with no value get NaN rows.
    """
    sites = catalog.sites if site_ids is None else catalog.sites.loc[list(site_ids)]
    rows = catalog.indicators[catalog.indicators["indicator"] == indicator].set_index("scope")
    out = []
    for sid, region, country in zip(
        sites.index, sites["region_code"], sites["country"], strict=True
    ):
        found: dict[str, Any] = {"scope_level": None}
        for level, scope in (("site", sid), ("region", region), ("country", country)):
            if scope is not None and scope in rows.index:
                found = {**rows.loc[scope].to_dict(), "scope": scope, "scope_level": level}
                break
        out.append(found)
    frame = pd.DataFrame(out, index=sites.index)
    for col in (*INDICATOR_COLUMNS, "scope_level"):
        if col not in frame.columns:
            frame[col] = np.nan
    return frame
