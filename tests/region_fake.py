"""A small synthetic ScreenResult (not the engine's output) for export and map tests."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from siteselect.region import GridInfo, ScreenResult, ScreenSpec
from siteselect.region.grids import band_cells, grid_frame

BBOX = (120.30, 14.90, 120.70, 15.30)  # part of Central Luzon


def fake_result(
    *, cell_km: float = 2.0, top: int = 10, chunks: int | None = None, name: str = "A"
) -> ScreenResult:
    """Scores = a smooth synthetic surface over :data:`BBOX`; NaN outside and for one
    "excluded" cell; ``chunks`` makes ``scores`` a Dask array of that chunk size."""
    spec = ScreenSpec(BBOX, cell_km, sector="ems", method="topsis", markets={"US": 1.0}, top=top)
    frame = grid_frame(spec.area, spec.cell_km)
    cells = band_cells(frame, 0, frame.n_rows)
    grid = GridInfo(
        6933,
        frame.col0 * frame.cell_m,
        (frame.row0 + 1) * frame.cell_m,
        frame.cell_m,
        frame.n_rows,
        frame.n_cols,
        frame.col0,
        frame.row0,
    )
    scores = np.full((frame.n_rows, frame.n_cols), np.nan)
    value = 0.5 + 0.4 * np.sin(cells["lon"] * 7.0) * np.cos(cells["lat"] * 5.0)
    scores[cells["r"], cells["c"]] = value
    scores[cells["r"][0], cells["c"][0]] = np.nan  # excluded
    order = np.argsort(-np.nan_to_num(scores[cells["r"], cells["c"]], nan=-1.0))[:top]
    best = float(value[order[top // 2]])
    rows: dict[str, Any] = {
        "cell_id": [
            f"{a}:{b}" for a, b in zip(cells["col"][order], cells["row"][order], strict=True)
        ],
        "row": cells["r"][order],
        "col": cells["c"][order],
        "lon": cells["lon"][order],
        "lat": cells["lat"][order],
        "country": "PHL",
        "region_code": "PH-03",
        "score": scores[cells["r"][order], cells["c"][order]],
        "rank": np.arange(1, top + 1),
        "taiwan_transit": np.linspace(2.0, 3.0, top),
        "explanation": [f"closeness 0.{i} <b>{name}</b>" for i in range(top)],
    }
    rows["beats_all"] = rows["score"] > best
    frame_top = gpd.GeoDataFrame(
        rows, geometry=gpd.points_from_xy(rows["lon"], rows["lat"]), crs=4326
    )
    candidates = pd.DataFrame(
        {"name": [f"Clark {name}"], "lon": [120.55], "lat": [15.18], "score": [best], "rank": [5]},
        index=pd.Index(["PH-CLARK"], name="site_id"),
    )
    out: Any = scores
    if chunks is not None:
        import dask.array as da

        out = da.from_array(scores, chunks=chunks)
    return ScreenResult(
        spec=spec,
        method="topsis",
        n_cells=len(cells["r"]),
        n_excluded={"layer flood: depth over 0.5 m": 1},
        top=frame_top,
        areas=None,
        candidates=candidates,
        grid=grid,
        scores=out,
        notes=["site evidence left to the missing-value policy"],
        weights={"taiwan_transit": 0.3},
        layers={"flood": {"file": "flood.tif", "sha256": "ab" * 32, "source": "user assumption"}},
    )
