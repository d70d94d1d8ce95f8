"""Robustness of a ranking: how sure it is, and what would change it.

Every function takes the inputs of :func:`siteselect.methods.rank_matrix` (``matrix``,
``objectives``, ``weights``, ``method``, method ``**params``), validates them once with
:func:`~siteselect.methods.validate_problem`, and then computes in numpy on the method's
``prepare`` / ``scores`` split, so the weight-independent work is done once and many
weight vectors are scored in one batch.

:func:`weight_sweep`
    scores and ranks as one criterion's (or a group's) weight goes from 0 to 1;
:func:`stability_intervals`
    for each criterion, the weight interval within which the leader (or top k) holds;
:func:`smaa`, :func:`smaa_full`
    SMAA-2 rank acceptability, central weights and confidence (Lahdelma & Salminen 2001),
    with optional weight bounds, weight order and value ranges;
:func:`weights_to_win`
    the smallest change of weights that makes a given alternative rank first;
:func:`rank_reversal`
    does removing an alternative, or adding a copy or a dominated phantom, reorder the
    others?

Weight paths
    Changing the weight of criterion ``j`` (or of a set of criteria) to ``t`` rescales the
    other weights proportionally so that all weights still sum to 1:
    ``w(t) = t · w_S / Σw_S + (1 - t) · w_rest / Σw_rest``. When the weights inside the
    set (or outside it) are all zero they are split equally instead.

Ties
    Ranks are the dense ranks of :func:`~siteselect.methods.rank_matrix` (scores equal
    to 12 decimals tie; VIKOR's compromise set shares rank 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import (
    Method,
    Problem,
    _preference,
    _scale_to_unit,
    _vikor_q,
    benefit_scaled,
    check_params,
    dense_rank,
    get_method,
    rank_matrix,
    rank_problem,
    validate_problem,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: methods whose ranking is the order of ``W @ M.T`` for a fixed matrix ``M`` (their
#: ``prepare`` state): WSM (``M = R``), WPM (``log`` of the score, ``M = log R``) and
#: PROMETHEE II (net flow, ``M`` = per-criterion flows). For them intervals and
#: ``weights_to_win`` are solved exactly.
LINEAR_METHODS = frozenset({"wsm", "wpm", "promethee2"})

GRID_POINTS = 201
"""Grid of the weight interval searched before bisection (non-linear methods)."""
CHUNK_ELEMENTS = 2**19
"""Largest array (in elements) built per chunk of SMAA samples (4 MB of floats)."""
DRAW_BLOCK = 4096
"""Candidate weight vectors drawn per block by the rejection sampler."""
PILOT_DRAWS = 20_000
"""Candidate draws after which the rejection sampler checks its acceptance rate."""
MAX_DRAWS = 20_000_000
"""Refuse bounds/order whose acceptance rate would need more candidate draws than this."""
STARTS = 5
"""Starting points refined by the weights_to_win search (non-linear methods)."""


# --- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class SMAAResult:
    """SMAA-2 results; see :func:`smaa_full`."""

    acceptability: pd.DataFrame
    central_weights: pd.DataFrame
    confidence: pd.Series
    samples: int
    seed: int
    method: str


@dataclass(frozen=True)
class WinResult:
    """The smallest weight change that makes ``target`` rank first; see :func:`weights_to_win`."""

    target: Any
    feasible: bool
    weights: pd.Series | None
    distance: float
    exact: bool
    message: str


@dataclass(frozen=True)
class RankReversalReport:
    """Rank-reversal checks (one row per check) and a plain-language summary."""

    method: str
    checks: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def reversal(self) -> bool:
        """True when any check changed the order of the other alternatives."""
        return bool(self.checks["order_changed"].any())


# --- the prepared model ----------------------------------------------------------


def _vikor_batch_ranks(
    Q: FloatArray, S: FloatArray, R: FloatArray, use_compromise_set: bool
) -> IntArray:
    """:func:`siteselect.methods.vikor_ranks` for a batch (k × m) of Q, S', R' at once."""
    ranks = dense_rank(-Q)
    m = Q.shape[-1]
    if not use_compromise_set or m < 2:
        return ranks
    rows = np.arange(Q.shape[0])
    chosen = ranks == 1
    first = np.argmax(chosen, axis=1)
    advantage = (Q - Q[rows, first][:, None]) < 1.0 / (m - 1)
    acceptable_advantage = advantage.sum(axis=1) == chosen.sum(axis=1)
    bests = (S == 0) | (R == 0)
    acceptable_stability = ~(chosen & ~bests).any(axis=1)
    compromise = np.where(
        (acceptable_advantage & acceptable_stability)[:, None],
        chosen,
        np.where(acceptable_advantage[:, None], ranks <= 2, advantage),
    )
    top = np.where(compromise, ranks, 0).max(axis=1, keepdims=True)
    return np.where(ranks <= top, 1, ranks - top + 1).astype(np.int64)


def _vikor_state_ranks(state: Any, W: FloatArray) -> IntArray:
    Q, S, R = _vikor_q(state, W)
    return _vikor_batch_ranks(Q, S, R, state.use_compromise_set)


#: batch rankers for methods whose ranks are not the dense ranks of their scores
_STATE_RANKERS: dict[str, Callable[[Any, FloatArray], IntArray]] = {
    "vikor": _vikor_state_ranks,
}


@dataclass(frozen=True)
class _Model:
    problem: Problem
    spec: Method
    params: Mapping[str, Any]
    state: Any

    @property
    def linear(self) -> bool:
        return self.spec.name in LINEAR_METHODS

    def scores(self, W: FloatArray) -> FloatArray:
        return np.asarray(self.spec.scores(self.state, W), dtype=float)

    def ranks(self, W: FloatArray) -> IntArray:
        ranker = _STATE_RANKERS.get(self.spec.name)
        if ranker is not None:
            return ranker(self.state, W)
        return dense_rank(self.scores(W))


def _model(problem: Problem, method: str, params: Mapping[str, Any]) -> _Model:
    spec = get_method(method)
    merged = check_params(spec, params)
    m = len(problem.alternatives)
    if spec.max_alternatives is not None and m > spec.max_alternatives:
        raise SiteSelectError(
            f"{spec.label} compares every pair of alternatives; {m} alternatives exceed its "
            f"limit of {spec.max_alternatives}"
        )
    return _Model(problem, spec, merged, spec.prepare(problem.X, problem.sense, **merged))


def _criterion_index(problem: Problem, name: object) -> int:
    key = str(name)
    if key not in problem.criteria:
        raise UnknownNameError("criterion", name, problem.criteria)
    return int(problem.criteria.get_loc(key))


def _path_ends(w: FloatArray, inside: Sequence[int]) -> tuple[FloatArray, FloatArray]:
    """The two ends of the proportional-rescaling path: all weight inside / outside a set."""
    n = len(w)
    mask = np.zeros(n, dtype=bool)
    mask[list(inside)] = True
    top = np.where(mask, w, 0.0)
    top = top / top.sum() if top.sum() > 0 else mask / mask.sum()
    rest = np.where(mask, 0.0, w)
    rest = rest / rest.sum() if rest.sum() > 0 else ~mask / (~mask).sum()
    return top, rest


def _on_path(t: FloatArray, top: FloatArray, rest: FloatArray) -> FloatArray:
    """Weight vectors ``t · top + (1 - t) · rest`` (k × n) for a vector of ``t``."""
    t = np.asarray(t, dtype=float)[..., None]
    return t * top + (1.0 - t) * rest


# --- weight sweep ----------------------------------------------------------------


def weight_sweep(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    *,
    vary: str | Sequence[str],
    method: str = "wsm",
    steps: int = 21,
    **params: Any,
) -> pd.DataFrame:
    """Scores and ranks as the weight of one criterion, or of a set, goes from 0 to 1.

    Parameters
    ----------
    matrix, objectives, weights, method, **params
        As for :func:`~siteselect.methods.rank_matrix`.
    vary
        A criterion, or a list of criteria swept jointly: their total weight ``t`` goes
        from 0 to 1, split among them in proportion to their current weights (equally if
        those are all zero); the other weights are rescaled proportionally to ``1 - t``.
    steps
        Number of evenly spaced values of ``t`` (both ends included).

    Returns
    -------
    DataFrame
        Long format, ``steps × alternatives`` rows: ``weight`` (``t``), ``alternative``,
        ``score``, ``rank``; alternatives in the order of ``matrix`` within each ``t``.

    Examples
    --------
    >>> m = pd.DataFrame({"cost": [10, 20], "quality": [3, 9]}, index=["a", "b"])
    >>> sweep = weight_sweep(m, {"cost": "min", "quality": "max"},
    ...                      {"cost": 1, "quality": 1}, vary="cost", steps=3)
    >>> sweep
       weight alternative  score  rank
    0     0.0           a    0.0     2
    1     0.0           b    1.0     1
    2     0.5           a    0.5     1
    3     0.5           b    0.5     1
    4     1.0           a    1.0     1
    5     1.0           b    0.0     2
    """
    problem = validate_problem(matrix, objectives, weights)
    model = _model(problem, method, params)
    names = [vary] if isinstance(vary, str) else list(vary)
    if not names:
        raise SiteSelectError("vary must name at least one criterion; got an empty list")
    idx = [_criterion_index(problem, name) for name in names]
    if len(set(idx)) != len(idx):
        raise SiteSelectError(f"vary names a criterion more than once: {names!r}")
    if len(idx) == len(problem.criteria):
        raise SiteSelectError(
            f"vary covers every criterion ({', '.join(map(str, names))}); there is nothing "
            "left to trade its weight against"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise SiteSelectError(f"steps must be an integer >= 2; got {steps!r}")
    t = np.linspace(0.0, 1.0, steps)
    W = _on_path(t, *_path_ends(problem.w, idx))
    scores = model.scores(W)
    ranks = model.ranks(W)
    m = len(problem.alternatives)
    return pd.DataFrame(
        {
            "weight": np.repeat(t, m),
            "alternative": np.tile(problem.alternatives.to_numpy(), steps),
            "score": scores.ravel(),
            "rank": ranks.ravel(),
        }
    )


# --- stability intervals ---------------------------------------------------------


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
    model: _Model, members: BoolArray, w: FloatArray, rests: FloatArray, tol: float
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
    model = _model(problem, method, params)
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
        rests = np.array([_path_ends(w, [j])[1] for j in range(n)])
        if model.linear:
            low, high = _exact_intervals(model.state, members, w, rests)
        else:
            low, high = _searched_intervals(model, members, w, rests, tol)
    return pd.DataFrame(
        {"low": low, "high": high, "current": w, "exact": model.linear or n == 1},
        index=pd.Index(problem.criteria, name="criterion"),
    )


# --- weight sampling -------------------------------------------------------------


@dataclass(frozen=True)
class _Constraints:
    """Linear constraints ``G w >= h`` on normalised weights."""

    G: FloatArray
    h: FloatArray

    def admits(self, W: FloatArray) -> BoolArray:
        if not len(self.h):
            return np.ones(W.shape[0], dtype=bool)
        return np.all(np.greater_equal(W @ self.G.T, self.h), axis=1)


def _weight_names(criteria: pd.Index, groups: Mapping[str, str] | None) -> dict[str, FloatArray]:
    """Every name usable in ``bounds``/``order``: criteria, and groups when given."""
    n = len(criteria)
    names = {str(c): np.eye(n)[j] for j, c in enumerate(criteria)}
    if groups:
        # a lookup table: entries for criteria not in the matrix are ignored, so that
        # ``CriteriaSet.group_of()`` can be passed as it is
        groups = {c: g for c, g in groups.items() if str(c) in names}
        clash = sorted({str(g) for g in groups.values()} & names.keys())
        if clash:
            raise SiteSelectError(
                f"group names {', '.join(clash)} are also criterion names; rename them"
            )
        for c, g in groups.items():
            names.setdefault(str(g), np.zeros(n))[criteria.get_loc(str(c))] = 1.0
    return names


def _resolve(names: Mapping[str, FloatArray], name: object, grouped: bool) -> FloatArray:
    key = str(name)
    if key not in names:
        raise UnknownNameError("criterion or group" if grouped else "criterion", name, names)
    return names[key]


def _order_cycle(pairs: Sequence[tuple[str, str]]) -> list[str] | None:
    """A cycle in the ``a >= b`` graph, as a list of names, or None."""
    graph: dict[str, list[str]] = {}
    for a, b in pairs:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in list(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _constraints(
    criteria: pd.Index,
    bounds: Mapping[str, tuple[float, float]] | None,
    order: Sequence[tuple[str, str]] | None,
    groups: Mapping[str, str] | None,
) -> _Constraints:
    """Validate ``bounds`` and ``order`` into linear constraints; report all problems."""
    n = len(criteria)
    names = _weight_names(criteria, groups)
    grouped = bool(groups)
    rows: list[FloatArray] = []
    rhs: list[float] = []
    problems: list[str] = []
    lows: dict[str, float] = {}
    highs: dict[str, float] = {}
    for name, pair in (bounds or {}).items():
        vec = _resolve(names, name, grouped)
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            problems.append(f"bounds of {name!r} must be a pair (low, high); got {pair!r}")
            continue
        if not (0.0 <= low < high <= 1.0):
            problems.append(
                f"bounds of {name!r} must satisfy 0 <= low < high <= 1; got ({low}, {high})"
            )
            continue
        rows += [vec, -vec]
        rhs += [low, -high]
        if str(name) in criteria:
            lows[str(name)], highs[str(name)] = low, high
    pairs: list[tuple[str, str]] = []
    for entry in order or ():
        try:
            a, b = entry
        except (TypeError, ValueError):
            problems.append(f"order entries must be pairs (a, b) meaning a >= b; got {entry!r}")
            continue
        va, vb = _resolve(names, a, grouped), _resolve(names, b, grouped)
        if str(a) == str(b):
            problems.append(f"order pair ({a!r}, {b!r}) compares a weight with itself")
            continue
        rows.append(va - vb)
        rhs.append(0.0)
        pairs.append((str(a), str(b)))
    cycle = _order_cycle(pairs)
    if cycle:
        problems.append(
            f"order has a cycle {' >= '.join(cycle)}, which only equal weights satisfy"
        )
    if sum(lows.values()) >= 1.0 and lows:
        problems.append(f"lower bounds sum to {sum(lows.values()):g} (must be < 1)")
    if len(highs) == n and sum(highs.values()) <= 1.0:
        problems.append(f"upper bounds sum to {sum(highs.values()):g} (must be > 1)")
    if problems:
        raise SiteSelectError("contradictory weight bounds/order: " + "; ".join(problems))
    constraints = _Constraints(
        np.array(rows, dtype=float).reshape(-1, n), np.array(rhs, dtype=float)
    )
    if len(rhs) and _interior_margin(constraints) <= 1e-9:
        raise SiteSelectError(
            "contradictory weight bounds/order: no weight vector satisfies all of "
            f"bounds={dict(bounds or {})!r} and order={list(order or [])!r} with room to "
            "spare"
        )
    return constraints


def _interior_margin(constraints: _Constraints) -> float:
    """Largest ``s`` with ``w >= s`` and ``G w >= h + s`` on the simplex (LP)."""
    from scipy.optimize import linprog

    G, h = constraints.G, constraints.h
    n = G.shape[1]
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A_ub = np.vstack(
        [np.hstack([-np.eye(n), np.ones((n, 1))]), np.hstack([-G, np.ones((len(h), 1))])]
    )
    b_ub = np.concatenate([np.zeros(n), -h])
    A_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    res = linprog(
        c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=(None, 1.0), method="highs"
    )
    return float(-res.fun) if res.status == 0 else -np.inf


def _simplex(rng: np.random.Generator, k: int, n: int) -> FloatArray:
    """``k`` weight vectors uniform on the simplex (sorted-uniform spacings)."""
    cuts = np.sort(rng.random((k, n - 1)), axis=1)
    edges = np.concatenate([np.zeros((k, 1)), cuts, np.ones((k, 1))], axis=1)
    return np.diff(edges, axis=1)


class _WeightSampler:
    """Uniform weights on the simplex, restricted by rejection to the constraints.

    Candidates are drawn in fixed blocks of ``DRAW_BLOCK`` and accepted ones buffered, so
    the stream of accepted weights does not depend on how callers chunk their requests.
    """

    def __init__(
        self, n: int, constraints: _Constraints, rng: np.random.Generator, total: int
    ) -> None:
        self.n = n
        self.constraints = constraints
        self.rng = rng
        self.total = total
        self.buffer = np.empty((0, n))
        self.drawn = 0
        self.accepted = 0

    def take(self, k: int) -> FloatArray:
        parts = [self.buffer]
        have = len(self.buffer)
        while have < k:
            block = _simplex(self.rng, DRAW_BLOCK, self.n)
            kept = block[self.constraints.admits(block)]
            parts.append(kept)
            have += len(kept)
            self.drawn += DRAW_BLOCK
            self.accepted += len(kept)
            if self.drawn >= PILOT_DRAWS:
                self._check_rate()
        pool = np.concatenate(parts)
        self.buffer = pool[k:]
        return pool[:k]

    def _check_rate(self) -> None:
        rate = self.accepted / self.drawn
        if rate * MAX_DRAWS < self.total:
            raise SiteSelectError(
                f"weight bounds/order are too tight for rejection sampling: "
                f"{self.accepted:,} of {self.drawn:,} uniformly drawn weight vectors "
                f"({rate:.4%}) satisfied them; {self.total:,} samples would need about "
                f"{self.total / max(rate, 1e-300):,.0f} draws (limit {MAX_DRAWS:,}). Widen "
                "the bounds or drop some order constraints."
            )


def _seed_sequences(
    seed: int | None,
) -> tuple[int, np.random.SeedSequence, np.random.SeedSequence]:
    """The entropy actually used, and the child seeds of the weight and value streams."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise SiteSelectError(f"seed must be a non-negative integer or None; got {seed!r}")
    entropy = np.random.SeedSequence(seed).entropy
    if not isinstance(entropy, int):  # pragma: no cover - int or None seeds give an int
        raise SiteSelectError(f"seed must be a non-negative integer or None; got {seed!r}")
    w_seq, v_seq = np.random.SeedSequence(entropy).spawn(2)
    return entropy, w_seq, v_seq


