"""Evaluate a catalogue for a sector and a stakeholder profile: ranks, contributions, reasons.

This is the one call the CLI, the app and a notebook share::

    >>> from siteselect.ranking import evaluate
    >>> result = evaluate(sector="ems", profile="investor")    # doctest: +SKIP
    >>> result.ranking.head(3)                                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from siteselect.catalog import Catalog, load_catalog
from siteselect.cost import CostResult, Project
from siteselect.criteria import CriteriaSet, Exclusion, WeightBreakdown, load_criteria
from siteselect.errors import SiteSelectError
from siteselect.markets import describe_shares
from siteselect.methods import Explanation, explain_problem, get_method, rank_problem
from siteselect.methods import validate_problem as validated
from siteselect.table import (
    DecisionTable,
    PolicyResult,
    apply_missing_policy,
    decision_table,
    default_context,
)

VALUE_BASED_METHODS = ("wsm", "wpm")
EXCLUDED_COLUMNS = ("name", "country", "criterion", "value", "reason")

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
    markets: Mapping[str, float] = field(default_factory=dict)
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(EXCLUDED_COLUMNS))
    )
    value_functions: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: every exclusion rule of the sector (rule id) -> in force or not
    exclusion_rules: Mapping[str, bool] = field(default_factory=dict)

    @property
    def cost(self) -> CostResult | None:
        """The annual cost of operation per site behind the cost criterion."""
        return self.table.cost

    def reasons(self, site_id: str, k: int = 3) -> dict[str, list[str]]:
        """Criteria that lift the site most above, and hold it most below, the average site.

        Measured on the method's own per-criterion contribution (see
        :attr:`explanation`), so the reasons agree with the ranking. Equal lifts keep
        the criteria's order.
        """
        contrib = self.contributions
        delta = contrib.loc[site_id].to_numpy(float) - contrib.mean().to_numpy(float)
        return _reason_lists(delta, self._criterion_labels(), k)

    def all_reasons(self, k: int = 3) -> dict[str, dict[str, list[str]]]:
        """:meth:`reasons` of every ranked site, computed in one pass."""
        contrib = self.contributions
        deltas = contrib.to_numpy(float) - contrib.mean().to_numpy(float)
        labels = self._criterion_labels()
        return {
            str(sid): _reason_lists(row, labels, k)
            for sid, row in zip(contrib.index, deltas, strict=True)
        }

    def _criterion_labels(self) -> list[str]:
        labels = {c.id: c.label for c in self.criteria.criteria}
        return [labels[c] for c in self.contributions.columns]


def _reason_lists(delta: np.ndarray, labels: Sequence[str], k: int) -> dict[str, list[str]]:
    """The ``k`` labels with the largest positive and negative ``delta`` (NaN: neither)."""
    up = np.argsort(-delta, kind="stable")
    down = np.argsort(delta, kind="stable")
    return {
        "strengths": [labels[i] for i in up if delta[i] > 1e-9][:k],
        "weaknesses": [labels[i] for i in down if delta[i] < -1e-9][:k],
    }


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
    markets: Mapping[str, Any] | None = None,
    project: Project | None = None,
    headcount: float | None = None,
    tariffs: pd.DataFrame | None = None,
    exclusion_rules: Mapping[str, bool] | None = None,
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
        A decision table already built for this catalogue, sector and markets (a cache hit).
    markets
        Target markets and their shares, e.g. ``{"US": 0.7, "ASEAN": 0.3}`` (normalised;
        default: the US only). See ``criteria/markets.yaml``.
    project, headcount
        The reference project behind the cost criterion (default: the sector's in
        ``criteria/projects.yaml``), optionally scaled to ``headcount`` staff.
    tariffs
        A tariff table (default: ``data/trade/tariffs.csv``).
    exclusion_rules
        Rule id -> on/off for the sector's exclusion rules (default: each rule's own
        ``default`` in ``criteria/sectors.yaml``); the notes state every rule in force.
    **params
        Parameters of the method.
    """
    catalog = catalog if catalog is not None else default_catalog()
    criteria = criteria if criteria is not None else default_criteria()
    get_method(method)
    breakdown = criteria.weights(profile, sector, weights)
    base = default_context(
        sector,
        markets,
        project=project,
        tariffs=tariffs,
        on=catalog.release.date,
        headcount=headcount,
        missing=missing,
    )
    if table is None or table.context_key != (sector, *base.key()):
        table = decision_table(catalog, criteria, sector, base)
    used = [c for c in criteria.ids if breakdown.effective[c] > 0]
    rules = criteria.sector(sector).rules_in_force(exclusion_rules)
    excluded = exclusions(table, criteria, sector, catalog, rules=rules)
    notes = [f"target markets: {describe_shares(base.markets)}"]
    for rule in criteria.sector(sector).exclusions:
        state = "in force" if rule in rules else "off"
        default = "on" if rule.default else "off"
        notes.append(f"exclusion rule {rule.rule_id}: {state} (default {default})")
    if table.cost is not None:
        filled = table.cost.breakdown[table.cost.breakdown["imputed"] != ""]
        if len(filled):
            per = filled.groupby("component")["site_id"].nunique()
            notes.append(
                f"cost of operation: {filled['site_id'].nunique()} site(s) with components "
                f"filled by the '{missing}' policy ("
                + ", ".join(f"{c} {n}" for c, n in per.items())
                + "); see the cost breakdown"
            )
    kept = table
    if len(excluded):
        keep = ~table.values.index.isin(excluded.index)
        kept = replace(table, values=table.values.loc[keep])
        notes.append(
            "excluded: "
            + "; ".join(
                f"{excluded.at[s, 'name']} ({excluded.at[s, 'reason']})" for s in excluded.index
            )
        )
        if keep.sum() == 0:
            raise SiteSelectError("every site is excluded by the sector's rules: " + notes[-1])
    policy = apply_missing_policy(kept, missing, criteria=used)
    vf_used: dict[str, str] = {}
    if method in VALUE_BASED_METHODS:
        values, vf_used = apply_value_functions(policy.matrix, criteria, sector)
        policy = replace(policy, matrix=values)
        if vf_used:
            notes.append(
                "value functions: "
                + "; ".join(f"{criteria.criterion(c).label}: {d}" for c, d in vf_used.items())
            )
    elif any(criteria.value_function(c, sector).kind != "linear" for c in policy.matrix.columns):
        notes.append(
            "value functions are applied by the value-based methods "
            f"({', '.join(VALUE_BASED_METHODS)}); {method} uses the raw values"
        )
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
        markets=dict(base.markets),
        excluded=excluded,
        exclusion_rules={r.rule_id: r in rules for r in criteria.sector(sector).exclusions},
        value_functions=vf_used,
        notes=tuple(notes) + tuple(policy.notes),
    )


