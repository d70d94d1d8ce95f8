"""The list ranking's pipeline over a matrix too large to hold: global statistics, then scores.

:func:`siteselect.ranking.evaluate` fills missing values, applies value functions and lets a
method normalise, each with statistics of whole columns over every alternative. Here those
statistics are gathered block by block (:class:`Stats`, merged), and :func:`method_state`
builds, for any block of rows, the same state the method's own ``prepare`` would build on
the whole matrix, so the method's own ``scores`` and ``explain`` apply unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from siteselect.criteria import ValueFunction
from siteselect.errors import SiteSelectError
from siteselect.methods import Explanation, Method
from siteselect.methods.topsis import TopsisState
from siteselect.methods.vikor import VikorState
from siteselect.table import MIN_COVERAGE, POLICIES

VALUE_BASED = ("wsm", "wpm")
BLOCKWISE = ("wsm", "wpm", "topsis", "vikor")


@dataclass(frozen=True)
class Stats:
    """Column statistics over the non-missing values of a set of rows.

    ``raw``: count, min, max and sum of the raw values; ``t``: min, max, sum of squares,
    sum of absolute values and max absolute value of the transformed values (value
    functions applied; the identity for the other criteria).
    """

    rows: int
    count: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    total: np.ndarray
    t_lo: np.ndarray
    t_hi: np.ndarray
    t_sumsq: np.ndarray
    t_sumabs: np.ndarray
    t_maxabs: np.ndarray

    @staticmethod
    def of(X: np.ndarray, T: np.ndarray) -> Stats:
        """Statistics of raw ``X`` and transformed ``T`` (same shape, NaN = missing)."""
        k = X.shape[1]
        known = ~np.isnan(X)
        if X.shape[0] == 0:
            inf = np.full(k, np.inf)
            zero = np.zeros(k)
            return Stats(0, zero.copy(), inf, -inf, zero, inf, -inf, zero, zero, zero)
        with np.errstate(invalid="ignore"):
            return Stats(
                X.shape[0],
                known.sum(axis=0).astype(float),
                np.where(known.any(axis=0), np.nanmin(np.where(known, X, np.inf), axis=0), np.inf),
                np.where(
                    known.any(axis=0), np.nanmax(np.where(known, X, -np.inf), axis=0), -np.inf
                ),
                np.where(known, X, 0.0).sum(axis=0),
                np.where(known, T, np.inf).min(axis=0),
                np.where(known, T, -np.inf).max(axis=0),
                np.where(known, T * T, 0.0).sum(axis=0),
                np.where(known, np.abs(T), 0.0).sum(axis=0),
                np.where(known, np.abs(T), 0.0).max(axis=0),
            )

    @staticmethod
    def merge(parts: Sequence[Stats], k: int) -> Stats:
        out = Stats.of(np.zeros((0, k)), np.zeros((0, k)))
        for p in parts:
            out = Stats(
                out.rows + p.rows,
                out.count + p.count,
                np.minimum(out.lo, p.lo),
                np.maximum(out.hi, p.hi),
                out.total + p.total,
                np.minimum(out.t_lo, p.t_lo),
                np.maximum(out.t_hi, p.t_hi),
                out.t_sumsq + p.t_sumsq,
                out.t_sumabs + p.t_sumabs,
                np.maximum(out.t_maxabs, p.t_maxabs),
            )
        return out


@dataclass(frozen=True)
class Transform:
    """Per column: the value function the method applies (None: raw values)."""

    functions: tuple[ValueFunction | None, ...]
    objectives: tuple[str, ...]

    def __call__(self, X: np.ndarray) -> np.ndarray:
        T = np.array(X, dtype=float, copy=True)
        for j, vf in enumerate(self.functions):
            if vf is not None:
                v = np.asarray(vf.value(X[:, j], self.objectives[j]), dtype=float)
                T[:, j] = v if self.objectives[j] == "max" else 1.0 - v
        return T


@dataclass(frozen=True)
class Policy:
    """The missing-value policy resolved on global statistics (as ``apply_missing_policy``).

    ``keep``: indices of the columns left; ``fill``: the value a missing entry of each kept
    column takes (NaN for the drop policies); ``drop_rows``: the ``drop_site`` policy.
    """

    name: str
    keep: tuple[int, ...]
    fill: np.ndarray
    drop_rows: bool
    notes: tuple[str, ...]


def resolve_policy(
    stats: Stats, policy: str, columns: Sequence[str], objectives: Sequence[str], labels: Any
) -> Policy:
    """Which columns stay and how gaps are filled, from the pass-1 statistics."""
    if policy not in POLICIES:
        raise SiteSelectError(f"missing: unknown policy {policy!r}; valid: {', '.join(POLICIES)}")
    n = stats.rows
    if n == 0:
        raise SiteSelectError("every cell and candidate is excluded: nothing to rank")
    coverage = stats.count / n
    notes = []
    empty = [j for j in range(len(columns)) if coverage[j] < MIN_COVERAGE or coverage[j] == 0]
    if empty:
        notes.append(
            f"known for fewer than {MIN_COVERAGE:.0%} of cells and candidates, left out: "
            + ", ".join(f"{labels(columns[j])} ({coverage[j]:.0%})" for j in empty)
        )
    keep = [j for j in range(len(columns)) if j not in empty]
    if policy == "drop_criterion":
        gone = [j for j in keep if stats.count[j] < n]
        if gone:
            notes.append(
                "left out for missing values: " + ", ".join(labels(columns[j]) for j in gone)
            )
        keep = [j for j in keep if j not in gone]
    fill = np.full(len(columns), np.nan)
    for j in keep:
        if policy == "worst":
            fill[j] = stats.lo[j] if objectives[j] == "max" else stats.hi[j]
        elif policy == "mean":
            fill[j] = stats.total[j] / stats.count[j]
    missing = int(sum(n - stats.count[j] for j in keep))
    if missing and policy in ("worst", "mean"):
        notes.append(f"{missing} missing value(s) imputed: {POLICIES[policy]}")
    if not keep:
        raise SiteSelectError(
            f"the missing-value policy {policy!r} left no criterion to rank; try 'worst' or 'mean'"
        )
    return Policy(policy, tuple(keep), fill, policy == "drop_site", tuple(notes))


@dataclass(frozen=True)
class Matrix:
    """Statistics of the final matrix M (filled, transformed, kept columns) over all rows."""

    rows: int
    lo: np.ndarray
    hi: np.ndarray
    sumsq: np.ndarray
    sumabs: np.ndarray
    maxabs: np.ndarray


def final_matrix(X: np.ndarray, policy: Policy, transform: Transform) -> tuple[np.ndarray, Any]:
    """M for a block of raw rows, and the mask of rows kept (drop_site drops incomplete)."""
    keep = list(policy.keep)
    sub = X[:, keep]
    if policy.drop_rows:
        rows = ~np.isnan(sub).any(axis=1)
        sub = sub[rows]
    else:
        rows = np.ones(len(sub), dtype=bool)
        gaps = np.isnan(sub)
        if gaps.any():
            sub = np.where(gaps, policy.fill[keep], sub)
    sub_t = Transform(
        tuple(transform.functions[j] for j in keep), tuple(transform.objectives[j] for j in keep)
    )
    return sub_t(sub), rows


def matrix_stats(stats: Stats, policy: Policy, transform: Transform) -> Matrix:
    """Statistics of M from the pass-1 statistics (for ``drop_site``, ``stats`` must be over
    the complete rows only): a filled entry adds the transformed fill value."""
    keep = list(policy.keep)
    n = stats.rows
    lo, hi = stats.t_lo[keep].copy(), stats.t_hi[keep].copy()
    sumsq, sumabs, maxabs = (
        stats.t_sumsq[keep].copy(),
        stats.t_sumabs[keep].copy(),
        stats.t_maxabs[keep].copy(),
    )
    if not policy.drop_rows:
        gaps = n - stats.count[keep]
        fill = policy.fill[keep][None, :]
        sub_t = Transform(
            tuple(transform.functions[j] for j in keep),
            tuple(transform.objectives[j] for j in keep),
        )
        tf = sub_t(fill)[0]
        has = gaps > 0
        lo = np.where(has, np.minimum(lo, tf), lo)
        hi = np.where(has, np.maximum(hi, tf), hi)
        sumsq = sumsq + gaps * tf * tf
        sumabs = sumabs + gaps * np.abs(tf)
        maxabs = np.where(has, np.maximum(maxabs, np.abs(tf)), maxabs)
    return Matrix(n, lo, hi, sumsq, sumabs, maxabs)


def _benefit(M: np.ndarray, sense: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """:func:`siteselect.methods.benefit_scaled` with the columns' global min and max."""
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    R = np.where(sense > 0, (M - lo) / safe, (hi - M) / safe)
    R[:, span == 0] = 0.0
    return R


