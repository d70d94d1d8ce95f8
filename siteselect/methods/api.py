"""The method registry and the validated entry points: rank, explain, re-rank."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError, WeightError
from siteselect.methods import fast
from siteselect.methods.base import (
    Explanation,
    FloatArray,
    IntArray,
    Method,
    benefit_scaled,
    dense_rank,
)
from siteselect.methods.problem import Problem, validate_problem, weight_vector
from siteselect.methods.promethee import PROMETHEE2
from siteselect.methods.reference import REFERENCES
from siteselect.methods.topsis import TOPSIS
from siteselect.methods.vikor import VIKOR
from siteselect.methods.weighted import WPM, WSM

METHODS: dict[str, Method] = {
    m.name: replace(m, reference=REFERENCES.get(m.name))
    for m in (WSM, WPM, TOPSIS, VIKOR, PROMETHEE2)
}
ENGINES = ("numpy", "skcriteria")


def get_method(name: str) -> Method:
    """Look a method up by name; the error lists the valid names."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise UnknownNameError("method", name, METHODS) from None


def check_params(
    method: Method, params: Mapping[str, Any], criteria: pd.Index | list[str]
) -> dict[str, Any]:
    """``method``'s parameters validated over its defaults for these criteria."""
    return method.check_params(params, [str(c) for c in criteria])


def prepare_state(problem: Problem, method: Method, params: Mapping[str, Any]) -> Any:
    """The weight-independent state of ``method`` on ``problem`` (params validated)."""
    m = len(problem.alternatives)
    if method.max_alternatives is not None and m > method.max_alternatives:
        raise SiteSelectError(
            f"{method.label} compares every pair of alternatives (O(m²) memory and time); "
            f"{m} alternatives exceed its limit of {method.max_alternatives}. Use wsm, wpm "
            "or topsis for screening large candidate sets."
        )
    if method.positive_values is not None and method.positive_values(params):
        bad = [c for j, c in enumerate(problem.criteria) if (problem.X[:, j] <= 0).any()]
        if bad:
            shown = {k: v for k, v in params.items() if k in ("form", "normalise")}
            raise SiteSelectError(
                f"{method.label} with {shown} divides values by each other and needs "
                f"positive values; criteria {', '.join(bad)} have values <= 0"
            )
    return method.prepare(problem.X, problem.sense, **params)


def _finite_scores(method: Method, score: FloatArray, params: Mapping[str, Any]) -> FloatArray:
    if not np.isfinite(score).all():  # a guard: validated parameters never get here
        raise SiteSelectError(
            f"{method.label} produced non-finite scores with parameters {dict(params)!r}"
        )
    return score


def rank_problem(
    problem: Problem, method: str = "topsis", *, engine: str = "numpy", **params: Any
) -> tuple[FloatArray, IntArray]:
    """Scores and dense ranks for a validated :class:`Problem`."""
    spec = get_method(method)
    merged = check_params(spec, params, problem.criteria)
    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    if engine == "skcriteria":
        if spec.reference is None:
            raise SiteSelectError(
                f"method {method!r} has no scikit-criteria implementation; use engine='numpy'"
            )
        prepare_state(problem, spec, merged)  # the same checks as the numpy path
        score, ranks = spec.reference(problem.X, problem.sense, problem.w, **merged)
        return np.asarray(score, dtype=float), np.asarray(ranks, dtype=np.int64)
    single = fast.SINGLE.get(spec.name)
    if single is not None and merged == spec.defaults:
        score = single(problem.X, problem.sense, problem.w)
        return score, dense_rank(score)
    state = prepare_state(problem, spec, merged)
    W = problem.w[None, :]
    score = _finite_scores(spec, spec.scores(state, W)[0], merged)
    return score, spec.ranks(state, W)[0]


def rank_matrix(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    method: str = "topsis",
    *,
    engine: str = "numpy",
    **params: Any,
) -> pd.DataFrame:
    """Rank the alternatives of a decision matrix.

    Parameters
    ----------
    matrix : DataFrame
        Rows are alternatives, columns criteria; finite numbers only.
    objectives : mapping
        Column → ``"max"`` or ``"min"``.
    weights : mapping
        Column → non-negative number (normalised to sum to 1; not all zero).
    method : str
        One of ``wsm``, ``wpm``, ``topsis``, ``vikor``, ``promethee2``.
    engine : str
        ``"numpy"`` (vectorised, default) or ``"skcriteria"`` (the reference pipeline).
    **params
        Method parameters (``METHODS[method].params`` lists them with their ranges);
        each is validated and an error names the parameter and the value.

    Returns
    -------
    DataFrame
        Indexed like ``matrix`` with ``score`` (higher is better) and ``rank`` (1 = best);
        for ``vikor`` also ``S`` and ``R`` (group utility and regret, 0 = best) and ``Q``.

    Examples
    --------
    >>> m = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]}, index=["a", "b", "c"])
    >>> rank_matrix(m, {"cost": "min", "quality": "max"}, {"cost": 2, "quality": 1},
    ...             method="wsm").round(3)
       score  rank
    a  0.667     1
    b  0.333     3
    c  0.500     2
    """
    problem = validate_problem(matrix, objectives, weights)
    score, ranks = rank_problem(problem, method, engine=engine, **params)
    out = pd.DataFrame({"score": score, "rank": ranks}, index=matrix.index.copy())
    if method == "vikor":
        spec = get_method(method)
        state = prepare_state(problem, spec, check_params(spec, params, problem.criteria))
        agg = spec.explain(state, problem.w, problem.alternatives, problem.criteria)
        for key in ("S", "R", "Q"):
            out[key] = agg.aggregates()[key].to_numpy()
    return out


