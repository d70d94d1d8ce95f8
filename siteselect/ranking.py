"""Evaluate a catalogue for a sector and a stakeholder profile: ranks, contributions, reasons.

This is the one call the CLI, the app and a notebook share::

    >>> from siteselect.ranking import evaluate
    >>> result = evaluate(sector="ems", profile="investor")    # doctest: +SKIP
    >>> result.ranking.head(3)                                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from siteselect.catalog import Catalog, load_catalog
from siteselect.criteria import CriteriaSet, WeightBreakdown, load_criteria
from siteselect.methods import Explanation, explain_problem, get_method, rank_problem
from siteselect.methods import validate_problem as validated
from siteselect.table import DecisionTable, PolicyResult, apply_missing_policy, decision_table

DEFAULTS = {
    "sector": "ems",
    "profile": "industry_association",
    "method": "topsis",
    "missing": "worst",
}


@cache
def default_catalog() -> Catalog:
    """The bundled catalogue (loaded once per process; treat as read-only)."""
    return load_catalog()


@cache
def default_criteria() -> CriteriaSet:
    """The bundled criteria, sectors and profiles (loaded once per process)."""
    return load_criteria()


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`; every frame is indexed by site id."""

    sector: str
    profile: str
    method: str
    params: Mapping[str, Any]
    weights: WeightBreakdown
    table: DecisionTable
    policy: PolicyResult
    ranking: pd.DataFrame
    #: the method's own signed per-criterion contribution (``explanation.contributions``;
    #: for WSM the weighted normalised values, summing to the score)
    contributions: pd.DataFrame
    criteria: CriteriaSet = field(repr=False)
    #: the method's decomposition of its own score (``explanation.reconstruct()`` recomputes
    #: ``ranking["score"]``); group subscores follow ``explanation.group_rule``
    explanation: Explanation = field(repr=False)

    def reasons(self, site_id: str, k: int = 3) -> dict[str, list[str]]:
        """Criteria that lift the site most above, and hold it most below, the average site.

        Measured on the method's own per-criterion contribution (see
        :attr:`explanation`), so the reasons agree with the ranking.
        """
        contrib = self.contributions
        delta = (contrib.loc[site_id] - contrib.mean()).sort_values()
        labels = {c.id: c.label for c in self.criteria.criteria}
        strengths = [labels[c] for c, d in delta[::-1].items() if d > 1e-9][:k]
        weaknesses = [labels[c] for c, d in delta.items() if d < -1e-9][:k]
        return {"strengths": strengths, "weaknesses": weaknesses}


def evaluate(
    catalog: Catalog | None = None,
    criteria: CriteriaSet | None = None,
    *,
    sector: str = DEFAULTS["sector"],
    profile: str = DEFAULTS["profile"],
    weights: Mapping[str, Any] | None = None,
    method: str = DEFAULTS["method"],
    missing: str = DEFAULTS["missing"],
    table: DecisionTable | None = None,
    **params: Any,
) -> Evaluation:
    """Rank the sites of ``catalog`` for ``sector`` under ``profile``'s weights.

    Parameters
    ----------
    catalog, criteria
        Default to the bundled data and criteria.
    sector, profile
        Ids from ``criteria/sectors.yaml`` and ``criteria/profiles.yaml``.
    weights
        Overrides: a group id → group weight, or a criterion id → within-group weight.
    method
        An MCDA method name (see :data:`siteselect.methods.METHODS`).
    missing
        A missing-value policy (see :data:`siteselect.table.POLICIES`).
    table
        A decision table already built for this catalogue and sector (a cache hit).
    **params
        Parameters of the method.
    """
    catalog = catalog if catalog is not None else default_catalog()
    criteria = criteria if criteria is not None else default_criteria()
    get_method(method)
    breakdown = criteria.weights(profile, sector, weights)
    if table is None or table.sector != sector:
        table = decision_table(catalog, criteria, sector)
    used = [c for c in criteria.ids if breakdown.effective[c] > 0]
    policy = apply_missing_policy(table, missing, criteria=used)
    matrix = policy.matrix
    eff = breakdown.effective[matrix.columns]
    objectives = {c: table.objectives[c] for c in matrix.columns}
    problem = validated(matrix, objectives, eff.to_dict())
    score, ranks = rank_problem(problem, method, **params)
    explanation = explain_problem(problem, method, **params)
    contrib = explanation.contributions
    groups = explanation.subscores(criteria.group_of())
    subscores = {
        f"subscore_{g.id}": groups[g.id]
        if g.id in groups
        else pd.Series(float("nan"), index=matrix.index)
        for g in criteria.groups
    }
    extra = {k: explanation.aggregates()[k] for k in ("S", "R")} if method == "vikor" else {}
    sites = catalog.sites.loc[matrix.index]
    ranking = pd.DataFrame(
        {
            "name": sites["name"],
            "country": sites["country"],
            "region": sites["region"],
            "score": pd.Series(score, index=matrix.index),
            "rank": pd.Series(ranks, index=matrix.index),
            **extra,
            **subscores,
        }
    ).sort_values(["rank", "score", "name"], ascending=[True, False, True], kind="stable")
    return Evaluation(
        sector=sector,
        profile=profile,
        method=method,
        params=dict(params),
        weights=breakdown,
        table=table,
        policy=policy,
        ranking=ranking,
        contributions=contrib.loc[ranking.index],
        criteria=criteria,
        explanation=explanation,
    )
