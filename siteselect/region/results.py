"""The outputs of a region screen: top cells with explanations, contiguous areas, notes."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siteselect import geo
from siteselect.region import cells, scoring
from siteselect.region.grids import EQUAL_AREA, Frame
from siteselect.region.layers_api import ScreenSpec


def explain_text(expl: Any, i: int, labels: Mapping[str, str]) -> str:
    agg = expl.aggregates().iloc[i]
    contrib = expl.contributions.iloc[i].sort_values(key=np.abs, ascending=False)
    parts = ", ".join(f"{labels.get(str(c), str(c))} {v:+.4g}" for c, v in contrib.items())
    figures = ", ".join(f"{k} {float(v):.6g}" for k, v in agg.items() if k != "score")
    head = f"{expl.method}: {expl.formula}"
    middle = f"{figures}; " if figures else ""
    return f"{head}; {middle}contributions: {parts}; score {agg['score']:.6g}"


def top_cells(
    spec: ScreenSpec,
    frame: Frame,
    scores: np.ndarray,
    model: cells.CellModel,
    transform: scoring.Transform,
    policy: scoring.Policy,
    final: Sequence[str],
    ms: scoring.Matrix,
    method: str,
    params: Mapping[str, Any],
    sense: np.ndarray,
    w: np.ndarray,
    scale: scoring.VikorScale | None,
    mspec: Any,
    labels: Mapping[str, str],
    columns: Sequence[str],
    best: float,
    rank_of: Callable[[np.ndarray], Any],
    whole: tuple[Any, dict[int, int]] | None,
) -> gpd.GeoDataFrame:
    """The ``spec.top`` best cells with their raw criteria and the method's explanation."""
    flat = np.where(np.isnan(scores), -np.inf, scores).ravel()
    k = min(spec.top, int(np.isfinite(flat).sum()))
    if k == 0:
        return gpd.GeoDataFrame({"cell_id": []}, geometry=[], crs=4326)
    pick = np.argpartition(-flat, k - 1)[:k]
    pick = pick[np.lexsort((pick, -flat[pick]))]
    r, c = np.divmod(pick, frame.n_cols)
    col, row = frame.col0 + c, frame.row0 - r
    x, y = (col + 0.5) * frame.cell_m, (row + 0.5) * frame.cell_m
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=EQUAL_AREA).to_crs(4326)
    lon, lat = pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float)
    loc = cells.located_frame(lon, lat)
    X, _ = model.values(lon, lat, loc)
    M, _ = scoring.final_matrix(X, policy, transform)
    state = (
        scoring.method_state(method, M, sense, ms, params) if method in scoring.BLOCKWISE else None
    )
    ids = [f"{a}:{b}" for a, b in zip(col, row, strict=True)]
    texts = [""] * k
    if state is not None:
        expl = scoring.explanation(mspec, state, w, pd.Index(ids), pd.Index(list(final)), scale)
        texts = [explain_text(expl, i, labels) for i in range(k)]
    elif whole is not None:
        expl, pos = whole
        texts = [explain_text(expl, pos[int(p)], labels) for p in pick]
    s = scores[r, c]
    out = gpd.GeoDataFrame(
        {
            "cell_id": ids,
            "row": r,
            "col": c,
            "lon": lon,
            "lat": lat,
            "country": loc["country"],
            "region_code": loc["region_code"],
            "gateway_port": loc["gateway_port"],
            "airport": loc["airport"],
            "sea_km": [geo.sea_route_km(geo.ORIGIN_PORT, str(p)) for p in loc["gateway_port"]],
            "inland_km": loc["inland_km"],
            "timezone": [
                geo.timezone_at(round(float(a), 4), round(float(b), 4))
                for a, b in zip(lon, lat, strict=True)
            ],
            "score": s,
            "rank": rank_of(s),
            "beats_all": s > best if math.isfinite(best) else np.zeros(k, dtype=bool),
            **{cid: X[:, columns.index(cid)] for cid in final},
            "explanation": texts,
        },
        geometry=pts.to_numpy(),
        crs=4326,
    )
    return out


def areas(spec: ScreenSpec, frame: Frame, scores: np.ndarray, best: float) -> gpd.GeoDataFrame:
    """Connected (4-neighbour) groups of at least ``min_area_cells`` cells scoring at or
    above the ``area_quantile`` quantile of the scored cells."""
    from scipy import ndimage

    valid = scores[~np.isnan(scores)]
    threshold = float(np.quantile(valid, spec.area_quantile)) if len(valid) else math.inf
    mask = np.nan_to_num(scores, nan=-np.inf) >= threshold
    labels, n = ndimage.label(mask)
    rows = []
    for lab in range(1, n + 1):
        r, c = np.nonzero(labels == lab)
        if len(r) < (spec.min_area_cells or 1):
            continue
        vals = scores[r, c]
        x0 = (frame.col0 + c) * frame.cell_m
        y0 = (frame.row0 - r) * frame.cell_m
        shape = shapely.union_all(shapely.box(x0, y0, x0 + frame.cell_m, y0 + frame.cell_m))
        i = int(np.argmax(vals))
        rows.append(
            {
                "n_cells": len(r),
                "area_km2": len(r) * (frame.cell_m / 1000.0) ** 2,
                "mean_score": float(vals.mean()),
                "max_score": float(vals.max()),
                "best_cell": f"{frame.col0 + c[i]}:{frame.row0 - r[i]}",
                "beats_all_cells": int((vals > best).sum()) if math.isfinite(best) else 0,
                "threshold": threshold,
                "geometry": shape,
            }
        )
    out = (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=EQUAL_AREA)
        if rows
        else gpd.GeoDataFrame({"n_cells": []}, geometry=[], crs=EQUAL_AREA)
    )
    out = out.to_crs(4326)
    if len(out):
        out = out.sort_values("max_score", ascending=False).reset_index(drop=True)
        out.insert(0, "area_id", np.arange(1, len(out) + 1))
    return out


def notes(
    spec: ScreenSpec,
    policy: scoring.Policy,
    weight_notes: Sequence[str],
    evidence: Sequence[str],
    tab: cells.Table,
    n_cells: int,
    scheduler: str,
    best: float,
    method: str,
) -> list[str]:
    ev = ", ".join(evidence)
    notes = [
        f"{n_cells:,} cells of {spec.cell_km:g} km (EPSG:6933 equal-area squares, centre inside "
        f"the area); scheduler: {scheduler}",
        "a cell is an uploaded site without site evidence: nearest searoute port as gateway, "
        "nearest airport, no zone regime (tariffs of the country's general regime)",
        (
            f"site evidence ({ev}) left out for cells and candidates alike"
            if spec.site_evidence == "omit"
            else f"site evidence ({ev}) is missing for cells and handled by the missing-value "
            f"policy '{spec.missing}' over cells and candidates, as for an uploaded site"
        ),
        *tab.notes,
        *weight_notes,
        *policy.notes,
    ]
    if method in scoring.VALUE_BASED:
        notes.append("value functions applied as in the list ranking (value-based method)")
    notes.append(
        "ranks are dense over cells and candidates together (ties to 12 decimals share a rank)"
        + ("; VIKOR ranked by Q without the compromise-set rule" if method == "vikor" else "")
    )
    if not math.isfinite(best):
        notes.append("no listed candidate is scored in the area's countries: beats_all is False")
    return notes
