"""User layers for region screening: GeoTIFF rasters and vector zones (issue 14).

A layer is sampled at the centres of a screen's cells (and at the listed candidates), then
enters the screen through a :class:`~siteselect.region.LayerRule`: as an extra criterion
with an objective, a weight and a value function, or as an exclusion.

User files are data. A raster must be a GeoTIFF: its first bytes are checked for the TIFF or
BigTIFF signature by Python before GDAL sees the file, and GDAL then opens it with the GTiff
driver only (so an XML VRT, which can open other files or URLs, is never parsed), with
sibling files ignored (no ``.aux.xml``, ``.ovr``, ``.msk``, world or ``.tab`` file is read),
the georeferencing taken from the TIFF's own tags, and no virtual file system or network
access reachable. A vector layer is read by :mod:`siteselect.readers` (GeoJSON by the JSON
parser, GeoPackage by SQLite), never by GDAL.

Sampling is lazy and nearest-cell: a point takes the value of the raster pixel that holds it
(no resampling), read from the windows that the points of one chunk touch; NaN where the
raster has no data (its nodata value or mask) or where the point lies outside it. A vector
layer gives 1.0 inside any of its polygons and 0.0 outside, or, with ``field``, the largest
value of that numeric property among the polygons that hold the point (NaN outside).

Every layer records its provenance like an indicator: the file name and its SHA-256, and
the source, year, as-of date and URL the user gives; without a source it is marked as a
user assumption.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from siteselect import readers
from siteselect.criteria import LINEAR, ValueFunction, parse_value_function
from siteselect.errors import DataError, Problem, SiteSelectError
from siteselect.region import LayerRule

if TYPE_CHECKING:
    import rasterio.io

TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
USER_ASSUMPTION = "user assumption"
MAX_VECTOR_FEATURES = 100_000
MAX_UPLOAD_BYTES = 200 * 2**20
#: a chunk's points are read in one window when it spans at most this many pixels; past
#: that, block by block (only the raster blocks that hold points are read)
MAX_WINDOW_PIXELS = 4_000_000
#: GDAL settings in force while a user raster is open (see the module docstring)
GDAL_OPTIONS: dict[str, str | bool | int] = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",  # no sibling file is listed or read
    "GDAL_PAM_ENABLED": False,  # no .aux.xml read or written
    "GDAL_GEOREF_SOURCES": "INTERNAL",  # georeferencing from the TIFF tags only
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".siteselect-no-network",
    "GDAL_HTTP_MAX_RETRY": 0,
    "GDAL_CACHEMAX": 64,  # MB of block cache per process
}


def _fail(name: str, message: str, field: str | None = None, row: int | None = None) -> DataError:
    return DataError([Problem(name, row, field, message)])


def layer_provenance(
    kind: str,
    file: str,
    sha256: str,
    *,
    source: str | None = None,
    year: int | None = None,
    as_of: str | dt.date | None = None,
    url: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A layer's provenance record (the fields an indicator row carries, plus the file).

    >>> p = layer_provenance("raster", "flood.tif", "ab" * 32)
    >>> p["source"], p["user_assumption"]
    ('user assumption', True)
    """
    problems: list[Problem] = []
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        problems.append(Problem(file, None, "year", f"must be a whole year; got {year!r}"))
    when: str | None = None
    if isinstance(as_of, dt.date):
        when = as_of.isoformat()
    elif as_of is not None:
        try:
            when = dt.date.fromisoformat(str(as_of)).isoformat()
        except ValueError:
            problems.append(
                Problem(file, None, "as_of", f"must be a date YYYY-MM-DD; got {str(as_of)[:40]!r}")
            )
    if problems:
        raise DataError(problems)
    given = bool(source and source.strip())
    return {
        "kind": kind,
        "file": file,
        "sha256": sha256,
        "source": source.strip() if given and source else USER_ASSUMPTION,
        "user_assumption": not given,
        "year": year,
        "as_of": when,
        "url": url or "",
        "note": note or "",
    }


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_tiff_signature(path: str | os.PathLike[str]) -> Path:
    """The real path of a local file that starts with a TIFF or BigTIFF signature.

    Raises a :class:`~siteselect.errors.DataError` naming the file otherwise, before any
    GDAL code sees it (a VRT or any other format disguised as ``.tif`` stops here).
    """
    raw = os.fspath(path)
    name = Path(raw).name or raw
    if raw.startswith("/vsi") or "://" in raw:
        raise _fail(name, "a raster layer must be a local file, not a URL or virtual path")
    real = Path(raw).resolve()
    try:
        with real.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise _fail(name, f"cannot read file: {exc.strerror or exc}") from None
    if head not in TIFF_SIGNATURES:
        raise _fail(name, "not a GeoTIFF: the file does not start with a TIFF signature")
    return real