def exclusions(
    table: DecisionTable,
    criteria: CriteriaSet,
    sector: str,
    catalog: Catalog,
    *,
    rules: Sequence[Exclusion] | None = None,
) -> pd.DataFrame:
    """Sites a rule of the sector removes, each with the rule broken and its reason.

    ``rules`` are the rules in force (default: the sector's rules on by default). A site
    whose value of the criterion is missing is not excluded (the rule cannot be checked);
    it is ranked with the missing-value policy, which the notes state.
    """
    rows = {}
    in_force = criteria.sector(sector).rules_in_force() if rules is None else rules
    for rule in in_force:
        crit = criteria.criterion(rule.criterion)
        for sid, value in table.values[rule.criterion].items():
            if pd.notna(value) and rule.breaks(float(value)) and sid not in rows:
                rows[sid] = {
                    "name": catalog.sites.at[sid, "name"],
                    "country": catalog.sites.at[sid, "country"],
                    "criterion": rule.criterion,
                    "value": float(value),
                    "reason": rule.describe(crit.label, float(value), crit.unit),
                }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(EXCLUDED_COLUMNS))


def apply_value_functions(
    matrix: pd.DataFrame, criteria: CriteriaSet, sector: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The matrix with each criterion's value function applied (linear ones untouched).

    A transformed column keeps its objective: it holds ``v`` for a benefit criterion and
    ``1 - v`` for a cost one, so every method and robustness analysis reads it the same way.
    Returns the matrix and, per transformed criterion, the function applied.
    """
    out = matrix.copy()
    used = {}
    for col in matrix.columns:
        vf = criteria.value_function(col, sector)
        if vf.kind == "linear":
            continue
        crit = criteria.criterion(col)
        v = vf.value(matrix[col].to_numpy(dtype=float), crit.objective)
        out[col] = v if crit.objective == "max" else 1.0 - v
        used[col] = vf.describe()
    return out, used