def _ratio(M: np.ndarray, sense: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    best = np.where(sense > 0, hi, lo)
    out: np.ndarray = np.where(sense > 0, M / best, best / M)
    return out


def _topsis_norm(M: np.ndarray, ms: Matrix, normalise: str) -> np.ndarray:
    """:func:`siteselect.methods.topsis.normalised` with global column statistics."""
    if normalise == "minmax":
        span = ms.hi - ms.lo
        out: np.ndarray = np.where(span > 0, (M - ms.lo) / np.where(span > 0, span, 1.0), 0.0)
        return out
    denom = {"sum": ms.sumabs, "max": ms.maxabs}.get(normalise, np.sqrt(ms.sumsq))
    out = M / np.where(denom > 0, denom, 1.0)
    return out


def check_positive(
    method: str, params: Mapping[str, Any], ms: Matrix, names: Sequence[str]
) -> None:
    """The ratio forms divide values by each other: refuse values <= 0 (as the list path)."""
    ratio = (method == "wsm" and params.get("normalise") == "max") or (
        method == "wpm" and params.get("form") == "ratio"
    )
    if ratio:
        bad = [names[j] for j in range(len(names)) if ms.lo[j] <= 0]
        if bad:
            raise SiteSelectError(
                f"{method} with {dict(params)} needs positive values; criteria "
                f"{', '.join(bad)} have values <= 0"
            )


def method_state(
    method: str, M: np.ndarray, sense: np.ndarray, ms: Matrix, params: Mapping[str, Any]
) -> Any:
    """The state ``METHODS[method].prepare`` would build on the whole matrix, for rows M."""
    if method == "wsm":
        normalise = params.get("normalise", "minmax")
        if normalise == "none":
            return np.asarray(M * sense, dtype=float)
        if normalise == "max":
            return _ratio(M, sense, ms.lo, ms.hi)
        return _benefit(M, sense, ms.lo, ms.hi)
    if method == "wpm":
        if params.get("form", "scaled") == "ratio":
            return np.log(_ratio(M, sense, ms.lo, ms.hi))
        floor = float(params.get("floor", 0.1))
        return np.log(floor + (1.0 - floor) * _benefit(M, sense, ms.lo, ms.hi))
    if method == "topsis":
        normalise = params.get("normalise", "vector")
        V = _topsis_norm(M, ms, normalise)
        vmax = _topsis_norm(ms.hi[None, :], ms, normalise)[0]
        vmin = _topsis_norm(ms.lo[None, :], ms, normalise)[0]
        ideal = np.where(sense > 0, vmax, vmin)
        anti = np.where(sense > 0, vmin, vmax)
        return TopsisState(np.square(V - ideal), np.square(V - anti))
    if method == "vikor":
        F = 1.0 - _benefit(M, sense, ms.lo, ms.hi)
        F[:, (ms.hi - ms.lo) == 0] = 0.0
        return VikorState(F, float(params.get("v", 0.5)), bool(params.get("use_compromise_set")))
    raise SiteSelectError(
        f"method {method!r} cannot be computed block by block; use one of {', '.join(BLOCKWISE)}"
    )


@dataclass(frozen=True)
class VikorScale:
    """VIKOR's global min and max of S and R (over every cell and candidate)."""

    s_lo: float
    s_hi: float
    r_lo: float
    r_hi: float
    v: float

    def q(self, S: np.ndarray, R: np.ndarray) -> np.ndarray:
        return self.v * _unit(S, self.s_lo, self.s_hi) + (1 - self.v) * _unit(
            R, self.r_lo, self.r_hi
        )


def _unit(A: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """:func:`siteselect.methods.scale_to_unit` with a global min and max."""
    span = hi - lo
    out: np.ndarray = np.where(span > 0, (A - lo) / (span if span > 0 else 1.0), 0.0)
    return out


def block_scores(spec: Method, state: Any, w: np.ndarray) -> np.ndarray:
    """Scores of a block (VIKOR: its unscaled S and R, stacked)."""
    if spec.name == "vikor":
        F = state.F
        S = F @ w
        R = (F * w).max(axis=1) if F.shape[1] else np.zeros(len(F))
        return np.vstack([S, R])
    out: np.ndarray = spec.scores(state, w[None, :])[0]
    return out


def explanation(
    spec: Method,
    state: Any,
    w: np.ndarray,
    alternatives: Any,
    criteria: Any,
    scale: VikorScale | None,
) -> Explanation:
    """The method's own explanation for a block; VIKOR's Q scaled with the global S, R."""
    expl = spec.explain(state, w, alternatives, criteria)
    if scale is None:
        return expl

    def combine(terms: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        d = terms["weighted_distance"]
        S = d.sum(axis=1)
        R = d.max(axis=1) if d.shape[1] else np.zeros(d.shape[0])
        Q = scale.q(S, R)
        return {"S": S, "R": R, "Q": Q, "score": 1.0 - Q}

    S, R = block_scores(spec, state, w)
    return replace(
        expl,
        combine=combine,
        score=1.0 - scale.q(S, R),
        formula=expl.formula.replace("min–max scaled over the sites", "min–max scaled over all")
        + f" (S in [{scale.s_lo:.6g}, {scale.s_hi:.6g}], R in [{scale.r_lo:.6g}, "
        f"{scale.r_hi:.6g}] over every cell and candidate)",
    )
