"""The suitability layer of a region screen, drawn on a map from :func:`maps.ranking_map`.

:func:`add_suitability` adds to a folium map:

- the score raster as one image overlay, downsampled to at most :data:`MAX_IMAGE_PIXELS`
  on its longer side (each image pixel then shows the best cell score of the block it
  covers, so no good spot disappears), coloured on the map's red → green scale, NaN
  (outside the area, excluded) transparent. EPSG:6933 and Web Mercator are both
  cylindrical with longitude linear in x, so the raster is brought to the map's projection
  by remapping rows only (each image row takes the grid row at its latitude);
- the top cells as their square outlines, coloured by score, with the rank, the score and
  the explanation in a tooltip and a popup; cells that beat every listed candidate have a
  thick dark outline (class ``siteselect-beats-all``);
- the listed candidates at their score on the screen's scale (class
  ``siteselect-candidate``), so the map says whether a cell beats, say, Clark Freeport Zone;
- a legend. The map is fitted to the screened area.

Every text drawn (names, explanations, reasons) passes through :func:`maps.escape_text`.
Views never compute scores: everything drawn comes from the :class:`ScreenResult`.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from siteselect import maps
from siteselect.region import EQUAL_AREA, GridInfo, ScreenResult
from siteselect.region_export import cell_outlines

MAX_IMAGE_PIXELS = 1024
BEATS_ALL_COLOUR = "#111111"
CANDIDATE_COLOUR = "#2b5fd9"
RASTER_PANE, CELLS_PANE, CANDIDATES_PANE = (
    "suitabilityRaster",
    "suitabilityCells",
    "suitabilityCandidates",
)


def block_max(scores: Any, factor: int) -> np.ndarray:
    """``scores`` (NumPy or Dask) reduced by the best finite value of each
    ``factor`` × ``factor`` block (NaN where a block holds none).

    >>> block_max(np.array([[1.0, np.nan], [3.0, 2.0]]), 2)
    array([[3.]])
    """
    if factor <= 1:
        return np.asarray(scores, dtype=float)
    pad = ((0, -scores.shape[0] % factor), (0, -scores.shape[1] % factor))
    if isinstance(scores, np.ndarray):
        return _block_max(np.pad(scores.astype(float), pad, constant_values=np.nan), factor)
    import dask.array as da

    side = factor * max(1, 2048 // factor)  # chunks of whole blocks
    padded = da.pad(scores.astype(float), pad, constant_values=np.nan).rechunk((side, side))
    reduced = padded.map_blocks(
        _block_max,
        factor,
        chunks=tuple(tuple(c // factor for c in axis) for axis in padded.chunks),
        dtype=float,
    )
    return np.asarray(reduced.compute(scheduler="threads"))


def _block_max(a: np.ndarray, factor: int) -> np.ndarray:
    blocks = a.reshape(a.shape[0] // factor, factor, a.shape[1] // factor, factor)
    return np.fmax.reduce(np.fmax.reduce(blocks, axis=3), axis=1)


def _colours(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """RGBA (uint8) of ``values`` on the palette of :mod:`siteselect.maps`; NaN clear."""
    palette = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in maps.PALETTE], float)
    span = high - low
    with np.errstate(invalid="ignore"):
        t = np.clip((values - low) / span, 0.0, 1.0) if span > 0 else np.full(values.shape, 0.5)
    pos = np.nan_to_num(t, nan=0.0) * (len(palette) - 1)
    i = np.minimum(np.floor(pos).astype(int), len(palette) - 2)
    frac = (pos - i)[..., None]
    rgb = palette[i] * (1 - frac) + palette[i + 1] * frac
    alpha = np.where(np.isnan(values), 0.0, 255.0)[..., None]
    return np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)


def raster_image(
    grid: GridInfo, scores: Any, low: float, high: float, *, max_pixels: int = MAX_IMAGE_PIXELS
) -> tuple[np.ndarray, list[list[float]]]:
    """The score raster as an RGBA image in Web Mercator rows, and its (lat, lon) bounds."""
    factor = max(1, math.ceil(max(grid.n_rows, grid.n_cols) / max_pixels))
    small = block_max(scores, factor)
    step = grid.cell_m * factor
    to_wgs84 = Transformer.from_crs(EQUAL_AREA, 4326, always_xy=True)
    to_ea = Transformer.from_crs(4326, EQUAL_AREA, always_xy=True)
    x1 = grid.x0 + grid.n_cols * grid.cell_m
    y1 = grid.y0 - grid.n_rows * grid.cell_m
    (west, east), (north, south) = to_wgs84.transform([grid.x0, x1], [grid.y0, y1])
    merc_n, merc_s = maps.mercator_y(np.array([north, south]))
    n_out = small.shape[0]
    merc = merc_n + (np.arange(n_out) + 0.5) * (merc_s - merc_n) / n_out
    lat = maps.mercator_lat(merc)
    _, y = to_ea.transform(np.zeros_like(lat), lat)
    src = np.clip(np.floor((grid.y0 - np.asarray(y)) / step).astype(int), 0, small.shape[0] - 1)
    image = _colours(small[src], low, high)
    bounds = [
        [float(south), maps.pacific_lon(float(west))],
        [float(north), maps.pacific_lon(float(east))],
    ]
    if bounds[1][1] < bounds[0][1]:  # straddles 0° (not one of the screened countries)
        bounds = [[float(south), float(west)], [float(north), float(east)]]
    return image, bounds


def _legend_html(method: str, low: float, high: float, factor: int) -> str:
    swatches = "".join(
        f'<span style="display:inline-block;width:18px;height:10px;background:{c}"></span>'
        for c in maps.PALETTE
    )
    block = f"; image pixel = best of {factor}×{factor} cells" if factor > 1 else ""
    return "".join(
        [
            f"<b>Suitability ({maps.escape_text(method)}){block}</b>",
            f"<div>{swatches}</div>",
            f'<div style="display:flex;justify-content:space-between"><span>{low:.3f}</span>'
            f"<span>{high:.3f}</span></div>",
            f'<div><span style="display:inline-block;width:12px;height:10px;border:3px solid '
            f'{BEATS_ALL_COLOUR}"></span> beats every listed candidate</div>',
            f'<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
            f'background:{CANDIDATE_COLOUR}"></span> listed candidate, same scale</div>',
        ]
    )


def _cell_text(cell: pd.Series) -> str:
    flag = " · beats every listed candidate" if bool(cell.get("beats_all")) else ""
    where = ", ".join(
        maps.escape_text(cell[k]) for k in ("region_code", "country") if pd.notna(cell.get(k))
    )
    return (
        f"Cell {maps.escape_text(cell.get('cell_id', ''))} · rank {int(cell['rank'])} · "
        f"score {float(cell['score']):.3f}{flag}" + (f"<br>{where}" if where else "")
    )


def _layer_control_last(m: folium.Map) -> None:
    """Move the map's layer control after the layers added here: its script refers to
    every layer by name, so it must come after their definitions in the page."""
    children = m._children  # branca's ordered children: the order the script is written in
    for key, child in list(children.items()):
        if isinstance(child, folium.LayerControl):
            del children[key]
            children[key] = child


def _placed(candidates: pd.DataFrame, sites: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """``candidates`` with ``lon``/``lat`` (from ``sites`` where they lack them)."""
    out = candidates.copy()
    if sites is None or ("lon" in out.columns and "lat" in out.columns):
        return out
    points = sites.geometry.to_crs(4326) if sites.crs is not None else sites.geometry
    found = out.index.isin(points.index)
    out["lon"], out["lat"] = np.nan, np.nan
    out.loc[found, "lon"] = points.loc[out.index[found]].x.to_numpy()
    out.loc[found, "lat"] = points.loc[out.index[found]].y.to_numpy()
    return out


def add_suitability(
    m: folium.Map,
    result: ScreenResult,
    *,
    image: bool = True,
    max_pixels: int = MAX_IMAGE_PIXELS,
    fit: bool = True,
    sites: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Add ``result``'s suitability layers to ``m`` (see the module docstring); returns ``m``.

    ``sites`` (the catalog's site points, by site id) places listed candidates whose rows
    in ``result.candidates`` carry no ``lon``/``lat``.
    """
    top = result.top
    values = [float(v) for v in top["score"]] if len(top) else []
    scored = result.candidates["score"].dropna() if "score" in result.candidates else []
    values += [float(v) for v in scored]
    grid = result.grid
    factor = max(1, math.ceil(max(grid.n_rows, grid.n_cols) / max_pixels))
    if image:
        small = block_max(result.scores, factor)
        finite = small[np.isfinite(small)]
        values += [float(finite.min()), float(finite.max())] if finite.size else []
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    bounds: list[list[float]] | None = None
    # own panes above the map's outlines (which fill the land): raster, cells, candidates
    for pane, z, events in (
        (RASTER_PANE, 410, False),
        (CELLS_PANE, 420, True),
        (CANDIDATES_PANE, 430, True),
    ):
        folium.map.CustomPane(pane, z_index=z, pointer_events=events).add_to(m)
    if image:
        picture, bounds = raster_image(grid, result.scores, low, high, max_pixels=max_pixels)
        folium.raster_layers.ImageOverlay(
            picture,
            bounds,
            name="Suitability (score raster)",
            opacity=0.75,
            interactive=False,
            pane=RASTER_PANE,
            class_name="siteselect-suitability",
        ).add_to(m)

    cells = folium.FeatureGroup(name="Top cells (colour = score)", show=True)
    outlines = cell_outlines(grid, top["row"].to_numpy(), top["col"].to_numpy())
    to_wgs84 = Transformer.from_crs(EQUAL_AREA, 4326, always_xy=True)
    for (_, cell), outline in zip(top.iterrows(), outlines, strict=True):
        xs, ys = np.asarray(outline.exterior.coords).T
        lon, lat = to_wgs84.transform(xs, ys)
        ring = [(float(a), maps.pacific_lon(float(o))) for a, o in zip(lat, lon, strict=True)]
        beats = bool(cell.get("beats_all"))
        text = _cell_text(cell)
        popup = text + "<br>" + maps.escape_text(cell.get("explanation", "")).replace("\n", "<br>")
        folium.Polygon(
            ring,
            color=BEATS_ALL_COLOUR if beats else "#333333",
            weight=4 if beats else 1,
            fill=True,
            fill_color=maps.score_colour(float(cell["score"]), low, high),
            fill_opacity=0.9,
            tooltip=folium.Tooltip(text),
            popup=folium.Popup(popup, max_width=360, auto_pan=False),
            pane=CELLS_PANE,
            class_name="siteselect-cell siteselect-beats-all" if beats else "siteselect-cell",
        ).add_to(cells)
    cells.add_to(m)

    listed = folium.FeatureGroup(name="Listed candidates (same scale)", show=True)
    for sid, row in _placed(result.candidates, sites).iterrows():
        if not (pd.notna(row.get("lat")) and pd.notna(row.get("lon"))):
            continue
        score = row.get("score")
        shown = "excluded" if pd.isna(score) else f"{float(score):.3f} on this screen"
        rank = f" (rank {int(row['rank'])})" if pd.notna(row.get("rank")) else ""
        folium.CircleMarker(
            (float(row["lat"]), maps.pacific_lon(float(row["lon"]))),
            radius=7,
            color=CANDIDATE_COLOUR,
            weight=3,
            fill=True,
            fill_color=maps.score_colour(float(score), low, high) if pd.notna(score) else "#999",
            fill_opacity=1.0,
            tooltip=folium.Tooltip(f"{maps.escape_text(row.get('name', sid))}: {shown}{rank}"),
            pane=CANDIDATES_PANE,
            class_name="siteselect-candidate",
        ).add_to(listed)
    listed.add_to(m)
    maps.Legend(
        _legend_html(result.method, low, high, factor if image else 1),
        position="bottomleft",
        css_class="siteselect-suitability-legend",
        name="SuitabilityLegend",
    ).add_to(m)
    _layer_control_last(m)
    if fit:
        if bounds is None:
            lat = top["lat"].to_numpy(float)
            lon = np.array([maps.pacific_lon(v) for v in top["lon"].to_numpy(float)])
            bounds = [[lat.min(), lon.min()], [lat.max(), lon.max()]] if len(top) else None
        if bounds is not None:
            for key, child in list(m._children.items()):  # the one view is the area's
                if isinstance(child, folium.map.FitBounds):
                    del m._children[key]
            m.fit_bounds(bounds)
    return m


