"""Value levers: the smallest change in values a government can move — a power-price
subsidy, a tax holiday, a wage subsidy, an incentive — that makes a site rank first.

A lever improves the target's value on one criterion (lowers a cost, raises a benefit),
never beyond the best value any site has there today. The size of a change is measured
by ``cost`` per unit of each criterion (default: per unit of the criterion's range over
the sites, so "a quarter of the range" costs 0.25 whichever the unit).

WSM with ``normalise="minmax"`` or ``"none"`` (``exact=True``): while the criteria's
scales stay as they are, the target's score is linear in its values, so the cheapest
combination of changes is a linear programme (``scipy.optimize.linprog``, HiGHS):
minimise ``Σ cost_j δ_j`` subject to ``score_t + Σ_j w_j δ_j / span_j >= score_i + margin``
for every other site ``i`` and ``0 <= δ_j <= gap_j``. If the target alone holds the worst
value of a lever, improving it moves that end of the scale (which helps it further): the
answer still wins when re-ranked but is not proven cheapest (``exact=False``); if it no
longer wins it is scaled up by bisection.

Every other method (``exact=False``): each lever alone is searched by bisection on the
size of the change, re-ranking with :func:`~siteselect.methods.rank_matrix` at every
step, to ``tol`` of the criterion's range; the cheapest single lever is returned.

Every answer is verified by re-ranking the changed matrix with ``rank_matrix``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import rank_matrix, validate_problem
from siteselect.robustness.model import FloatArray, criterion_index, prepare_model


def human(value: float) -> str:
    """A figure as a reader writes it: no e-notation, thousands separated.

    >>> human(4.621e7), human(123456.0), human(0.1234), human(-2.5)
    ('46.21 million', '123,456', '0.1234', '-2.5')
    """
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} million"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def policy_levers(criteria: Any | None = None) -> tuple[str, ...]:
    """The criteria a government or park operator can move by policy: those flagged
    ``lever: true`` in ``criteria`` (a :class:`~siteselect.criteria.CriteriaSet`; default
    the bundled ``criteria/criteria.yaml``), where ``lever_note`` says how.

    >>> policy_levers()
    ('market_tariff', 'operating_cost')
    """
    return _bundled_levers() if criteria is None else tuple(criteria.levers)


@cache
def _bundled_levers() -> tuple[str, ...]:
    from siteselect.criteria import load_criteria

    return load_criteria().levers


@dataclass(frozen=True)
class LeverResult:
    """The cheapest change of the target's values that makes it rank first alone."""

    target: Any
    feasible: bool
    changes: pd.DataFrame
    cost: float
    exact: bool
    message: str


def _first_alone(ranked: pd.DataFrame, target: Any) -> bool:
    ranks = ranked["rank"]
    return bool(ranks[target] == 1 and (ranks == 1).sum() == 1)