def sample_weights(
    criteria: Sequence[str],
    samples: int,
    *,
    seed: int | None = 0,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Weight vectors drawn uniformly from the simplex, as :func:`smaa` draws them.

    Parameters
    ----------
    criteria
        Criterion names (the columns of the result).
    samples
        Number of weight vectors.
    seed
        Seed of ``numpy.random.default_rng``-style streams; the same seed gives the same
        draws as :func:`smaa` with the same bounds and order.
    bounds
        Criterion (or group) → ``(low, high)`` with ``0 <= low < high <= 1``: bounds of the
        normalised weight. Applied by rejection sampling.
    order
        Pairs ``(a, b)`` meaning ``weight[a] >= weight[b]``; ``a``/``b`` may name groups
        (compared by their total weight) when ``groups`` is given.
    groups
        Criterion → group name, for group names in ``bounds`` and ``order`` (entries for
        other criteria are ignored).

    Returns
    -------
    DataFrame
        ``samples`` rows, one column per criterion; each row sums to 1.

    Examples
    --------
    >>> w = sample_weights(["a", "b", "c"], 1000, order=[("a", "b")])
    >>> bool((w["a"] >= w["b"]).all()), bool(np.allclose(w.sum(axis=1), 1.0))
    (True, True)
    """
    index = pd.Index([str(c) for c in criteria])
    if index.empty or index.has_duplicates:
        raise SiteSelectError(f"criteria must be distinct names, at least one; got {criteria!r}")
    _check_samples(samples)
    _, w_seq, _ = _seed_sequences(seed)
    sampler = _WeightSampler(
        len(index),
        _constraints(index, bounds, order, groups),
        np.random.default_rng(w_seq),
        samples,
    )
    return pd.DataFrame(sampler.take(samples), columns=list(criteria))


def _check_samples(samples: int) -> None:
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise SiteSelectError(f"samples must be a positive integer; got {samples!r}")


# --- value ranges ----------------------------------------------------------------


@dataclass(frozen=True)
class _ValueRanges:
    columns: IntArray
    low: FloatArray  # (m, k)
    high: FloatArray

    def draw(self, X: FloatArray, rng: np.random.Generator, k: int) -> FloatArray:
        """``k`` matrices (k × m × n): ``X`` with the uncertain columns drawn uniformly."""
        X3 = np.repeat(X[None, :, :], k, axis=0)
        U = rng.random((k, *self.low.shape))
        X3[:, :, self.columns] = self.low + U * (self.high - self.low)
        return X3


def _value_ranges(problem: Problem, value_ranges: Mapping[str, Any]) -> _ValueRanges:
    """Validate ``value_ranges`` (criterion → DataFrame[low, high] or (low, high) Series)."""
    cols: list[int] = []
    lows: list[FloatArray] = []
    highs: list[FloatArray] = []
    problems: list[str] = []
    alternatives = problem.alternatives
    for name, spec in value_ranges.items():
        j = _criterion_index(problem, name)
        if isinstance(spec, pd.DataFrame) and {"low", "high"} <= set(spec.columns):
            low, high = spec["low"], spec["high"]
        elif (
            isinstance(spec, tuple | list)
            and len(spec) == 2
            and all(isinstance(s, pd.Series) for s in spec)
        ):
            low, high = spec
        else:
            problems.append(
                f"value range of {name!r} must be a DataFrame with columns 'low' and 'high', "
                "or a pair (low, high) of Series indexed by alternative"
            )
            continue
        missing = alternatives.difference(low.index).union(alternatives.difference(high.index))
        if len(missing):
            problems.append(
                f"value range of {name!r} lacks alternatives {', '.join(map(str, missing[:5]))}"
            )
            continue
        lo = pd.to_numeric(low.reindex(alternatives), errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(high.reindex(alternatives), errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(lo) & np.isfinite(hi))
        if bad.any():
            shown = ", ".join(map(str, alternatives[bad][:5]))
            problems.append(f"value range of {name!r} is not finite for {shown}")
            continue
        inverted = lo > hi
        if inverted.any():
            a = alternatives[inverted][0]
            k = int(np.flatnonzero(inverted)[0])
            problems.append(
                f"value range of {name!r} has low > high for {a!r}: ({lo[k]}, {hi[k]})"
            )
            continue
        cols.append(j)
        lows.append(lo)
        highs.append(hi)
    if problems:
        raise SiteSelectError("invalid value_ranges: " + "; ".join(problems))
    if len(set(cols)) != len(cols):
        raise SiteSelectError("value_ranges names a criterion more than once")
    return _ValueRanges(np.array(cols, dtype=np.int64), np.array(lows).T, np.array(highs).T)


# --- methods on a batch of matrices (one matrix per sample) -------------------------


def _benefit_scaled_batch(X3: FloatArray, sense: FloatArray) -> tuple[FloatArray, BoolArray]:
    """:func:`~siteselect.methods.benefit_scaled` of every matrix of a (k × m × n) batch."""
    lo = X3.min(axis=1, keepdims=True)
    hi = X3.max(axis=1, keepdims=True)
    span = hi - lo
    varies = span > 0
    safe = np.where(varies, span, 1.0)
    R = np.where(sense > 0, (X3 - lo) / safe, (hi - X3) / safe)
    return np.where(varies, R, 0.0), varies


def _weighted_sum(A: FloatArray, W: FloatArray) -> FloatArray:
    return np.einsum("kmn,kn->km", A, W)


def _wsm_batch(X3: FloatArray, sense: FloatArray, W: FloatArray, **_: Any) -> IntArray:
    R = _benefit_scaled_batch(X3, sense)[0]
    return dense_rank(_weighted_sum(R, W))


def _wpm_batch(
    X3: FloatArray, sense: FloatArray, W: FloatArray, *, floor: float, **_: Any
) -> IntArray:
    R = _benefit_scaled_batch(X3, sense)[0]
    return dense_rank(np.exp(_weighted_sum(np.log(floor + (1.0 - floor) * R), W)))


def _topsis_batch(X3: FloatArray, sense: FloatArray, W: FloatArray, **_: Any) -> IntArray:
    norms = np.sqrt(np.einsum("kmn,kmn->kn", X3, X3))[:, None, :]
    V = X3 / np.where(norms > 0, norms, 1.0)
    vmax = V.max(axis=1, keepdims=True)
    vmin = V.min(axis=1, keepdims=True)
    ideal = np.where(sense > 0, vmax, vmin)
    anti = np.where(sense > 0, vmin, vmax)
    W2 = np.square(W)
    d_best = np.sqrt(_weighted_sum(np.square(V - ideal), W2))
    d_worst = np.sqrt(_weighted_sum(np.square(V - anti), W2))
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = np.where(total > 0, d_worst / total, 0.0)
    return dense_rank(closeness)


def _vikor_batch(
    X3: FloatArray,
    sense: FloatArray,
    W: FloatArray,
    *,
    v: float,
    use_compromise_set: bool,
    **_: Any,
) -> IntArray:
    R, varies = _benefit_scaled_batch(X3, sense)
    F = np.where(varies, 1.0 - R, 0.0)
    S = _weighted_sum(F, W)
    Rg = (F * W[:, None, :]).max(axis=-1)
    S1, R1 = _scale_to_unit(S), _scale_to_unit(Rg)
    return _vikor_batch_ranks(v * S1 + (1 - v) * R1, S1, R1, use_compromise_set)


def _promethee_batch(
    X3: FloatArray,
    sense: FloatArray,
    W: FloatArray,
    *,
    preference: str,
    q: float,
    p: float,
    s: float,
    **_: Any,
) -> IntArray:
    k, m, n = X3.shape
    net = np.zeros((k, m))
    if m < 2:
        return dense_rank(net)
    for j in range(n):
        col = X3[:, :, j]
        span = col.max(axis=1) - col.min(axis=1)
        varies = span > 0
        scaled = sense[j] * col / np.where(varies, span, 1.0)[:, None]
        P = _preference(scaled[:, :, None] - scaled[:, None, :], preference, q, p, s)
        flow = (P.sum(axis=2) - P.sum(axis=1)) / (m - 1)
        net += W[:, j, None] * np.where(varies[:, None], flow, 0.0)
    return dense_rank(net)


#: rank a batch of (matrix, weights) samples at once, one matrix per sample
_MATRIX_BATCH_RANKERS: dict[str, Callable[..., IntArray]] = {
    "wsm": _wsm_batch,
    "wpm": _wpm_batch,
    "topsis": _topsis_batch,
    "vikor": _vikor_batch,
    "promethee2": _promethee_batch,
}


# --- SMAA ------------------------------------------------------------------------


class _RankTally:
    """Rank-acceptability counts with exact ties split equally among the tied.

    A tie of ``g`` alternatives occupying positions ``p .. p+g-1`` gives each of them
    ``1/g`` of each of those positions. Counts are kept as integers per tie size, so the
    result does not depend on the order in which samples are added.
    """

    def __init__(self, m: int) -> None:
        self.m = m
        self.counts: dict[int, IntArray] = {}
        self.samples = 0

    def _bump(self, size: int, alt: IntArray, pos: IntArray) -> None:
        flat = np.bincount(alt * self.m + pos, minlength=self.m * self.m)
        self.counts[size] = self.counts.get(size, 0) + flat.reshape(self.m, self.m)

    def add(self, ranks: IntArray) -> FloatArray:
        """Add a (k × m) batch of dense ranks; return each alternative's share of first."""
        k, m = ranks.shape
        share = (ranks == 1).astype(float)
        distinct = ranks.max(axis=1) == m  # no ties: dense rank = position
        plain = ranks[distinct]
        self._bump(1, np.broadcast_to(np.arange(m), plain.shape).ravel(), plain.ravel() - 1)
        if not distinct.all():
            share[~distinct] = self._add_ties(ranks[~distinct])
        self.samples += k
        return share

    def _add_ties(self, ranks: IntArray) -> FloatArray:
        k, m = ranks.shape
        flat = (np.arange(k)[:, None] * (m + 1) + ranks).ravel()
        per_rank = np.bincount(flat, minlength=k * (m + 1)).reshape(k, m + 1)
        ahead = np.cumsum(per_rank, axis=1) - per_rank
        start = np.take_along_axis(ahead, ranks, axis=1)  # 0-based first position
        size = np.take_along_axis(per_rank, ranks, axis=1)
        alt = np.broadcast_to(np.arange(m), (k, m))
        alone = size == 1
        self._bump(1, alt[alone], start[alone])
        for g in np.unique(size[~alone]).tolist():
            tied = size == g
            for offset in range(g):
                self._bump(g, alt[tied], start[tied] + offset)
        return np.where(start == 0, 1.0 / size, 0.0)

    def acceptability(self) -> FloatArray:
        total = np.zeros((self.m, self.m))
        for g in sorted(self.counts):
            total += self.counts[g] / g
        return total / self.samples


@dataclass(frozen=True)
class _Draws:
    """The sample stream: weight vectors and (with value ranges) matrices, in chunks."""

    X: FloatArray
    samples: int
    entropy: int
    fixed: FloatArray | None
    constraints: _Constraints
    values: _ValueRanges | None
    chunk: int

    def __iter__(self) -> Iterator[tuple[FloatArray, FloatArray | None]]:
        _, w_seq, v_seq = _seed_sequences(self.entropy)
        n = self.X.shape[1]
        sampler = _WeightSampler(n, self.constraints, np.random.default_rng(w_seq), self.samples)
        v_rng = np.random.default_rng(v_seq)
        done = 0
        while done < self.samples:
            k = min(self.chunk, self.samples - done)
            W = np.tile(self.fixed, (k, 1)) if self.fixed is not None else sampler.take(k)
            X3 = self.values.draw(self.X, v_rng, k) if self.values is not None else None
            yield W, X3
            done += k


def _chunk_size(m: int, n: int, method: str, varying: bool) -> int:
    width = m * (n if varying or method == "vikor" else 1)
    if varying and method == "promethee2":
        width = m * max(n, m)
    return max(1, CHUNK_ELEMENTS // max(width, 1))


_Ranker = Callable[[FloatArray, FloatArray | None], IntArray]


def _vector_ranker(model: _Model) -> _Ranker:
    matrix_ranker = _MATRIX_BATCH_RANKERS[model.spec.name]

    def rank(W: FloatArray, X3: FloatArray | None) -> IntArray:
        if X3 is None:
            return model.ranks(W)
        return matrix_ranker(X3, model.problem.sense, W, **model.params)

    return rank


def _loop_ranker(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    method: str,
    engine: str,
    params: Mapping[str, Any],
) -> _Ranker:
    X = matrix.to_numpy(dtype=float)

    def rank(W: FloatArray, X3: FloatArray | None) -> IntArray:
        out = []
        for s, w in enumerate(W):
            frame = pd.DataFrame(
                X if X3 is None else X3[s], index=matrix.index, columns=matrix.columns
            )
            weights = dict(zip(matrix.columns, w.tolist(), strict=True))
            ranked = rank_matrix(frame, objectives, weights, method, engine=engine, **params)
            out.append(ranked["rank"].to_numpy(dtype=np.int64))
        return np.array(out, dtype=np.int64).reshape(len(W), len(matrix.index))

    return rank


def _smaa(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float] | None,
    samples: int,
    method: str,
    seed: int | None,
    bounds: Mapping[str, tuple[float, float]] | None,
    order: Sequence[tuple[str, str]] | None,
    value_ranges: Mapping[str, Any] | None,
    groups: Mapping[str, str] | None,
    params: Mapping[str, Any],
    *,
    loop_engine: str | None,
    with_confidence: bool,
) -> SMAAResult:
    problem = validate_problem(
        matrix, objectives, weights if weights is not None else dict.fromkeys(matrix.columns, 1)
    )
    model = _model(problem, method, params)
    _check_samples(samples)
    if weights is not None and (bounds or order):
        raise SiteSelectError(
            "bounds and order constrain sampled weights; they cannot be combined with fixed "
            "weights (pass weights=None to sample them)"
        )
    m, n = problem.X.shape
    values = _value_ranges(problem, value_ranges) if value_ranges else None
    entropy, _, _ = _seed_sequences(seed)
    draws = _Draws(
        X=problem.X,
        samples=samples,
        entropy=entropy,
        fixed=problem.w if weights is not None else None,
        constraints=_constraints(problem.criteria, bounds, order, groups),
        values=values,
        chunk=_chunk_size(m, n, model.spec.name, values is not None),
    )
    rank = (
        _vector_ranker(model)
        if loop_engine is None
        else _loop_ranker(matrix, objectives, method, loop_engine, model.params)
    )
    tally = _RankTally(m)
    weight_sum = np.zeros((m, n))
    first_sum = np.zeros(m)
    for W, X3 in draws:
        share = tally.add(rank(W, X3))
        weight_sum += share.T @ W
        first_sum += share.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = weight_sum / first_sum[:, None]
    central[first_sum == 0] = np.nan
    confidence = np.full(m, np.nan)
    winners = np.flatnonzero(first_sum > 0)
    if with_confidence and winners.size:
        confidence[winners] = _confidence(rank, draws, central, winners)
    alternatives = matrix.index.copy()
    return SMAAResult(
        acceptability=pd.DataFrame(
            tally.acceptability(),
            index=alternatives,
            columns=pd.RangeIndex(1, m + 1, name="rank"),
        ),
        central_weights=pd.DataFrame(central, index=alternatives, columns=matrix.columns),
        confidence=pd.Series(confidence, index=alternatives, name="confidence"),
        samples=samples,
        seed=entropy,
        method=model.spec.name,
    )


def _confidence(
    rank: _Ranker, draws: _Draws, central: FloatArray, winners: IntArray
) -> FloatArray:
    """Share of first place of each winner under its central weights (ties split)."""
    if draws.values is None:  # a certain matrix: one ranking per central weight vector
        shares = _first_share(rank(central[winners], None))
        return shares[np.arange(len(winners)), winners]
    total = np.zeros(len(winners))
    for W, X3 in draws:
        for k, i in enumerate(winners):
            Wc = np.broadcast_to(central[i], W.shape)
            total[k] += _first_share(rank(np.ascontiguousarray(Wc), X3))[:, i].sum()
    return total / draws.samples


def _first_share(ranks: IntArray) -> FloatArray:
    ones = ranks == 1
    return np.where(ones, 1.0 / ones.sum(axis=1, keepdims=True), 0.0)


def smaa_full(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    *,
    weights: Mapping[str, float] | None = None,
    samples: int = 10_000,
    method: str = "wsm",
    seed: int | None = 0,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    value_ranges: Mapping[str, Any] | None = None,
    groups: Mapping[str, str] | None = None,
    **params: Any,
) -> SMAAResult:
    """SMAA-2 (Lahdelma & Salminen 2001): rank acceptability, central weights, confidence.

    Every sample draws a weight vector (and, with ``value_ranges``, a matrix), ranks the
    alternatives with ``method`` and counts each alternative's rank. All samples of a
    chunk are scored and ranked in one batched numpy pass; the result equals
    :func:`smaa_reference_loop` (one :func:`~siteselect.methods.rank_matrix` call per
    sample) for the same seed.

    Parameters
    ----------
    matrix, objectives, method, **params
        As for :func:`~siteselect.methods.rank_matrix`.
    weights
        ``None`` (default): weights are uncertain, drawn uniformly from the simplex
        (sorted-uniform spacings, i.e. Dirichlet(1, …, 1)), restricted by ``bounds`` and
        ``order``. A mapping: these weights are used as they are in every sample (no weight
        uncertainty), useful with ``value_ranges``.
    samples
        Number of Monte-Carlo samples (processed in chunks; memory stays bounded).
    seed
        Seed of the random streams (weights and values are drawn from two independent
        streams spawned from it); ``None`` draws fresh entropy, reported as ``seed``.
    bounds
        Criterion (or group) → ``(low, high)`` bounds of the normalised weight,
        ``0 <= low < high <= 1``; applied by rejection sampling. Contradictory bounds, or
        bounds that accept too few uniform draws, raise :class:`SiteSelectError`.
    order
        Pairs ``(a, b)`` meaning ``weight[a] >= weight[b]`` (group totals for group names).
    value_ranges
        Criterion → the range of each alternative's value: a DataFrame indexed by
        alternative with columns ``low`` and ``high``, or a pair ``(low, high)`` of Series.
        In every sample each such value is drawn uniformly in its range.
    groups
        Criterion → group name, so that ``bounds`` and ``order`` can name groups (e.g.
        ``CriteriaSet.group_of()``; entries for criteria not in ``matrix`` are ignored).

    Returns
    -------
    SMAAResult
        ``acceptability``: alternative × rank (1..m), the rank acceptability indices
        ``b_i^r``, the share of samples in which alternative ``i`` takes rank ``r``.
        Exact ties (scores equal to 12 decimals, VIKOR's compromise set) split the
        positions they occupy equally: a two-way tie for first gives each ``1/2`` of rank 1
        and ``1/2`` of rank 2. So every row *and* every column sums to 1.

        ``central_weights``: alternative × criterion, the mean weight vector of the
        samples in which the alternative ranks first (tied samples weighted by its share);
        a NaN row if it never ranks first.

        ``confidence``: the share of samples in which the alternative ranks first when its
        central weights are used (ties split). With ``value_ranges`` the matrix samples
        are the same draws as for the acceptability (regenerated from the seed); without
        them the matrix is certain, so the confidence is 1 (``1/g`` in a ``g``-way tie) or
        0. NaN if the alternative never ranks first.

    Examples
    --------
    >>> m = pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0]}, index=["A", "B"])
    >>> res = smaa_full(m, {"x": "max", "y": "max"}, samples=4000)
    >>> res.acceptability.round(1)
    rank    1    2
    A     0.5  0.5
    B     0.5  0.5
    >>> res.central_weights.round(2)
          x     y
    A  0.75  0.25
    B  0.25  0.75
    """
    return _smaa(
        matrix,
        objectives,
        weights,
        samples,
        method,
        seed,
        bounds,
        order,
        value_ranges,
        groups,
        params,
        loop_engine=None,
        with_confidence=True,
    )


def smaa(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    *,
    weights: Mapping[str, float] | None = None,
    samples: int = 10_000,
    method: str = "wsm",
    seed: int | None = 0,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    value_ranges: Mapping[str, Any] | None = None,
    groups: Mapping[str, str] | None = None,
    **params: Any,
) -> pd.DataFrame:
    """SMAA-2 rank acceptability indices: alternative × rank, each row sums to 1.

    The ``acceptability`` of :func:`smaa_full`, skipping the extra pass for the confidence
    factors; see there for the parameters, the sampling and the tie rule.

    Examples
    --------
    >>> m = pd.DataFrame({"x": [1.0, 0.0, 0.4], "y": [0.0, 1.0, 0.4]}, index=list("ABC"))
    >>> smaa(m, {"x": "max", "y": "max"}, samples=4000).round(1)
    rank    1    2    3
    A     0.5  0.1  0.4
    B     0.5  0.1  0.4
    C     0.0  0.8  0.2
    """
    return _smaa(
        matrix,
        objectives,
        weights,
        samples,
        method,
        seed,
        bounds,
        order,
        value_ranges,
        groups,
        params,
        loop_engine=None,
        with_confidence=False,
    ).acceptability


def smaa_reference_loop(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    *,
    weights: Mapping[str, float] | None = None,
    samples: int = 200,
    method: str = "wsm",
    seed: int | None = 0,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    value_ranges: Mapping[str, Any] | None = None,
    groups: Mapping[str, str] | None = None,
    engine: str = "numpy",
    **params: Any,
) -> SMAAResult:
    """The slow reference of :func:`smaa_full`: one ``rank_matrix`` call per sample.

    Draws exactly the same weight vectors and matrices as :func:`smaa_full` for the same
    seed, then ranks each sample separately through
    :func:`~siteselect.methods.rank_matrix` (with ``engine``, e.g. ``"skcriteria"``).
    Used by the tests to prove the batched path equal, and as a baseline for timing.
    """
    return _smaa(
        matrix,
        objectives,
        weights,
        samples,
        method,
        seed,
        bounds,
        order,
        value_ranges,
        groups,
        params,
        loop_engine=engine,
        with_confidence=True,
    )


# --- weights to win --------------------------------------------------------------


def _dominators(problem: Problem, t: int) -> list[int]:
    """Alternatives at least as good as ``t`` on every criterion (strict ones first)."""
    diff = (problem.X - problem.X[t]) * problem.sense
    weak = np.all(diff >= 0, axis=1)
    weak[t] = False
    strict = weak & np.any(diff > 0, axis=1)
    return [*np.flatnonzero(strict).tolist(), *np.flatnonzero(weak & ~strict).tolist()]


def _linear_win(M: FloatArray, t: int, w0: FloatArray, margin: float) -> FloatArray | None:
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


def _alone_first(model: _Model, W: FloatArray, t: int) -> BoolArray:
    ranks = model.ranks(W)
    return (ranks[:, t] == 1) & ((ranks == 1).sum(axis=1) == 1)


def _search_win(
    model: _Model, t: int, w0: FloatArray, *, seed: int, tol: float
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
    candidates = [np.eye(n), _simplex(rng, 4000, n)]
    for rho in (0.05, 0.2, 0.5):
        candidates.append((1 - rho) * w0 + rho * _simplex(rng, 300, n))
    lp = _linear_win(benefit_scaled(problem.X, problem.sense), t, w0, 1e-6)
    if lp is not None:
        candidates.append(lp[None, :])

    def pull_back(P: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The winning rows of ``P`` moved towards ``w0`` by bisection, and their distance."""
        P = P[_alone_first(model, P, t)]
        length = np.abs(P - w0).sum(axis=1)
        lo, hi = np.zeros(len(P)), np.ones(len(P))
        while len(P) and ((hi - lo) * length).max() > tol:
            mid = 0.5 * (lo + hi)
            good = _alone_first(model, w0 + mid[:, None] * (P - w0), t)
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
                contractions = (1 - rho) * best + rho * _simplex(rng, 200, n)
                steps = best + rho * (_simplex(rng, 200, n) - _simplex(rng, 200, n))
                steps = np.clip(steps, 0.0, None)
                steps /= steps.sum(axis=1, keepdims=True)
                found, dist = pull_back(np.concatenate([transfers, contractions, steps]))
                if not len(dist) or dist.min() >= best_dist - 1e-12:
                    break
                best, best_dist = found[np.argmin(dist)], float(dist.min())
            rho /= 3
        return best, best_dist

    starts, dists = pull_back(np.concatenate(candidates))
    if not len(starts):
        return None
    results = [refine(starts[k], float(dists[k])) for k in np.argsort(dists)[:STARTS]]
    return min(results, key=lambda r: r[1])[0]


def _move_phrase(delta: pd.Series) -> str:
    """'mostly from A to B': where the moved weight comes from and goes to."""
    losers = delta[delta < -1e-9].sort_values()
    gainers = delta[delta > 1e-9].sort_values(ascending=False)
    if losers.empty or gainers.empty:
        return "a negligible shift"
    mostly = "mostly " if len(losers) > 1 or len(gainers) > 1 else ""
    return f"{mostly}from {losers.index[0]} to {gainers.index[0]}"


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
    model = _model(problem, method, params)
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
    if _alone_first(model, w0[None, :], t)[0]:
        return WinResult(
            target,
            True,
            pd.Series(w0, index=matrix.columns.copy(), name="weight"),
            0.0,
            exact,
            f"{target} already ranks first under the current weights.",
        )
    if exact:
        w = _linear_win(model.state, t, w0, margin)
    else:
        w = _search_win(model, t, w0, seed=seed, tol=tol)
    if w is None and exact:
        lam = pd.Series(_best_blend(model.state, t), index=matrix.index)
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
    if not _alone_first(model, w[None, :], t)[0]:  # pragma: no cover - solver tolerance
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


# --- rank reversal ---------------------------------------------------------------

_NORMALISATION = {
    "wsm": "min–max scaling uses the best and worst value of each criterion in the set",
    "wpm": "min–max scaling uses the best and worst value of each criterion in the set",
    "topsis": ("vector normalisation, the ideal and the anti-ideal are all computed over the set"),
    "vikor": "the ideal and worst values, and the scaling of S and R, come from the set",
    "promethee2": "each site's net flow is an average of comparisons with every other site",
}


def _pair_changes(
    before: IntArray, after: IntArray, names: Sequence[Any]
) -> tuple[bool, tuple[tuple[Any, Any], ...]]:
    """Whether any pair's order changed, and the pairs that strictly swapped."""
    rel_b = np.sign(before[None, :] - before[:, None])
    rel_a = np.sign(after[None, :] - after[:, None])
    upper = np.triu(np.ones_like(rel_b, dtype=bool), k=1)
    changed = bool(((rel_b != rel_a) & upper).any())
    swapped = np.argwhere((rel_b * rel_a < 0) & (rel_b > 0))
    return changed, tuple((names[i], names[j]) for i, j in swapped)


def rank_reversal(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    method: str = "topsis",
    **params: Any,
) -> RankReversalReport:
    """Does the order of the alternatives depend on which other alternatives are present?

    Three kinds of check, with the same weights:

    * **remove**: each alternative removed in turn; does the relative order of the
      remaining ones change?
    * **add copy of worst**: a copy of the last-ranked alternative is added (the clone
      test of Belton & Gear 1983, scikit-criteria's ``RankClonesChecker``);
    * **add dominated phantom**: an alternative with the worst observed value of every
      criterion is added (dominated by, or equal to, every alternative).

    Implemented here on the numpy path rather than through ``skcriteria.ranksrev``:
    ``RankInvariantChecker`` worsens suboptimal alternatives by random noise and
    ``RankClonesChecker`` clones each of them, neither removes alternatives or adds a
    phantom, both need a scikit-criteria pipeline (there is none for ``promethee2``) and
    both compare whole rankings rather than listing the pairs that swap.

    Returns
    -------
    RankReversalReport
        ``checks``: one row per check with ``check``, ``subject`` (the alternative removed
        or copied; ``None`` for the phantom), ``order_changed`` (any pair of the original
        alternatives changed order, including a tie appearing or disappearing),
        ``winner_changed`` (the first-ranked of those alternatives changed), ``flipped``
        (pairs ``(a, b)`` with ``a`` ahead before and ``b`` ahead after) and ``n_flipped``.
        ``notes``: the findings in plain language.

    Examples
    --------
    >>> m = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]}, index=["a", "b", "c"])
    >>> report = rank_reversal(m, {"cost": "min", "quality": "max"},
    ...                        {"cost": 2, "quality": 1}, "wsm")
    >>> report.checks[["check", "subject", "order_changed", "n_flipped"]]
                       check subject  order_changed  n_flipped
    0                 remove       a          False          0
    1                 remove       b          False          0
    2                 remove       c          False          0
    3      add copy of worst       b          False          0
    4  add dominated phantom    None          False          0
    """
    problem = validate_problem(matrix, objectives, weights)
    spec = get_method(method)
    check_params(spec, params)
    names = list(matrix.index)
    m = len(names)

    def ranks_of(X: FloatArray) -> IntArray:
        variant = Problem(pd.RangeIndex(len(X)), problem.criteria, X, problem.sense, problem.w)
        return rank_problem(variant, method, **params)[1]

    base = ranks_of(problem.X)
    rows: list[dict[str, Any]] = []

    def record(
        check: str, subject: Any, keep: IntArray, before: IntArray, after: IntArray
    ) -> None:
        changed, flipped = _pair_changes(before, after, [names[i] for i in keep])
        rows.append(
            {
                "check": check,
                "subject": subject,
                "order_changed": changed,
                "winner_changed": bool(
                    set(np.flatnonzero(before == before.min()))
                    != set(np.flatnonzero(after == after.min()))
                ),
                "flipped": flipped,
                "n_flipped": len(flipped),
            }
        )

    everyone = np.arange(m)
    if m > 1:
        for i in range(m):
            keep = np.delete(everyone, i)
            record("remove", names[i], keep, base[keep], ranks_of(problem.X[keep]))
    worst = int(np.lexsort((everyone, -base))[0])
    copied = ranks_of(np.vstack([problem.X, problem.X[worst]]))[:m]
    record("add copy of worst", names[worst], everyone, base, copied)
    nadir = np.where(problem.sense > 0, problem.X.min(axis=0), problem.X.max(axis=0))
    phantom = ranks_of(np.vstack([problem.X, nadir]))[:m]
    record("add dominated phantom", None, everyone, base, phantom)
    checks = pd.DataFrame(rows)
    checks["subject"] = pd.Series([r["subject"] for r in rows], dtype=object)
    return RankReversalReport(spec.name, checks, _reversal_notes(checks, spec))


def _reversal_notes(checks: pd.DataFrame, spec: Method) -> tuple[str, ...]:
    def pairs(flipped: tuple[tuple[Any, Any], ...]) -> str:
        shown = ", ".join(f"{b} overtakes {a}" for a, b in flipped[:3])
        more = f" and {len(flipped) - 3} more" if len(flipped) > 3 else ""
        return shown + more

    notes: list[str] = []
    for row in checks.itertuples(index=False):
        if not row.order_changed:
            continue
        if row.check == "remove":
            what = f"Removing {row.subject}"
        elif row.check == "add copy of worst":
            what = f"Adding a copy of the last-ranked site ({row.subject})"
        else:
            what = "Adding a phantom site that is worst on every criterion"
        effect = pairs(row.flipped) if row.n_flipped else "ties appear or disappear"
        lead = " and changes which site leads" if row.winner_changed else ""
        notes.append(f"{what} reorders the other sites{lead}: {effect}.")
    if notes:
        notes.append(
            f"This is rank reversal: under {spec.label}, {_NORMALISATION[spec.name]}, so a "
            "site's rank depends on which other sites are compared. Read the ranking as "
            "relative to this shortlist."
        )
    else:
        notes.append(
            f"No rank reversal under {spec.label}: removing any one site, adding a copy of "
            "the last-ranked site, or adding a phantom site that is worst on every "
            "criterion leaves the order of the other sites unchanged."
        )
    return tuple(notes)


# --- one summary for an evaluation ----------------------------------------------------


@dataclass(frozen=True)
class RobustnessSummary:
    """Everything the robustness views show for one :class:`~siteselect.ranking.Evaluation`."""

    method: str
    leader: Any
    smaa: SMAAResult
    stability: pd.DataFrame
    win: WinResult | None
    reversal: RankReversalReport

    def first_rank_acceptability(self) -> pd.Series:
        """Share of sampled weightings in which each site ranks first."""
        return self.smaa.acceptability.iloc[:, 0]


def evaluation_problem(evaluation: Any) -> tuple[pd.DataFrame, dict[str, str], dict[str, float]]:
    """The matrix, objectives and effective weights an evaluation ranked with."""
    matrix = evaluation.policy.matrix
    objectives = {c: evaluation.table.objectives[c] for c in matrix.columns}
    weights = evaluation.weights.effective[matrix.columns].to_dict()
    return matrix, objectives, weights


def robustness_summary(
    evaluation: Any,
    *,
    samples: int = 10_000,
    seed: int = 0,
    target: Any | None = None,
    order: Sequence[tuple[str, str]] | None = None,
    value_spread: float = 0.0,
    progress: Callable[[float, str], None] | None = None,
) -> RobustnessSummary:
    """SMAA, stability intervals, what would make ``target`` win, and rank reversal.

    Uses the evaluation's own matrix (after its missing-value policy), method and
    parameters. ``target`` defaults to the runner-up. ``order`` constrains the SMAA
    weights, e.g. ``[("investment_climate", "proximity")]`` (group ids or criterion ids).
    ``value_spread`` (e.g. 0.1) makes SMAA also draw every sourced criterion value
    uniformly within ±that share of itself (computed geography stays exact), for figures
    that are estimates. ``progress(fraction, text)`` is called before each step.
    """
    if not 0 <= value_spread < 1:
        raise SiteSelectError(f"value_spread must be in [0, 1); got {value_spread!r}")

    def step(fraction: float, text: str) -> None:
        if progress is not None:
            progress(fraction, text)

    matrix, objectives, weights = evaluation_problem(evaluation)
    method, params = evaluation.method, dict(evaluation.params)
    ranking = evaluation.ranking
    groups = evaluation.criteria.group_of()
    step(0.0, f"SMAA: ranking {samples:,} sampled weightings")
    ranges = None
    if value_spread > 0:
        computed = {
            c.id for c in evaluation.criteria.criteria if c.derive.get("kind") == "computed"
        }
        ranges = {
            c: (
                matrix[c] - value_spread * matrix[c].abs(),
                matrix[c] + value_spread * matrix[c].abs(),
            )
            for c in matrix.columns
            if c not in computed
        }
    result = smaa_full(
        matrix,
        objectives,
        samples=samples,
        method=method,
        seed=seed,
        order=order,
        groups=groups,
        value_ranges=ranges,
        **params,
    )
    step(0.4, "stability intervals")
    stability = stability_intervals(matrix, objectives, weights, method, **params)
    step(0.6, "what would make another site win")
    if target is None and len(ranking) > 1:
        target = ranking.index[1]
    if target is not None and target not in ranking.index:
        raise UnknownNameError("site", target, map(str, ranking.index))
    sole_leader = (
        target is not None
        and (ranking["rank"] == 1).sum() == 1
        and (ranking.at[target, "rank"] == 1)
    )
    win = None
    if target is not None and not sole_leader:
        win = weights_to_win(matrix, objectives, weights, target, method, seed=seed, **params)
    step(0.9, "rank reversal checks")
    reversal = rank_reversal(matrix, objectives, weights, method, **params)
    step(1.0, "done")
    return RobustnessSummary(method, ranking.index[0], result, stability, win, reversal)