def summary(result: ScreenResult) -> dict[str, Any]:
    """The headline figures of a screen, for a view: cells, exclusions, best cell and the
    best listed candidate, how many top cells beat every candidate."""
    top = result.top
    best = result.best_candidate
    return {
        "cells": int(result.n_cells),
        "excluded": int(sum(result.n_excluded.values())),
        "best_cell": float(top["score"].iloc[0]) if len(top) else math.nan,
        "best_candidate": None if best is None else str(best.get("name", best.name)),
        "best_candidate_score": math.nan if best is None else float(best["score"]),
        "beats_all": int(top["beats_all"].sum()) if len(top) else 0,
    }


def top_table(result: ScreenResult, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The top cells as a table: rank, cell, place, score, flag, then the raw criteria
    (columns renamed to ``labels``); the explanation and geometry are left out."""
    top = pd.DataFrame(result.top.drop(columns=result.top.geometry.name, errors="ignore"))
    lead = [
        c
        for c in ("rank", "cell_id", "lat", "lon", "region_code", "country", "score", "beats_all")
        if c in top.columns
    ]
    rest = [
        c
        for c in top.columns
        if c not in lead and c not in ("explanation", "row", "col", "gateway_port", "airport")
    ]
    extra = [c for c in ("gateway_port", "airport") if c in top.columns]
    table = top[lead + extra + rest].set_index("rank")
    return table.rename(columns=labels or {})
