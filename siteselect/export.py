"""Downloads: ranking as CSV and XLSX, sites with scores as GeoJSON.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with an apostrophe, so a hostile site name
stays text in Excel or LibreOffice.
"""

from __future__ import annotations

import io
import json
from typing import Any

import geopandas as gpd
import pandas as pd

from siteselect.ranking import Evaluation

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text; other values pass unchanged.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("Clark"), safe_cell(-1.5)
    ('\\'=HYPERLINK("http://x")', 'Clark', -1.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas."""
    out = frame.copy()
    out.columns = [safe_cell(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    return out


def ranking_frame(evaluation: Evaluation) -> pd.DataFrame:
    """The ranking with site id as a column, as written to every download."""
    return evaluation.ranking.reset_index(names="site_id")


def ranking_csv(evaluation: Evaluation) -> bytes:
    return safe_frame(ranking_frame(evaluation)).to_csv(index=False).encode("utf-8")


def settings_frame(evaluation: Evaluation) -> pd.DataFrame:
    rows = [
        ("sector", evaluation.sector),
        ("profile", evaluation.profile),
        ("method", evaluation.method),
        ("method parameters", json.dumps(dict(evaluation.params))),
        ("missing-value policy", evaluation.policy.policy),
        *(("policy note", n) for n in evaluation.policy.notes),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def ranking_xlsx(evaluation: Evaluation) -> bytes:
    """A workbook: ranking, contributions, weights, values with sources, settings."""
    weights = pd.DataFrame(
        {
            "group weight": evaluation.weights.group.reindex(
                pd.Series(evaluation.criteria.group_of())
            ).to_numpy(),
            "within-group weight": evaluation.weights.within,
            "effective weight": evaluation.weights.effective,
        }
    )
    cells = evaluation.table.cells.copy()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(ranking_frame(evaluation)).to_excel(writer, sheet_name="Ranking", index=False)
        evaluation.contributions.to_excel(writer, sheet_name="Contributions")
        weights.to_excel(writer, sheet_name="Weights")
        safe_frame(cells).to_excel(writer, sheet_name="Values and sources", index=False)
        safe_frame(settings_frame(evaluation)).to_excel(writer, sheet_name="Settings", index=False)
    return buffer.getvalue()


def sites_geojson(evaluation: Evaluation, sites: gpd.GeoDataFrame) -> str:
    """The ranked sites as a GeoJSON FeatureCollection (WGS84) with scores and ranks."""
    frame = gpd.GeoDataFrame(
        ranking_frame(evaluation),
        geometry=sites.loc[evaluation.ranking.index].to_crs("EPSG:4326").geometry.to_numpy(),
        crs="EPSG:4326",
    )
    return frame.to_json(drop_id=True, ensure_ascii=False)