@contextmanager
def _gdal() -> Iterator[None]:
    import rasterio

    with rasterio.Env(**GDAL_OPTIONS):
        yield


@contextmanager
def open_geotiff(path: Path, name: str) -> Iterator[rasterio.io.DatasetReader]:
    """``path`` (checked by :func:`check_tiff_signature` first) open with GTiff only, under
    :data:`GDAL_OPTIONS`; a file GDAL cannot read raises a DataError naming ``name``."""
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

    with _gdal(), warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            dataset = rasterio.open(path, driver="GTiff", GEOREF_SOURCES="INTERNAL")
        except RasterioIOError as exc:
            raise _fail(name, f"cannot read as GeoTIFF: {str(exc)[:160]}") from None
        with dataset:
            yield dataset


class RasterLayer:
    """One band of a user GeoTIFF, sampled lazily at WGS84 points.

    Build it with :meth:`open`. The object holds the file's path and metadata only (it is
    picklable, so Dask workers can sample it); each :meth:`sample` call opens the file.
    """

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        band: int,
        crs_wkt: str,
        transform: tuple[float, ...],
        shape: tuple[int, int],
        block: tuple[int, int],
        provenance: Mapping[str, Any],
    ) -> None:
        self.path = path
        self.name = name
        self.band = band
        self.crs_wkt = crs_wkt
        self.transform = transform
        self.shape = shape
        self.block = block
        self.provenance = dict(provenance)
        self._transformer: Transformer | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        name: str,
        band: int = 1,
        source: str | None = None,
        year: int | None = None,
        as_of: str | dt.date | None = None,
        url: str | None = None,
        note: str | None = None,
        file_name: str | None = None,
    ) -> RasterLayer:
        """Check and open a GeoTIFF (see the module docstring); ``file_name`` is the name
        shown in messages and provenance (the upload's name; the path's name otherwise).

        Refused, with a :class:`~siteselect.errors.DataError` naming the file: a file that
        is not a TIFF, a TIFF that GDAL's GTiff driver cannot read, one with no
        geotransform (not georeferenced, or by ground control points only), no or an
        unknown CRS, a band that does not exist, or one that draws on other files.
        """
        shown = file_name or Path(os.fspath(path)).name
        _check_name(name, shown)
        real = check_tiff_signature(path)
        with open_geotiff(real, shown) as ds:
            problems: list[str] = []
            if ds.transform.is_identity or ds.transform.determinant == 0:
                how = " (it has ground control points only)" if ds.gcps[0] else ""
                problems.append("the raster is not georeferenced: it has no geotransform" + how)
            if ds.crs is None or not ds.crs.to_wkt():
                problems.append("the raster has no coordinate reference system (CRS)")
            others = [f for f in ds.files if Path(f).resolve() != real]
            if others:
                problems.append("the raster draws on other files, which is not allowed")
            if not 1 <= band <= ds.count:
                problems.append(f"band {band} does not exist (the raster has {ds.count})")
            if problems:
                raise DataError([Problem(shown, None, None, p) for p in problems])
            wkt = ds.crs.to_wkt()
            try:
                crs = CRS.from_wkt(wkt)
            except Exception:
                raise _fail(shown, "the raster's CRS is not one PROJ knows", "crs") from None
            if not (crs.is_geographic or crs.is_projected):
                raise _fail(shown, "the raster's CRS is neither geographic nor projected", "crs")
            a = ds.transform
            block = tuple(int(v) for v in ds.block_shapes[band - 1])
            shape = (int(ds.height), int(ds.width))
        provenance = layer_provenance(
            "raster",
            shown,
            _sha256_file(real),
            source=source,
            year=year,
            as_of=as_of,
            url=url,
            note=note,
        )
        provenance.update(band=band, crs=crs.to_string(), pixel_size=(abs(a.a), abs(a.e)))
        return cls(
            real,
            name=name,
            band=band,
            crs_wkt=wkt,
            transform=(a.a, a.b, a.c, a.d, a.e, a.f),
            shape=(shape[0], shape[1]),
            block=(block[0], block[1]),
            provenance=provenance,
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_transformer"] = None  # rebuilt on first use in the process that samples
        return state

    def __repr__(self) -> str:
        return f"RasterLayer({self.name!r}, {self.provenance['file']!r}, band={self.band})"

    def _to_raster(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) pixel coordinates of WGS84 points."""
        if self._transformer is None:
            self._transformer = Transformer.from_crs(
                "EPSG:4326", CRS.from_wkt(self.crs_wkt), always_xy=True
            )
        with np.errstate(all="ignore"):
            x, y = self._transformer.transform(lon, lat, errcheck=False)
        a, b, c, d, e, f = self.transform
        det = a * e - b * d
        x = np.asarray(x, dtype=float) - c
        y = np.asarray(y, dtype=float) - f
        return (a * y - d * x) / det, (e * x - b * y) / det

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Values at WGS84 points (float64; NaN for nodata and outside the raster)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        out = np.full(lon.shape, np.nan)
        if lon.size == 0:
            return out
        fr, fc = self._to_raster(lon.ravel(), lat.ravel())
        height, width = self.shape
        ok = np.isfinite(fr) & np.isfinite(fc)
        ok &= (fr >= 0) & (fr < height) & (fc >= 0) & (fc < width)
        if not ok.any():
            return out
        idx = np.flatnonzero(ok)
        rows = np.floor(fr[idx]).astype(np.int64)
        cols = np.floor(fc[idx]).astype(np.int64)
        flat = out.reshape(-1)
        with open_geotiff(self.path, str(self.provenance["file"])) as ds:
            scale = float(ds.scales[self.band - 1])
            offset = float(ds.offsets[self.band - 1])
            r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
            if (r1 - r0) * (c1 - c0) <= MAX_WINDOW_PIXELS:
                groups = [(np.arange(idx.size), (r0, r1, c0, c1))]
            else:
                groups = list(_by_block(rows, cols, self.block, self.shape))
            for members, (wr0, wr1, wc0, wc1) in groups:
                data = _read(ds, self.band, wr0, wr1, wc0, wc1)
                flat[idx[members]] = data[rows[members] - wr0, cols[members] - wc0]
        return out * scale + offset


def _by_block(
    rows: np.ndarray, cols: np.ndarray, block: tuple[int, int], shape: tuple[int, int]
) -> Iterator[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """(members, window) for each raster block that holds at least one point."""
    bh, bw = block
    key = (rows // bh) * (shape[1] // bw + 1) + cols // bw
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    for members in np.split(order, bounds):
        r0 = int(rows[members[0]] // bh * bh)
        c0 = int(cols[members[0]] // bw * bw)
        yield members, (r0, min(r0 + bh, shape[0]), c0, min(c0 + bw, shape[1]))


def _read(
    ds: rasterio.io.DatasetReader, band: int, r0: int, r1: int, c0: int, c1: int
) -> np.ndarray:
    from rasterio.windows import Window

    masked = ds.read(band, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True)
    return np.ma.filled(masked.astype(np.float64), np.nan)


def _check_name(name: str, file: str) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > 60:
        raise _fail(file, "a layer needs a name of 1 to 60 characters", "name")
    if any(ch in name for ch in ":\n\r\t"):
        raise _fail(file, "a layer's name may not hold ':' or line breaks", "name")


class VectorLayer:
    """Polygons of a user GeoJSON or GeoPackage (zones, protected areas, masks).

    :meth:`sample` gives 1.0 inside any polygon (its boundary included) and 0.0 outside;
    with ``field``, the largest value of that numeric property among the polygons that hold
    the point, and NaN outside them all.
    """

    def __init__(
        self,
        geometries: np.ndarray,
        values: np.ndarray | None,
        *,
        name: str,
        field: str | None,
        provenance: Mapping[str, Any],
    ) -> None:
        self.geometries = geometries
        self.values = values
        self.name = name
        self.field = field
        self.provenance = dict(provenance)
        self._tree: shapely.STRtree | None = None

    @classmethod
    def open(
        cls,
        source: str | os.PathLike[str] | bytes,
        *,
        name: str,
        file_name: str | None = None,
        field: str | None = None,
        source_text: str | None = None,
        year: int | None = None,
        as_of: str | dt.date | None = None,
        url: str | None = None,
        note: str | None = None,
    ) -> VectorLayer:
        """Read a GeoJSON (``.geojson``/``.json``) or GeoPackage (``.gpkg``) of polygons.

        ``source`` is a path or the file's bytes (then ``file_name`` names it and its
        suffix chooses the parser). ``source_text`` is the data's source (its publisher or
        publication) for the provenance record.
        """
        if isinstance(source, bytes):
            if not file_name:
                raise SiteSelectError("a vector layer given as bytes needs its file_name")
            data, shown = source, file_name
        else:
            shown = file_name or Path(os.fspath(source)).name
            try:
                data = Path(os.fspath(source)).read_bytes()
            except OSError as exc:
                raise _fail(shown, f"cannot read file: {exc.strerror or exc}") from None
        _check_name(name, shown)
        reader = readers.READERS.get(Path(shown).suffix.lower())
        if reader is None:
            raise _fail(
                shown, f"a vector layer must be one of {', '.join(sorted(readers.READERS))}"
            )
        frame = reader(data, shown, max_features=MAX_VECTOR_FEATURES)
        problems: list[Problem] = []
        geoms = frame.geometry.to_numpy()
        for i, geom in enumerate(geoms, start=1):
            if geom is None or geom.is_empty:
                problems.append(Problem(shown, i, "geometry", "the feature has no geometry"))
            elif geom.geom_type not in ("Polygon", "MultiPolygon"):
                problems.append(
                    Problem(
                        shown, i, "geometry", f"a zone must be a polygon; got {geom.geom_type}"
                    )
                )
        values: np.ndarray | None = None
        if field is not None:
            if field not in frame.columns or field == frame.geometry.name:
                props = ", ".join(c for c in frame.columns if c != frame.geometry.name)
                raise _fail(shown, f"no property {field!r}; properties: {props or 'none'}", field)
            values = np.full(len(frame), np.nan)
            for i, raw in enumerate(frame[field].tolist(), start=1):
                number = (
                    raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
                )
                if number is None or not math.isfinite(number):
                    problems.append(Problem(shown, i, field, f"must be a number; got {raw!r}"))
                else:
                    values[i - 1] = float(number)
        if not len(frame):
            problems.append(Problem(shown, None, None, "the layer has no features"))
        if problems:
            raise DataError(problems)
        valid = shapely.make_valid(geoms.astype(object))
        provenance = layer_provenance(
            "vector",
            shown,
            hashlib.sha256(data).hexdigest(),
            source=source_text,
            year=year,
            as_of=as_of,
            url=url,
            note=note,
        )
        provenance.update(features=len(frame), field=field)
        return cls(valid, values, name=name, field=field, provenance=provenance)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_tree"] = None  # rebuilt on first use in the process that samples
        return state

    def __repr__(self) -> str:
        return f"VectorLayer({self.name!r}, {self.provenance['file']!r}, field={self.field!r})"

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Values at WGS84 points (float64): see the class docstring."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        if self._tree is None:
            self._tree = shapely.STRtree(self.geometries)
        points = shapely.points(lon.ravel(), lat.ravel())
        hit_point, hit_geom = self._tree.query(points, predicate="intersects")
        if self.values is None:
            out = np.zeros(points.shape)
            out[hit_point] = 1.0
        else:
            out = np.full(points.shape, -np.inf)
            np.maximum.at(out, hit_point, self.values[hit_geom])
            out[np.isneginf(out)] = np.nan
        return out.reshape(lon.shape)


def open_layer(path: str | os.PathLike[str], *, name: str, **options: Any) -> Any:
    """A :class:`RasterLayer` for ``.tif``/``.tiff``, a :class:`VectorLayer` otherwise."""
    suffix = Path(os.fspath(path)).suffix.lower()
    if suffix in (".tif", ".tiff"):
        return RasterLayer.open(path, name=name, **options)
    source = options.pop("source", None)
    return VectorLayer.open(path, name=name, source_text=source, **options)


def layer_from_upload(
    file_name: str, data: bytes, *, directory: str | os.PathLike[str], name: str, **options: Any
) -> Any:
    """A layer from an upload's bytes: a raster is stored as ``<sha256><suffix>`` in
    ``directory`` (a folder of the caller's; the user's file name never becomes a path) and
    opened from there; a vector layer is parsed from the bytes directly."""
    suffix = Path(file_name).suffix.lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise _fail(file_name, f"file is larger than the {MAX_UPLOAD_BYTES // 2**20} MiB limit")
    if suffix not in (".tif", ".tiff"):
        source = options.pop("source", None)
        return VectorLayer.open(
            data, name=name, file_name=file_name, source_text=source, **options
        )
    digest = hashlib.sha256(data).hexdigest()
    target = Path(directory) / f"{digest}{suffix}"
    if not target.exists():
        target.write_bytes(data)
    return RasterLayer.open(target, name=name, file_name=file_name, **options)


_LAYER_KEYS = {
    "file",
    "name",
    "band",
    "field",
    "source",
    "year",
    "as_of",
    "url",
    "note",
    "exclude_if",
    "reason",
    "criterion",
}
_CRITERION_KEYS = {"group", "weight", "objective", "value_function"}


def load_layer_rules(path: str | os.PathLike[str]) -> tuple[LayerRule, ...]:
    """The layer rules of a YAML layers file (what ``screen-region --layers FILE`` reads).

    ``layers:`` is a list; each item names a ``file`` (relative to the YAML file's folder),
    a ``name``, optionally ``band`` (rasters), ``field`` (vector property), ``source``,
    ``year``, ``as_of``, ``url``, ``note``, and either ``exclude_if`` (``[">", 0.5]``,
    ``inside`` or ``outside``) with a ``reason``, or ``criterion:`` with ``group``,
    ``weight``, ``objective`` and an optional ``value_function`` in criteria.yaml's form.
    Problems are reported together, each naming the file, the item (row) and the field.
    """
    import yaml

    base = Path(os.fspath(path))
    shown = base.name
    try:
        doc = yaml.safe_load(base.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(shown, f"cannot read file: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _fail(shown, f"cannot read as YAML: {str(exc)[:160]}") from None
    items = doc.get("layers") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise _fail(shown, "needs a non-empty list 'layers'", "layers")
    problems: list[Problem] = []
    rules: list[LayerRule] = []
    for row, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(shown, row, None, "each layer must be a mapping"))
            continue
        unknown = sorted(set(map(str, item)) - _LAYER_KEYS)
        for key in unknown:
            problems.append(Problem(shown, row, key, "unknown field"))
        for key in ("file", "name"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(Problem(shown, row, key, "required text is missing"))
        has_rule = ("exclude_if" in item) + ("criterion" in item)
        if has_rule != 1:
            problems.append(
                Problem(shown, row, None, "give exactly one of 'exclude_if' or 'criterion'")
            )
        if (
            unknown
            or has_rule != 1
            or not all(isinstance(item.get(k), str) for k in ("file", "name"))
        ):
            continue
        options = {k: item[k] for k in ("source", "year", "as_of", "url", "note") if k in item}
        if "band" in item:
            options["band"] = item["band"]
        if "field" in item:
            options["field"] = item["field"]
        try:
            layer = open_layer(base.parent / item["file"], name=item["name"], **options)
            if "criterion" in item:
                crit = item["criterion"]
                if not isinstance(crit, dict) or set(map(str, crit)) - _CRITERION_KEYS:
                    raise _fail(
                        shown, f"a mapping of {', '.join(sorted(_CRITERION_KEYS))}", "criterion"
                    )
                rules.append(
                    criterion_rule(
                        layer,
                        group=crit.get("group", ""),
                        weight=crit.get("weight", 0.0),
                        objective=crit.get("objective", ""),
                        value_function=crit.get("value_function"),
                    )
                )
            else:
                rule = item["exclude_if"]
                rules.append(
                    exclusion_rule(
                        layer,
                        exclude_if=tuple(rule) if isinstance(rule, list) else rule,
                        reason=str(item.get("reason") or ""),
                    )
                )
        except DataError as exc:
            problems.extend(exc.problems)
        except (SiteSelectError, TypeError) as exc:
            problems.append(Problem(shown, row, None, str(exc)))
    if problems:
        raise DataError(problems)
    return tuple(rules)


def criterion_rule(
    layer: Any,
    *,
    group: str,
    weight: float,
    objective: str,
    value_function: ValueFunction | Mapping[str, Any] | None = None,
) -> LayerRule:
    """A rule adding ``layer`` as the criterion ``layer:<name>`` of ``group``.

    ``value_function`` is a :class:`~siteselect.criteria.ValueFunction` or a mapping in the
    form criteria.yaml uses (e.g. ``{"kind": "piecewise", "points": [[0, 1], [2, 0]],
    "why": "..."}``).
    """
    vf = LINEAR
    if isinstance(value_function, ValueFunction):
        vf = value_function
    elif value_function is not None:
        problems: list[Problem] = []
        vf = parse_value_function(
            dict(value_function),
            str(layer.provenance.get("file", layer.name)),
            None,
            "value_function",
            problems,
        )
        if problems:
            raise DataError(problems)
    return LayerRule(
        layer,
        "criterion",
        group=group,
        weight=weight,
        objective=objective,  # type: ignore[arg-type]
        value_function=vf,
    )


def exclusion_rule(layer: Any, *, exclude_if: tuple[str, float] | str, reason: str) -> LayerRule:
    """A rule removing the cells (and candidates) where ``layer`` meets ``exclude_if``:
    ``(op, threshold)`` such as ``(">", 0.5)``, or ``"inside"`` / ``"outside"`` a mask."""
    return LayerRule(layer, "exclusion", exclude_if=exclude_if, reason=reason)
