"""The decision record: one self-contained HTML file, printable to PDF from a browser.

It holds the map (Leaflet inline, so it opens offline), the weights and how they were
elicited, the ranking, the contributions, the robustness summary and the source and
year of every value used. Every user-supplied string is escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import pandas as pd

from siteselect import maps
from siteselect.ranking import Evaluation

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330;
       max-width: 1100px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px;
     border-bottom: 1px solid #d8dde6; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 12px; }
th, td { border: 1px solid #d8dde6; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f4f8; } td.num { text-align: right; }
.meta { color: #556; } .note { background: #fff8e1; padding: 6px 10px; border-radius: 4px; }
iframe { width: 100%; height: 520px; border: 1px solid #d8dde6; }
@media print { iframe { height: 420px; } h2 { page-break-after: avoid; }
               table { page-break-inside: auto; } tr { page-break-inside: avoid; } }
"""


def _table(frame: pd.DataFrame, *, index: bool = False, digits: int = 4) -> str:
    shown = frame.copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}g}")
    rendered: str = shown.to_html(index=index, escape=True, border=0, na_rep="")
    return rendered


def _kv(pairs: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in pairs.items()
    )
    return f"<table>{rows}</table>"


def decision_record(
    evaluation: Evaluation,
    sites: gpd.GeoDataFrame,
    *,
    title: str = "Site selection decision record",
    meta: Mapping[str, Any] | None = None,
    elicitation: Mapping[str, Any] | None = None,
    acceptability: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    user_sites: list[str] | None = None,
    data_notice: str = "",
) -> str:
    """Render the decision record as one HTML document.

    Parameters
    ----------
    evaluation
        The ranking to record.
    sites
        The catalogue's sites (for the map).
    meta
        Scenario name, author role, comment, data version, time… shown as given (escaped).
    elicitation
        How the weights were obtained (JSON data: judgements, consistency, aggregation).
    acceptability
        SMAA rank-acceptability indices (alternative × rank).
    stability
        Stability intervals (criterion × low/high/current).
    data_notice
        The stale-data notice of :func:`siteselect.release.data_notice` for the day the
        record is made, shown at the top (escaped).
    """
    criteria = evaluation.criteria
    labels = {c.id: c.label for c in criteria.criteria}
    reasons = {sid: evaluation.reasons(sid) for sid in evaluation.ranking.index}
    first_share = acceptability.iloc[:, 0] if acceptability is not None else None
    fmap = maps.ranking_map(
        evaluation.ranking,
        sites,
        reasons=reasons,
        routes=False,
        user_sites=user_sites or [],
        acceptability=first_share,
        assets="inline",
        height=500,
    )
    map_doc = html.escape(maps.map_html(fmap), quote=True)

    settings = {
        "Sector": criteria.sector(evaluation.sector).label,
        "Stakeholder profile": criteria.profile(evaluation.profile).label,
        "Method": evaluation.method,
        "Method parameters": json.dumps(dict(evaluation.params)) or "defaults",
        "Missing-value policy": evaluation.policy.policy,
        "Generated": datetime.now(UTC).isoformat(timespec="seconds"),
        **{str(k): v for k, v in (meta or {}).items()},
    }
    weights = pd.DataFrame(
        {
            "criterion": [labels[c] for c in criteria.ids],
            "group": [c.group for c in criteria.criteria],
            "group weight": [evaluation.weights.group[c.group] for c in criteria.criteria],
            "within group": evaluation.weights.within.to_numpy(),
            "effective weight": evaluation.weights.effective.to_numpy(),
        }
    )
    ranking = evaluation.ranking.reset_index(names="site_id")
    contrib = evaluation.contributions.rename(columns=labels)
    contrib.insert(0, "site", evaluation.ranking["name"])
    cells = evaluation.table.cells
    used = cells[
        cells["criterion"].isin(evaluation.policy.matrix.columns)
        & cells["site_id"].isin(evaluation.policy.matrix.index)
    ]
    sources = used.assign(criterion=used["criterion"].map(labels))[
        ["site_id", "criterion", "value", "unit", "source", "year", "url", "derivation"]
    ]

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p class='meta'>siteselect: multi-criteria ranking of overseas industrial-park "
        "sites on proximity, investment climate and sector suitability.</p>",
        *(
            [f"<p class='note stale'><strong>Data notice.</strong> {html.escape(data_notice)}</p>"]
            if data_notice
            else []
        ),
        "<h2>Settings</h2>",
        _kv(settings),
        *(f"<p class='note'>{html.escape(n)}</p>" for n in evaluation.policy.notes),
        "<h2>Map</h2>",
        f"<iframe title='map' sandbox='allow-scripts' srcdoc=\"{map_doc}\"></iframe>",
        "<h2>Ranking</h2>",
        _table(ranking),
        "<h2>Weights</h2>",
        _table(weights),
    ]
    if elicitation:
        parts += [
            "<h2>How the weights were elicited</h2>",
            f"<pre>{html.escape(json.dumps(elicitation, indent=2, ensure_ascii=False))}</pre>",
        ]
    exp = evaluation.explanation
    how = (
        f"Each value is {exp.contribution_meaning}. Score: {exp.formula}. "
        f"Group subscores: {exp.group_rule}."
    )
    parts += [
        "<h2>Contributions, as the method in use computes them</h2>",
        f"<p class='note'>{html.escape(how)}</p>",
        _table(contrib),
    ]
    if acceptability is not None or stability is not None:
        parts.append("<h2>Robustness</h2>")
    if acceptability is not None:
        named = acceptability.copy()
        named.insert(0, "site", evaluation.ranking["name"].reindex(named.index))
        parts += [
            "<p>Rank acceptability (share of sampled weightings in which each site "
            "takes each rank):</p>",
            _table(named.reset_index(names="site_id"), digits=3),
        ]
    if stability is not None:
        parts += [
            "<p>Stability intervals: the range of each criterion's weight within which "
            "the first site stays first (others rescaled proportionally).</p>",
            _table(stability.rename(index=labels).reset_index(names="criterion"), digits=3),
        ]
    parts += ["<h2>Values used and their sources</h2>", _table(sources), "</body></html>"]
    return "\n".join(parts)
