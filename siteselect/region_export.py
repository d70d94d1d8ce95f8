"""Exports of a region screen: GeoParquet (top cells or areas) and GeoTIFF (the score raster).

Both are written in the grid's own CRS, EPSG:6933 (WGS 84 / NSIDC EASE-Grid 2.0 Global,
equal-area), so a cell of the GeoParquet file is exactly a pixel of the GeoTIFF.

- :func:`write_geoparquet`: one row per top cell (or contiguous area) with its square
  outline as the geometry, the CRS in the file's GeoParquet metadata, and the screen's
  method, sector, data version, notes and layer provenance as file metadata (JSON under the
  ``siteselect`` key).
- :func:`write_geotiff`: the score of every cell as a float64 band (NaN = outside the area
  or excluded, also the nodata value), the grid's geotransform, band description and tags
  for the method, sector, markets and data version. A Dask array is written chunk by chunk
  as each chunk is computed (``dask.array.store`` on the local threaded scheduler, a lock
  around the writer), so memory stays bounded by the chunk size, not the region size.
- :func:`write` chooses one of the two by the path's suffix (what ``screen-region --out``
  calls).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteselect.errors import SiteSelectError
from siteselect.region import EQUAL_AREA, GridInfo, ScreenResult

#: GeoTIFF tile size (pixels); Dask chunks are aligned to whole tiles before writing
TILE = 256
#: rows (in tiles) and columns (in tiles) of one write when the scores are a Dask array
WRITE_TILES = (4, 16)
SUFFIXES = {
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".tif": "GeoTIFF",
    ".tiff": "GeoTIFF",
}
METADATA_KEY = b"siteselect"


def data_version(result: ScreenResult) -> str:
    """The data release the screen used (the bundled release when the result does not say)."""
    given = getattr(result, "data_version", None)
    if given:
        return str(given)
    from siteselect.catalog import DATA_DIR
    from siteselect.release import load_release

    return load_release(DATA_DIR).version


def describe(result: ScreenResult) -> dict[str, Any]:
    """What produced ``result``: method, sector, profile, markets, grid, data and layers."""
    spec = result.spec
    return {
        "method": result.method,
        "sector": spec.sector,
        "profile": spec.profile,
        "markets": dict(spec.markets or {}),
        "missing": spec.missing,
        "site_evidence": spec.site_evidence,
        "cell_km": float(spec.cell_km),
        "crs": f"EPSG:{EQUAL_AREA}",
        "n_cells": int(result.n_cells),
        "n_excluded": {str(k): int(v) for k, v in result.n_excluded.items()},
        "data_version": data_version(result),
        "weights": {str(k): float(v) for k, v in result.weights.items()},
        "layers": {str(k): _jsonable(v) for k, v in result.layers.items()},
        "notes": [str(n) for n in result.notes],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def cell_outlines(grid: GridInfo, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Square outlines (EPSG:6933 shapely polygons) of raster cells ``(r, c)`` of ``grid``.

    >>> g = GridInfo(6933, 0.0, 2000.0, 1000.0, 2, 2, 0, 1)
    >>> cell_outlines(g, np.array([1]), np.array([0]))[0].bounds
    (0.0, 0.0, 1000.0, 1000.0)
    """
    r = np.asarray(r, dtype=float)
    c = np.asarray(c, dtype=float)
    x0 = grid.x0 + c * grid.cell_m
    y1 = grid.y0 - r * grid.cell_m
    return np.asarray(shapely.box(x0, y1 - grid.cell_m, x0 + grid.cell_m, y1))


def cells_frame(result: ScreenResult) -> gpd.GeoDataFrame:
    """The top cells of ``result`` with their square outlines as geometry (EPSG:6933)."""
    top = result.top
    missing = [c for c in ("row", "col", "score", "rank") if c not in top.columns]
    if missing:
        raise SiteSelectError(f"the screen's top cells lack the columns {', '.join(missing)}")
    columns = pd.DataFrame(top.drop(columns=top.geometry.name, errors="ignore"))
    outlines = cell_outlines(result.grid, top["row"].to_numpy(), top["col"].to_numpy())
    return gpd.GeoDataFrame(columns, geometry=outlines, crs=EQUAL_AREA)


