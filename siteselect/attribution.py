"""Where a score comes from: country-level facts versus region or site facts, and the
cost-versus-quality view data.

The split uses each cell's ``country_share`` (the part of its value that comes from
country-level facts, from the provenance ``scope_level``) and the method's own
per-criterion contribution (``Evaluation.explanation``; its meaning per method is stated in
``basis``: for WSM the parts add up to the score, for other methods they are the method's
signed per-criterion parts, so the split is reported on their magnitudes as well).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from siteselect.methods import rank_matrix
from siteselect.ranking import Evaluation


def score_parts(evaluation: Evaluation) -> tuple[pd.DataFrame, str]:
    """The method's per-criterion decomposition of each site's score, and what it is."""
    exp = evaluation.explanation
    return evaluation.contributions, f"{exp.method}: {exp.contribution_meaning}"


def country_vs_site(evaluation: Evaluation) -> pd.DataFrame:
    """Per ranked site: how much of its decomposed score comes from country-level facts and
    how much from region or site facts (columns ``country`` and ``site``, summing with
    ``imputed`` to ``total``; ``country_share`` is the national part of the magnitudes).

    Two sites of one country share the country part of every national criterion, so the
    ``site`` column is what separates them.
    """
    parts, basis = score_parts(evaluation)
    cells = evaluation.table.cells.set_index(["site_id", "criterion"])["country_share"]
    share = pd.DataFrame(
        {c: [cells.get((s, c), np.nan) for s in parts.index] for c in parts.columns},
        index=parts.index,
    ).astype(float)
    # an imputed cell (missing fact) is attributed to neither level: it is a policy value
    share = share.where(share.notna(), 0.0)
    imputed = evaluation.policy.imputed.reindex(index=parts.index, columns=parts.columns)
    imputed = imputed.fillna(False).astype(bool)
    country = (parts * share).where(~imputed, 0.0).sum(axis=1)
    site = (parts * (1.0 - share)).where(~imputed, 0.0).sum(axis=1)
    total = parts.sum(axis=1)
    size = parts.abs()
    magnitude = size.sum(axis=1).replace(0.0, np.nan)
    return pd.DataFrame(
        {
            "name": evaluation.ranking["name"].reindex(parts.index),
            "rank": evaluation.ranking["rank"].reindex(parts.index),
            "total": total,
            "country": country,
            "site": site,
            "imputed": (parts.where(imputed, 0.0)).sum(axis=1),
            # the part of the contributions' magnitude that comes from national facts
            "country_share": ((size * share).where(~imputed, 0.0).sum(axis=1) / magnitude).fillna(
                0.0
            ),
            "basis": basis,
        }
    )


def cost_quality(evaluation: Evaluation) -> pd.DataFrame:
    """Data for the cost-versus-quality chart: per ranked site the scored annual cost, the
    quality (the method's score over the non-cost criteria, same weights renormalised) and
    whether it is on the Pareto frontier (no other site is cheaper *and* better)."""
    matrix = evaluation.policy.matrix
    groups = evaluation.criteria.group_of()
    quality_cols = [c for c in matrix.columns if groups.get(c) != "cost"]
    eff = evaluation.weights.effective[quality_cols]
    objectives = {c: evaluation.table.objectives[c] for c in quality_cols}
    kwargs: dict[str, Any] = dict(evaluation.params)
    if eff.sum() > 0 and quality_cols:
        ranked = rank_matrix(
            matrix[quality_cols], objectives, eff.to_dict(), evaluation.method, **kwargs
        )
        quality = ranked["score"]
    else:
        quality = pd.Series(np.nan, index=matrix.index)
    cost = (
        evaluation.cost.scored.reindex(matrix.index)
        if evaluation.cost is not None
        else pd.Series(np.nan, index=matrix.index)
    )
    frame = pd.DataFrame(
        {
            "name": evaluation.ranking["name"].reindex(matrix.index),
            "rank": evaluation.ranking["rank"].reindex(matrix.index),
            "cost_usd": cost,
            "quality": quality,
        }
    )
    frame["pareto"] = pareto_front(frame["cost_usd"], frame["quality"])
    return frame.sort_values("rank", kind="stable")


def pareto_front(cost: pd.Series, quality: pd.Series) -> pd.Series:
    """True where no other site has cost ≤ and quality ≥ with one strictly better.
    Sites with an unknown cost or quality are never on the frontier."""
    c = cost.to_numpy(dtype=float)
    q = quality.to_numpy(dtype=float)
    ok = ~(np.isnan(c) | np.isnan(q))
    out = np.zeros(len(c), dtype=bool)
    for i in np.flatnonzero(ok):
        others = ok.copy()
        others[i] = False
        dominated = others & (c <= c[i]) & (q >= q[i]) & ((c < c[i]) | (q > q[i]))
        out[i] = not dominated.any()
    return pd.Series(out, index=cost.index, name="pareto")