def explain_problem(problem: Problem, method: str = "topsis", **params: Any) -> Explanation:
    """The per-criterion explanation of ``method``'s score on a validated problem."""
    spec = get_method(method)
    merged = check_params(spec, params, problem.criteria)
    state = prepare_state(problem, spec, merged)
    return spec.explain(state, problem.w, problem.alternatives, problem.criteria)


def explain(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    method: str = "topsis",
    **params: Any,
) -> Explanation:
    """Decompose ``method``'s score of every alternative per criterion.

    The explanation's :meth:`~siteselect.methods.Explanation.reconstruct` recomputes the
    score from its terms alone; ``formula`` says how.

    >>> m = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]}, index=["a", "b", "c"])
    >>> e = explain(m, {"cost": "min", "quality": "max"}, {"cost": 2, "quality": 1}, "wpm")
    >>> bool(e.check()), e.formula
    (True, 'score = exp(Σ_j contribution_j)')
    """
    return explain_problem(validate_problem(matrix, objectives, weights), method, **params)


def contributions(
    matrix: pd.DataFrame, objectives: Mapping[str, str], weights: Mapping[str, float]
) -> pd.DataFrame:
    """Weighted, benefit-oriented min–max performance ``w_j r_ij`` of every cell.

    These are WSM's contributions (their row sums are the WSM scores). To explain another
    method's score use :func:`explain`.
    """
    problem = validate_problem(matrix, objectives, weights)
    R = benefit_scaled(problem.X, problem.sense)
    return pd.DataFrame(R * problem.w, index=matrix.index.copy(), columns=matrix.columns.copy())


@dataclass(frozen=True)
class PreparedProblem:
    """A decision problem with its weight-independent work done, for interactive re-ranking.

    Build it once per matrix and method with :func:`prepare_problem`; then every
    :meth:`rank` call with new weights costs one small matrix product and one sort.
    """

    problem: Problem
    method: Method
    params: Mapping[str, Any]
    state: Any
    scaled: FloatArray

    def weight_array(self, weights: Mapping[str, float] | FloatArray) -> FloatArray:
        """Validated weights as an array summing to 1."""
        if isinstance(weights, Mapping):
            return weight_vector(weights, self.problem.criteria)
        w = np.asarray(weights, dtype=float)
        if (
            w.shape != (len(self.problem.criteria),)
            or not np.all(np.isfinite(w))
            or (w < 0).any()
            or w.sum() <= 0
        ):
            raise WeightError(
                f"weights must be {len(self.problem.criteria)} finite, non-negative "
                f"numbers, not all zero; got {w!r}"
            )
        out: FloatArray = w / w.sum()
        return out

    def rank(
        self, weights: Mapping[str, float] | FloatArray
    ) -> tuple[FloatArray, IntArray, FloatArray]:
        """Scores, dense ranks and weighted (WSM) contributions (m × n) for ``weights``."""
        w = self.weight_array(weights)
        W = w[None, :]
        score = self.method.scores(self.state, W)[0]
        return score, self.method.ranks(self.state, W)[0], self.scaled * w

    def explain(self, weights: Mapping[str, float] | FloatArray) -> Explanation:
        """The method's own explanation for ``weights``."""
        w = self.weight_array(weights)
        return self.method.explain(self.state, w, self.problem.alternatives, self.problem.criteria)


def prepare_problem(
    matrix: pd.DataFrame, objectives: Mapping[str, str], method: str = "topsis", **params: Any
) -> PreparedProblem:
    """Validate ``matrix`` once and do the weight-independent work of ``method``.

    >>> m = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]})
    >>> prepared = prepare_problem(m, {"cost": "min", "quality": "max"}, "wsm")
    >>> prepared.rank({"cost": 2, "quality": 1})[1].tolist()
    [1, 3, 2]
    """
    spec = get_method(method)
    problem = validate_problem(matrix, objectives, dict.fromkeys(matrix.columns, 1.0))
    merged = check_params(spec, params, problem.criteria)
    state = prepare_state(problem, spec, merged)
    return PreparedProblem(problem, spec, merged, state, benefit_scaled(problem.X, problem.sense))