def areas_frame(result: ScreenResult) -> gpd.GeoDataFrame:
    """The contiguous areas of ``result`` in EPSG:6933 (an error when none were asked for)."""
    if result.areas is None:
        raise SiteSelectError(
            "this screen found no contiguous areas: set min_area_cells to ask for them"
        )
    areas = result.areas
    return areas if areas.crs is None else areas.to_crs(EQUAL_AREA)


def write_geoparquet(result: ScreenResult, path: str | Path, *, what: str = "cells") -> Path:
    """Write the top ``cells`` (or the contiguous ``areas``) of ``result`` as GeoParquet."""
    import pyarrow.parquet as pq

    if what not in ("cells", "areas"):
        raise SiteSelectError(f"what must be 'cells' or 'areas'; got {what!r}")
    frame = cells_frame(result) if what == "cells" else areas_frame(result)
    out = Path(path)
    frame.to_parquet(out, index=False)
    table = pq.read_table(out)
    meta = dict(table.schema.metadata or {})
    meta[METADATA_KEY] = json.dumps({"content": what, **describe(result)}).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), out)
    return out


class _BandWriter:
    """A ``dask.array.store`` target: each ``[rows, cols]`` assignment writes one window."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def __setitem__(self, key: tuple[slice, slice], value: np.ndarray) -> None:
        from rasterio.windows import Window

        rows, cols = key
        window = Window(cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)
        self.dataset.write(np.asarray(value, dtype=np.float64), 1, window=window)


def write_geotiff(result: ScreenResult, path: str | Path) -> Path:
    """Write the score raster of ``result`` as a tiled, deflate-compressed GeoTIFF."""
    import rasterio
    from affine import Affine

    grid = result.grid
    scores = result.scores
    if tuple(scores.shape) != (grid.n_rows, grid.n_cols):
        raise SiteSelectError(
            f"the score raster is {tuple(scores.shape)}, not the grid's "
            f"({grid.n_rows}, {grid.n_cols})"
        )
    about = describe(result)
    profile = {
        "driver": "GTiff",
        "width": grid.n_cols,
        "height": grid.n_rows,
        "count": 1,
        "dtype": "float64",
        "crs": f"EPSG:{grid.crs}",
        "transform": Affine.from_gdal(*grid.transform),
        "nodata": math.nan,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": TILE,
        "blockysize": TILE,
        "BIGTIFF": "IF_SAFER",
    }
    out = Path(path)
    with rasterio.Env(GDAL_PAM_ENABLED=False), rasterio.open(out, "w", **profile) as dst:
        dst.set_band_description(1, f"suitability score ({about['method']})")
        dst.update_tags(
            method=about["method"],
            sector=about["sector"],
            profile=about["profile"],
            markets=json.dumps(about["markets"]),
            cell_km=str(about["cell_km"]),
            data_version=about["data_version"],
            software="siteselect",
            nodata="NaN: outside the area or excluded",
        )
        if isinstance(scores, np.ndarray):
            step = TILE * WRITE_TILES[0]
            for start in range(0, grid.n_rows, step):
                stop = min(start + step, grid.n_rows)
                _BandWriter(dst)[slice(start, stop), slice(0, grid.n_cols)] = scores[start:stop]
        else:
            import dask.array as da

            aligned = scores.rechunk((TILE * WRITE_TILES[0], TILE * WRITE_TILES[1]))
            target: Any = _BandWriter(dst)  # any object with __setitem__ is a store target
            da.store(aligned, target, lock=threading.Lock(), scheduler="threads")
    return out


def to_bytes(result: ScreenResult, suffix: str) -> bytes:
    """The bytes :func:`write` would write to a file ending in ``suffix`` (for downloads)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return write(result, Path(tmp) / f"screen{suffix}").read_bytes()


def write(result: ScreenResult, path: str | Path) -> Path:
    """Write ``result`` to ``path``: GeoParquet for ``.parquet``, GeoTIFF for ``.tif``."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(f"{s} ({k})" for s, k in SUFFIXES.items())
        raise SiteSelectError(f"--out {Path(path).name!r}: the suffix must be one of {known}")
    if SUFFIXES[suffix] == "GeoTIFF":
        return write_geotiff(result, path)
    return write_geoparquet(result, path)