def value_levers(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    target: Any,
    method: str = "wsm",
    *,
    levers: Sequence[str] | None = None,
    cost: Mapping[str, float] | None = None,
    units: Mapping[str, str] | None = None,
    margin: float = 1e-6,
    tol: float = 1e-4,
    **params: Any,
) -> LeverResult:
    """The cheapest improvement of ``target``'s values on ``levers`` that makes it first.

    Parameters
    ----------
    matrix, objectives, weights, method, **params
        As for :func:`~siteselect.methods.rank_matrix`.
    target
        The site (a label of ``matrix.index``).
    levers
        Criteria whose value may change (default: the :func:`policy_levers` of the bundled
        criteria that are in ``matrix``).
    cost
        Criterion → cost of one unit of change (default ``1 / range``).
    units
        Criterion → unit, for the message.
    margin
        Lead over the runner-up required (score units).
    tol
        Precision of searched changes, as a share of the criterion's range.

    Returns
    -------
    LeverResult
        ``changes``: one row per changed criterion: ``current``, ``new``, ``change``,
        ``share_of_range``. ``cost``: ``Σ cost_j |change_j|``. ``exact``: proven cheapest.

    Examples
    --------
    >>> m = pd.DataFrame({"price": [10.0, 14.0, 13.0, 16.0], "quality": [3.0, 9.0, 7.0, 2.0]},
    ...                  index=["a", "b", "c", "d"])
    >>> res = value_levers(m, {"price": "min", "quality": "max"}, {"price": 1, "quality": 1},
    ...                    "c", levers=["price"])
    >>> res.feasible, res.exact, round(float(res.changes.at["price", "new"]), 2)
    (True, True, 12.29)
    """
    problem = validate_problem(matrix, objectives, weights)
    model = prepare_model(problem, method, params)
    if target not in matrix.index:
        raise UnknownNameError("site", target, map(str, matrix.index))
    if not margin > 0 or not tol > 0:
        raise SiteSelectError(f"margin and tol must be > 0; got {margin!r}, {tol!r}")
    names = [c for c in policy_levers() if c in problem.criteria] if levers is None else levers
    if not names:
        raise SiteSelectError(
            "no lever criteria: name the criteria whose values may change (levers=...)"
        )
    idx = [criterion_index(problem, c) for c in names]
    t = int(matrix.index.get_loc(target))
    X, sense = problem.X, problem.sense
    span = X.max(axis=0) - X.min(axis=0)
    best = np.where(sense > 0, X.max(axis=0), X.min(axis=0))
    gap = np.abs(best - X[t])  # room to improve, in units
    unit_cost = np.array(
        [
            float((cost or {}).get(str(problem.criteria[j]), 1.0 / span[j] if span[j] else 1.0))
            for j in range(X.shape[1])
        ]
    )
    bad = [
        str(problem.criteria[j])
        for j in idx
        if not (np.isfinite(unit_cost[j]) and unit_cost[j] > 0)
    ]
    if bad:
        raise SiteSelectError(f"lever cost must be a finite number > 0; check {', '.join(bad)}")
    unit = dict(units or {})

    def changed(delta: FloatArray) -> pd.DataFrame:
        frame = matrix.copy()
        col = frame.columns[idx]
        frame.loc[target, col] = X[t, idx] + sense[idx] * delta
        return frame

    def wins(delta: FloatArray) -> bool:
        return _first_alone(
            rank_matrix(changed(delta), objectives, weights, method, **params), target
        )

    def result(delta: FloatArray, exact: bool) -> LeverResult:
        keep = delta > 1e-12
        sel = np.array(idx)[keep]
        frame = pd.DataFrame(
            {
                "current": X[t, sel],
                "new": X[t, sel] + sense[sel] * delta[keep],
                "change": sense[sel] * delta[keep],
                "share_of_range": delta[keep] / np.where(span[sel] > 0, span[sel], 1.0),
            },
            index=pd.Index([str(problem.criteria[j]) for j in sel], name="criterion"),
        )
        total = float(np.sum(unit_cost[idx] * delta))
        parts = [
            f"{'lowering' if r.change < 0 else 'raising'} {c} from {human(r.current)} to "
            f"{human(r.new)}{' ' + unit[c] if c in unit else ''} ({r.share_of_range:.0%} of its "
            "range)"
            for c, r in frame.iterrows()
        ]
        how = "the cheapest such change" if exact else "found by search, not proven cheapest"
        return LeverResult(
            target,
            True,
            frame,
            total,
            exact,
            f"{'; '.join(parts).capitalize()} makes {target} rank first ({how}).",
        )

    none = pd.DataFrame(columns=["current", "new", "change", "share_of_range"])
    if wins(np.zeros(len(idx))):
        return LeverResult(target, True, none, 0.0, True, f"{target} already ranks first.")
    if not wins(gap[idx]):
        return LeverResult(
            target,
            False,
            none,
            float("nan"),
            True,
            f"No change of {', '.join(map(str, names))} within the best values any site has "
            f"today makes {target} rank first under {model.spec.label}.",
        )
    linear = method == "wsm" and model.params["normalise"] in ("minmax", "none")
    if linear:
        delta = _lp(
            model.scores(problem.w[None, :])[0],
            t,
            problem.w,
            idx,
            span,
            gap,
            unit_cost,
            margin,
            model.params["normalise"],
        )
        if delta is not None:
            # the scales stay put unless the target alone holds the worst value of a lever
            worst = np.where(sense > 0, X.min(axis=0), X.max(axis=0))
            alone_worst = any(
                X[t, j] == worst[j] and (X[:, j] == worst[j]).sum() == 1 for j in idx
            )
            if wins(delta):
                return result(delta, exact=not alone_worst)
            lo, hi = (
                1.0,
                float(np.max(np.where(delta > 0, gap[idx] / np.maximum(delta, 1e-300), np.inf))),
            )
            scaled = _bisect(
                lambda s: wins(np.minimum(delta * s, gap[idx])), lo, min(hi, 1e6), tol
            )
            return result(np.minimum(delta * scaled, gap[idx]), exact=False)
    best_single: tuple[float, FloatArray] | None = None
    for k, j in enumerate(idx):
        if gap[j] <= 0:
            continue
        one = np.zeros(len(idx))
        one[k] = gap[j]
        if not wins(one):
            continue

        def at(share: float, k: int = k, j: int = j) -> bool:
            trial = np.zeros(len(idx))
            trial[k] = share * gap[j]
            return wins(trial)

        share = _bisect(at, 0.0, 1.0, tol * (span[j] / gap[j]) if gap[j] else tol)
        trial = np.zeros(len(idx))
        trial[k] = share * gap[j]
        price = float(unit_cost[j] * trial[k])
        if best_single is None or price < best_single[0]:
            best_single = (price, trial)
    if best_single is None:  # only a combination of levers works: move them all
        lo = _bisect(lambda s: wins(s * gap[idx]), 0.0, 1.0, tol)
        return result(lo * gap[idx], exact=False)
    return result(best_single[1], exact=False)


def _bisect(ok: Any, bad: float, good: float, tol: float) -> float:
    """Smallest ``s`` in ``(bad, good]`` with ``ok(s)`` (``ok(good)`` holds), to ``tol``."""
    while good - bad > tol:
        mid = 0.5 * (bad + good)
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def _lp(
    score: FloatArray,
    t: int,
    w: FloatArray,
    idx: list[int],
    span: FloatArray,
    gap: FloatArray,
    unit_cost: FloatArray,
    margin: float,
    normalise: str,
) -> FloatArray | None:
    from scipy.optimize import linprog

    cols = np.array(idx)
    per_unit = (
        w[cols] / np.where(span[cols] > 0, span[cols], np.inf)
        if normalise == "minmax"
        else w[cols]
    )
    others = np.delete(np.arange(len(score)), t)
    # score_t + Σ per_unit δ >= score_i + margin  <=>  -per_unit·δ <= score_t - score_i - margin
    A_ub = np.tile(-per_unit, (len(others), 1))
    b_ub = score[t] - score[others] - margin
    res = linprog(
        unit_cost[cols],
        A_ub=A_ub,
        b_ub=b_ub,
        bounds=list(zip(np.zeros(len(cols)), gap[cols], strict=True)),
        method="highs",
    )
    return np.asarray(res.x, dtype=float) if res.status == 0 else None
