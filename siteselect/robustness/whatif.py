"""What would make an alternative win: the smallest change of weights."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import TIE_DECIMALS, Problem, benefit_scaled, validate_problem
from siteselect.robustness.model import (
    BoolArray,
    FloatArray,
    Model,
    one_blas_thread,
    prepare_model,
)
from siteselect.robustness.sampling import simplex

STARTS = 5
"""Starting points refined by the weights_to_win search (non-linear methods)."""


@dataclass(frozen=True)
class WinResult:
    """The smallest weight change that makes ``target`` rank first; see :func:`weights_to_win`."""

    target: Any
    feasible: bool
    weights: pd.Series | None
    distance: float
    exact: bool
    message: str


def _dominators(problem: Problem, t: int) -> list[int]:
    """Alternatives at least as good as ``t`` on every criterion (strict ones first)."""
    diff = (problem.X - problem.X[t]) * problem.sense
    weak = np.all(diff >= 0, axis=1)
    weak[t] = False
    strict = weak & np.any(diff > 0, axis=1)
    return [*np.flatnonzero(strict).tolist(), *np.flatnonzero(weak & ~strict).tolist()]


def linear_win(M: FloatArray, t: int, w0: FloatArray, margin: float) -> FloatArray | None:
    """Min L1 move from ``w0`` on the simplex with ``(M_t - M_j)·w >= margin`` (LP)."""
    from scipy.optimize import linprog

    m, n = M.shape
    others = np.delete(np.arange(m), t)
    # variables: w (n), up (n), down (n); w - up + down = w0; minimise sum(up + down)
    c = np.concatenate([np.zeros(n), np.ones(2 * n)])
    A_ub = np.hstack([M[others] - M[t], np.zeros((len(others), 2 * n))])
    b_ub = np.full(len(others), -margin)
    A_eq = np.vstack(
        [
            np.hstack([np.eye(n), -np.eye(n), np.eye(n)]),
            np.concatenate([np.ones(n), np.zeros(2 * n)])[None, :],
        ]
    )
    b_eq = np.concatenate([w0, [1.0]])
    res = linprog(
        c,
        A_ub=A_ub if len(others) else None,
        b_ub=b_ub if len(others) else None,
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        return None
    w = np.clip(res.x[:n], 0.0, None)
    return np.asarray(w / w.sum(), dtype=float)


def _best_blend(M: FloatArray, t: int) -> FloatArray:
    """Weights ``λ`` of the other alternatives whose blend comes closest to beating ``t``
    on every criterion (``min_λ max_k (M_t - λ·M_others)_k``, by LP)."""
    from scipy.optimize import linprog

    m, n = M.shape
    others = np.delete(np.arange(m), t)
    k = len(others)
    c = np.concatenate([np.zeros(k), [1.0]])
    A_ub = np.hstack([-M[others].T, -np.ones((n, 1))])
    b_ub = -M[t]
    A_eq = np.concatenate([np.ones(k), [0.0]])[None, :]
    bounds = [(0.0, None)] * k + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    lam = np.zeros(m)
    if res.status == 0:
        lam[others] = res.x[:k]
    return lam


def alone_first(model: Model, W: FloatArray, t: int) -> BoolArray:
    """Whether ``t`` ranks first alone under each weight vector (k × n).

    Methods ranked by score: ``t``'s score beats every other to the 12 decimals of
    :func:`~siteselect.methods.dense_rank` (no sort); VIKOR: its compromise-set ranks."""
    if model.spec.batch_ranks is not None:
        ranks = model.ranks(W)
        return np.asarray((ranks[:, t] == 1) & ((ranks == 1).sum(axis=1) == 1), dtype=bool)
    scores = np.round(model.scores(W), TIE_DECIMALS)
    mine = scores[:, t].copy()
    scores[:, t] = -np.inf
    return np.asarray(mine > scores.max(axis=1), dtype=bool)


def _search_win(
    model: Model,
    t: int,
    w0: FloatArray,
    *,
    seed: int,
    tol: float,
    progress: Callable[[float], None] | None = None,
) -> FloatArray | None:
    """Heuristic search for the nearest (L1) weights making ``t`` first alone.

    Start from vertices, uniform samples, mixtures of ``w0`` with uniform samples and the
    WSM linear-programme solution; pull every winning candidate back towards ``w0`` by
    bisection; then pattern search around the best few points (transfers of a share of one
    criterion's weight to another, random contractions and random sum-zero steps),
    shrinking the step.
    """
    rng = np.random.default_rng(seed)
    n = len(w0)
    problem = model.problem
    candidates = [np.eye(n), simplex(rng, 4000, n)]
    for rho in (0.05, 0.2, 0.5):
        candidates.append((1 - rho) * w0 + rho * simplex(rng, 300, n))
    lp = linear_win(benefit_scaled(problem.X, problem.sense), t, w0, 1e-6)
    if lp is not None:
        candidates.append(lp[None, :])

    def pull_back(P: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The winning rows of ``P`` moved towards ``w0`` by bisection, and their distance."""
        P = P[alone_first(model, P, t)]
        length = np.abs(P - w0).sum(axis=1)
        lo, hi = np.zeros(len(P)), np.ones(len(P))
        while len(P) and ((hi - lo) * length).max() > tol:
            mid = 0.5 * (lo + hi)
            good = alone_first(model, w0 + mid[:, None] * (P - w0), t)
            hi = np.where(good, mid, hi)
            lo = np.where(good, lo, mid)
        return w0 + hi[:, None] * (P - w0), hi * length

    def refine(best: FloatArray, best_dist: float) -> tuple[FloatArray, float]:
        src, dst = np.nonzero(~np.eye(n, dtype=bool))
        rho = 0.3
        while rho > tol:
            for _ in range(8):
                transfers = np.tile(best, (len(src), 1))
                moved = rho * best[src]
                transfers[np.arange(len(src)), src] -= moved
                transfers[np.arange(len(src)), dst] += moved
                contractions = (1 - rho) * best + rho * simplex(rng, 200, n)
                steps = best + rho * (simplex(rng, 200, n) - simplex(rng, 200, n))
                steps = np.clip(steps, 0.0, None)
                steps /= steps.sum(axis=1, keepdims=True)
                found, dist = pull_back(np.concatenate([transfers, contractions, steps]))
                if not len(dist) or dist.min() >= best_dist - 1e-12:
                    break
                best, best_dist = found[np.argmin(dist)], float(dist.min())
            rho /= 3
        return best, best_dist

    def done(share: float) -> None:
        if progress is not None:
            progress(share)

    starts, dists = pull_back(np.concatenate(candidates))
    done(0.2)
    if not len(starts):
        return None
    chosen = np.argsort(dists)[:STARTS]
    results = []
    for n_done, k in enumerate(chosen, start=1):
        results.append(refine(starts[k], float(dists[k])))
        done(0.2 + 0.8 * n_done / len(chosen))
    return min(results, key=lambda r: r[1])[0]


def _move_phrase(delta: pd.Series) -> str:
    """'mostly from A to B': where the moved weight comes from and goes to."""
    losers = delta[delta < -1e-9].sort_values()
    gainers = delta[delta > 1e-9].sort_values(ascending=False)
    if losers.empty or gainers.empty:
        return "a negligible shift"
    mostly = "mostly " if len(losers) > 1 or len(gainers) > 1 else ""
    return f"{mostly}from {losers.index[0]} to {gainers.index[0]}"


@one_blas_thread()
def weights_to_win(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    target: Any,
    method: str = "wsm",
    *,
    margin: float = 1e-6,
    seed: int = 0,
    tol: float = 1e-4,
    progress: Callable[[float], None] | None = None,
    **params: Any,
) -> WinResult:
    """The smallest change of the weights that makes ``target`` rank first, alone.

    Distance is the L1 distance between the normalised weight vectors,
    ``Σ_j |w_j - w0_j|``; it equals twice the share of the total weight that has to move
    (moving 10% of the weight from one criterion to another is a distance of 0.2).

    WSM, WPM and PROMETHEE II (``exact=True``): their scores (WPM: log-scores) are linear
    in the weights, so the answer is a linear programme (``scipy.optimize.linprog``,
    HiGHS): variables ``w``, ``up``, ``down`` with ``w - up + down = w0``, ``Σw = 1``,
    all ≥ 0, minimising ``Σ(up + down)`` subject to ``score_target - score_j >= margin``
    for every other ``j``. Requiring a positive ``margin`` means a tie for first does not
    count as winning; the minimum found is within ``O(margin)`` of the infimum.

    TOPSIS and VIKOR (``exact=False``): a search — vertices, uniform and local samples
    and the WSM linear-programme solution, each pulled back towards the current weights
    by bisection (to ``tol`` in L1), then random local refinement. The returned weights
    are verified to make ``target`` first alone; the distance is an upper bound of the
    minimum, not proven minimal. "Infeasible" then means that no weights were found.

    Dominance is checked first for every method: a target that another alternative
    equals or beats on every criterion can never rank first alone.

    Parameters
    ----------
    matrix, objectives, weights, method, **params
        As for :func:`~siteselect.methods.rank_matrix`.
    target
        The alternative (a label of ``matrix.index``).
    margin
        Lead over the runner-up required by the linear programme, in score units (log-score
        for WPM); must be > 0.
    seed, tol
        Seed and L1 precision of the search for non-linear methods.
    progress
        Called with the share of the search done (non-linear methods), after each step.

    Returns
    -------
    WinResult

    Examples
    --------
    >>> m = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]}, index=["a", "b", "c"])
    >>> res = weights_to_win(m, {"cost": "min", "quality": "max"}, {"cost": 2, "quality": 1},
    ...                      "b")
    >>> res.feasible, round(res.distance, 4)
    (True, 0.3333)
    >>> res.message
    'Moving 16.7% of the total weight — from cost to quality — makes b rank first.'
    """
    problem = validate_problem(matrix, objectives, weights)
    model = prepare_model(problem, method, params)
    if target not in matrix.index:
        raise UnknownNameError("alternative", target, map(str, matrix.index))
    if not margin > 0:
        raise SiteSelectError(f"margin must be > 0; got {margin!r}")
    t = int(matrix.index.get_loc(target))
    w0 = problem.w
    exact = model.linear
    label = model.spec.label

    def infeasible(message: str, proven: bool = exact) -> WinResult:
        return WinResult(target, False, None, float("nan"), proven, message)

    dominators = _dominators(problem, t)
    if dominators:
        j = dominators[0]
        other = matrix.index[j]
        better = problem.criteria[(problem.X[j] - problem.X[t]) * problem.sense > 0]
        if len(better):
            why = (
                f"it is dominated by {other} (at least as good on every criterion, better "
                f"on {', '.join(better)})"
            )
        else:
            why = f"it has the same values as {other} on every criterion"
        return infeasible(f"No weights make {target} rank first: {why}.", proven=True)
    if alone_first(model, w0[None, :], t)[0]:
        return WinResult(
            target,
            True,
            pd.Series(w0, index=matrix.columns.copy(), name="weight"),
            0.0,
            exact,
            f"{target} already ranks first under the current weights.",
        )
    if exact:
        w = linear_win(model.matrix, t, w0, margin)
    else:
        w = _search_win(model, t, w0, seed=seed, tol=tol, progress=progress)
    if w is None and exact:
        lam = pd.Series(_best_blend(model.matrix, t), index=matrix.index)
        blend = lam[lam > 1e-6].sort_values(ascending=False)
        parts = " and ".join(f"{a} ({v:.0%})" for a, v in blend.items())
        return infeasible(
            f"No weights make {target} rank first under {label}: under every weighting "
            f"another site scores higher (a blend of {parts} is at least as good on every "
            "criterion)."
        )
    if w is None:
        return infeasible(
            f"No weights found that make {target} rank first under {label} (searched "
            "vertices, random and local weight vectors); it may be impossible.",
            proven=False,
        )
    if not alone_first(model, w[None, :], t)[0]:  # pragma: no cover - solver tolerance
        raise SiteSelectError(f"internal error: weights found for {target} do not verify")
    weights_out = pd.Series(w, index=matrix.columns.copy(), name="weight")
    distance = float(np.abs(w - w0).sum())
    delta = pd.Series(w - w0, index=problem.criteria)
    return WinResult(
        target,
        True,
        weights_out,
        distance,
        exact,
        f"Moving {distance / 2:.1%} of the total weight — {_move_phrase(delta)} — makes "
        f"{target} rank first.",
    )
