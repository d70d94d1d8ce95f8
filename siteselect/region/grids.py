"""Region screening, first piece: the grid of cells over an area (issue 14).

Cells are squares of ``cell_km`` on a side in an equal-area projection, EPSG:6933 (WGS 84 /
NSIDC EASE-Grid 2.0 Global, cylindrical equal-area), chosen over H3 because every cell then
has the same area (H3 cells of one resolution vary in area) and a grid maps one-to-one onto
a GeoTIFF raster for export. The grid is anchored at the projection's origin, so the same
``cell_km`` gives the same cells whatever area is asked for. A cell belongs to the area when
its centre lies inside it.

For large areas :func:`grid_frame` and :func:`band_cells` give the grid as a raster frame
(:class:`~siteselect.region.layers_api.GridInfo`) and the cells of one band of raster rows at
a time, so no caller needs every cell in memory; :func:`grid` materialises all of them (small
areas, tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from siteselect import boundaries
from siteselect.errors import SiteSelectError

EQUAL_AREA = 6933
MAX_CELLS = 10_000_000

Area: TypeAlias = str | tuple[float, float, float, float] | shapely.Geometry


def area_geometry(area: Area) -> shapely.Geometry:
    """The outline (WGS84) of a country (ISO 3166-1 alpha-3), a region (ISO 3166-2), a bbox
    ``(min_lon, min_lat, max_lon, max_lat)`` or a shapely geometry given in WGS84.

    >>> area_geometry((120.0, 14.0, 121.0, 15.0)).bounds
    (120.0, 14.0, 121.0, 15.0)
    """
    if isinstance(area, str):
        code = area.strip().upper()
        world = boundaries.countries()
        if code in set(world["iso3"].dropna()):
            return shapely.union_all(world.geometry[world["iso3"] == code].to_numpy())
        regions = boundaries.regions()
        match = regions.geometry[regions["region_code"] == code]
        if len(match) == 0:
            known = ", ".join(sorted(boundaries.REGION_COUNTRIES))
            raise SiteSelectError(
                f"area {area!r} is neither a country code (ISO 3166-1 alpha-3) nor a "
                f"first-level region code (ISO 3166-2) of {known}"
            )
        return match.iloc[0]
    if isinstance(area, tuple):
        if len(area) != 4 or not all(isinstance(v, int | float) for v in area):
            raise SiteSelectError(f"a bbox is (min_lon, min_lat, max_lon, max_lat); got {area!r}")
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in area)
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            raise SiteSelectError(
                f"bbox {area!r} must have -180 <= min_lon < max_lon <= 180 and "
                "-90 <= min_lat < max_lat <= 90"
            )
        return shapely.box(min_lon, min_lat, max_lon, max_lat)
    if isinstance(area, shapely.Geometry):
        if area.is_empty or shapely.get_dimensions(area) != 2:
            raise SiteSelectError("an area geometry must be a non-empty polygon or multipolygon")
        return shapely.make_valid(area)
    raise SiteSelectError(
        f"area must be a country or region code, a bbox or a polygon; got {type(area).__name__}"
    )


@dataclass(frozen=True)
class Frame:
    """The raster frame of a grid over an area: its outline (EPSG:6933) and extent.

    Raster row 0 is the northernmost row; global indices are ``col = col0 + c`` and
    ``row = row0 - r`` (see :class:`~siteselect.region.layers_api.GridInfo`).
    """

    shape: shapely.Geometry
    cell_m: float
    col0: int
    row0: int
    n_rows: int
    n_cols: int


def check_cell_km(cell_km: Any) -> float:
    """``cell_km`` as a float, or a :class:`SiteSelectError` naming the field."""
    if (
        isinstance(cell_km, bool)
        or not isinstance(cell_km, int | float)
        or not math.isfinite(cell_km)
        or cell_km <= 0
    ):
        raise SiteSelectError(f"cell_km must be a positive number of kilometres; got {cell_km!r}")
    return float(cell_km)


def grid_frame(area: Area, cell_km: float, *, max_cells: int = MAX_CELLS) -> Frame:
    """The raster frame of the ``cell_km`` grid over ``area`` (no cell is generated).

    >>> f = grid_frame((120.0, 14.0, 120.1, 14.1), 2.0)
    >>> f.n_rows, f.n_cols
    (7, 6)
    """
    size = check_cell_km(cell_km) * 1000.0
    shape = gpd.GeoSeries([area_geometry(area)], crs=4326).to_crs(EQUAL_AREA).iloc[0]
    min_x, min_y, max_x, max_y = shape.bounds
    c0, c1 = math.floor(min_x / size), math.ceil(max_x / size)
    r0, r1 = math.floor(min_y / size), math.ceil(max_y / size)
    n_cols, n_rows = c1 - c0, r1 - r0
    if n_cols * n_rows > max_cells:
        raise SiteSelectError(
            f"cell_km: a {cell_km:g} km grid over this area has up to {n_cols * n_rows:,} "
            f"cells, more than max_cells={max_cells:,}; use larger cells or a smaller area"
        )
    shapely.prepare(shape)
    return Frame(shape, size, c0, r1 - 1, n_rows, n_cols)


def band_cells(frame: Frame, r_start: int, r_stop: int) -> dict[str, np.ndarray]:
    """The cells of raster rows ``[r_start, r_stop)`` whose centres lie inside the area.

    Returns arrays ``r``, ``c`` (raster indices), ``col``, ``row`` (global indices), ``x``,
    ``y`` (EPSG:6933 centres) and ``lon``, ``lat`` (WGS84), in row-major raster order.
    """
    size = frame.cell_m
    r = np.arange(r_start, r_stop)
    c = np.arange(frame.n_cols)
    cc, rr = (a.ravel() for a in np.meshgrid(c, r))
    col = frame.col0 + cc
    row = frame.row0 - rr
    x, y = (col + 0.5) * size, (row + 0.5) * size
    if not shapely.is_prepared(frame.shape):
        shapely.prepare(frame.shape)
    keep = shapely.contains_xy(frame.shape, x, y)
    out = {"r": rr[keep], "c": cc[keep], "col": col[keep], "row": row[keep]}
    out["x"], out["y"] = x[keep], y[keep]
    # a Transformer per call: pyproj transformers must not be shared between threads
    to_wgs84 = Transformer.from_crs(EQUAL_AREA, 4326, always_xy=True)
    lon, lat = to_wgs84.transform(out["x"], out["y"])
    out["lon"], out["lat"] = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return out


def grid(area: Area, cell_km: float, *, max_cells: int = MAX_CELLS) -> gpd.GeoDataFrame:
    """The cells over ``area`` whose centres lie inside it, as centre points (WGS84).

    Columns: ``col`` and ``row`` (integer cell indices on the global EPSG:6933 grid of
    ``cell_km``), ``x`` and ``y`` (the centre in EPSG:6933 metres), ``lon``, ``lat``.

    >>> cells = grid((120.0, 14.0, 120.1, 14.1), 2.0)
    >>> len(cells), round(cells.attrs["cell_km2"], 6)
    (35, 4.0)
    """
    if not (isinstance(cell_km, int | float) and math.isfinite(cell_km) and cell_km > 0):
        raise SiteSelectError(f"cell_km must be a positive number of kilometres; got {cell_km!r}")
    shape = gpd.GeoSeries([area_geometry(area)], crs=4326).to_crs(EQUAL_AREA).iloc[0]
    size = float(cell_km) * 1000.0
    min_x, min_y, max_x, max_y = shape.bounds
    cols = np.arange(math.floor(min_x / size), math.ceil(max_x / size))
    rows = np.arange(math.floor(min_y / size), math.ceil(max_y / size))
    if len(cols) * len(rows) > max_cells:
        raise SiteSelectError(
            f"a {cell_km:g} km grid over this area has up to {len(cols) * len(rows):,} cells, "
            f"more than max_cells={max_cells:,}; use larger cells or a smaller area"
        )
    col, row = (a.ravel() for a in np.meshgrid(cols, rows))
    x, y = (col + 0.5) * size, (row + 0.5) * size
    shapely.prepare(shape)
    keep = shapely.contains_xy(shape, x, y)
    col, row, x, y = col[keep], row[keep], x[keep], y[keep]
    centres = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=EQUAL_AREA).to_crs(4326)
    frame = gpd.GeoDataFrame(
        {
            "col": pd.array(col, dtype="int64"),
            "row": pd.array(row, dtype="int64"),
            "x": x,
            "y": y,
            "lon": centres.x.to_numpy(),
            "lat": centres.y.to_numpy(),
        },
        geometry=centres.to_numpy(),
        crs=4326,
    )
    frame.attrs["cell_km2"] = float(cell_km) ** 2
    return frame


def cell_polygons(cells: gpd.GeoDataFrame, cell_km: float) -> gpd.GeoSeries:
    """The square outlines (EPSG:6933) of cells from :func:`grid`, for export or drawing."""
    size = float(cell_km) * 1000.0
    x0 = cells["col"].to_numpy(dtype=float) * size
    y0 = cells["row"].to_numpy(dtype=float) * size
    return gpd.GeoSeries(
        shapely.box(x0, y0, x0 + size, y0 + size), index=cells.index, crs=EQUAL_AREA
    )
