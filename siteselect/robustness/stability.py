"""Stability intervals: the weight range within which the leader holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError
from siteselect.methods import validate_problem
from siteselect.robustness.model import (
    BoolArray,
    FloatArray,
    IntArray,
    Model,
    path_ends,
    prepare_model,
)

GRID_POINTS = 201
"""Grid of the weight interval searched before bisection (non-linear methods)."""


def _holds(ranks: IntArray, members: BoolArray) -> BoolArray:
    """True where no member of the set ranks behind a non-member (ties allowed)."""
    if members.all():
        return np.ones(ranks.shape[0], dtype=bool)
    return ranks[:, members].max(axis=1) <= ranks[:, ~members].min(axis=1)


def _exact_intervals(
    M: FloatArray, members: BoolArray, w: FloatArray, rests: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Crossing points of the linear score lines ``s_i(t) = c_i + t d_i``, per criterion."""
    n = len(w)
    if members.all():
        return np.zeros(n), np.ones(n)
    C = M @ rests.T  # c_i for every criterion's path (m × n)
    D = M - C  # slopes d_i
    A = C[members][:, None, :] - C[~members][None, :, :]
    B = D[members][:, None, :] - D[~members][None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = -A / B
    rising = B > 1e-12
    falling = B < -1e-12
    low = np.where(rising, roots, -np.inf).max(axis=(0, 1))
    high = np.where(falling, roots, np.inf).min(axis=(0, 1))
    return np.clip(low, 0.0, w), np.clip(high, w, 1.0)


def _searched_intervals(
    model: Model, members: BoolArray, w: FloatArray, rests: FloatArray, tol: float
) -> tuple[FloatArray, FloatArray]:
    """Grid of ``GRID_POINTS`` values of each weight, then bisection on each boundary."""
    n = len(w)
    eye = np.eye(n)
    grid = np.linspace(0.0, 1.0, GRID_POINTS)
    ts = np.sort(np.concatenate([np.tile(grid, (n, 1)), w[:, None]], axis=1), axis=1)
    W = ts[:, :, None] * eye[:, None, :] + (1.0 - ts[:, :, None]) * rests[:, None, :]
    ok = _holds(model.ranks(W.reshape(-1, n)), members).reshape(ts.shape)
    low, high = np.zeros(n), np.ones(n)
    brackets: list[tuple[int, int, float, float]] = []  # (criterion, side, t_ok, t_not)
    for j in range(n):
        i0 = int(np.searchsorted(ts[j], w[j]))
        ok[j, i0] = True  # the current weights satisfy the condition by definition
        below = np.flatnonzero(~ok[j, :i0])
        above = np.flatnonzero(~ok[j, i0:])
        if below.size:
            k = int(below[-1])
            brackets.append((j, 0, ts[j, k + 1], ts[j, k]))
        if above.size:
            k = i0 + int(above[0])
            brackets.append((j, 1, ts[j, k - 1], ts[j, k]))
    if brackets:
        crit = np.array([b[0] for b in brackets])
        side = np.array([b[1] for b in brackets])
        t_ok = np.array([b[2] for b in brackets])
        t_not = np.array([b[3] for b in brackets])
        while np.abs(t_ok - t_not).max() > tol:
            mid = 0.5 * (t_ok + t_not)
            Wm = mid[:, None] * eye[crit] + (1.0 - mid[:, None]) * rests[crit]
            good = _holds(model.ranks(Wm), members)
            t_ok = np.where(good, mid, t_ok)
            t_not = np.where(good, t_not, mid)
        low[crit[side == 0]] = t_ok[side == 0]
        high[crit[side == 1]] = t_ok[side == 1]
    return low, high


def stability_intervals(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    method: str = "wsm",
    *,
    top_k: int = 1,
    tol: float = 1e-4,
    **params: Any,
) -> pd.DataFrame:
    """The range of each criterion's weight within which the current leader stays first.

    Each criterion's weight is moved alone, the others rescaled proportionally (see the
    module notes). The leader is the first-ranked alternative under the current weights;
    with ``top_k > 1`` it is the set of the ``top_k`` first (ties at the edge of the set
    broken by the order of ``matrix``).

    Ties: the leader *stays first* while no other alternative ranks ahead of it; sharing
    first place counts as staying first (with ``top_k``: no member of the set ranks behind
    a non-member). Intervals are therefore closed, and their ends are where another
    alternative draws level.

    Parameters
    ----------
    matrix, objectives, weights, method, **params
        As for :func:`~siteselect.methods.rank_matrix`.
    top_k
        Size of the leading set that must stay the same set.
    tol
        Precision of the boundaries for methods that are searched (see ``exact``).

    Returns
    -------
    DataFrame
        Indexed by criterion: ``low``, ``high`` (the interval of that weight, containing
        the current weight, within which the condition holds), ``current`` (the current
        normalised weight) and ``exact``.

        ``exact`` is True for ``wsm``, ``wpm`` and ``promethee2``: along the path their
        scores (WPM: log-scores) are linear in the weight, so the ends are solved
        analytically. For ``topsis`` and ``vikor`` the interval is searched: a grid of
        201 values of the weight, then bisection of each boundary to ``tol``; the
        condition holds at ``low`` and ``high`` and fails within ``tol`` beyond them
        (unless they are 0 or 1). An excursion narrower than the grid step (0.005)
        inside the interval can be missed.

    Examples
    --------
    >>> m = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]}, index=["a", "b", "c"])
    >>> stability_intervals(m, {"cost": "min", "quality": "max"},
    ...                     {"cost": 2, "quality": 1})  # doctest: +NORMALIZE_WHITESPACE
               low  high   current  exact
    criterion
    cost       0.5   1.0  0.666667   True
    quality    0.0   0.5  0.333333   True
    """
    problem = validate_problem(matrix, objectives, weights)
    model = prepare_model(problem, method, params)
    m, n = problem.X.shape
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= m:
        raise SiteSelectError(f"top_k must be an integer from 1 to {m}; got {top_k!r}")
    if not tol > 0:
        raise SiteSelectError(f"tol must be > 0; got {tol!r}")
    w = problem.w
    current = model.ranks(w[None, :])[0]
    members = np.zeros(m, dtype=bool)
    members[np.lexsort((np.arange(m), current))[:top_k]] = True
    if n == 1:
        low, high = np.ones(1), np.ones(1)
    else:
        rests = np.array([path_ends(w, [j])[1] for j in range(n)])
        if model.linear:
            low, high = _exact_intervals(model.matrix, members, w, rests)
        else:
            low, high = _searched_intervals(model, members, w, rests, tol)
    return pd.DataFrame(
        {"low": low, "high": high, "current": w, "exact": model.linear or n == 1},
        index=pd.Index(problem.criteria, name="criterion"),
    )
