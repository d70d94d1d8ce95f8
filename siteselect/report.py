"""The decision record (kept for callers of ``report.decision_record``).

The record itself lives in :mod:`siteselect.record`: a one-page summary, then annexes,
as self-contained HTML (the map is a PNG data URI) or as PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from siteselect.ranking import Evaluation
from siteselect.record import TITLE, record_document, render_record

__all__ = ["decision_record", "render_record"]


def decision_record(
    evaluation: Evaluation,
    sites: gpd.GeoDataFrame,
    *,
    title: str = TITLE,
    meta: Mapping[str, Any] | None = None,
    elicitation: Mapping[str, Any] | None = None,
    acceptability: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    user_sites: list[str] | None = None,
    data_notice: str = "",
    **options: Any,
) -> str:
    """The decision record as one HTML document (see :func:`siteselect.record.render_record`
    for the options: scenario name, author, comment, data version, overrides...)."""
    return record_document(
        evaluation,
        sites,
        title=title,
        meta=meta,
        elicitation=elicitation,
        acceptability=acceptability,
        stability=stability,
        user_sites=user_sites or [],
        data_notice=data_notice,
        **options,
    )
