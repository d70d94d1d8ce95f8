"""Weight and value sampling for SMAA: constraints, samplers, seeds, value ranges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import Problem
from siteselect.robustness.model import BoolArray, FloatArray, IntArray, criterion_index

DRAW_BLOCK = 4096
"""Candidate weight vectors drawn per block by the rejection sampler."""
PILOT_DRAWS = 20_000
"""Candidate draws after which the rejection sampler checks its acceptance rate."""
MAX_DRAWS = 20_000_000
"""Refuse bounds/order whose acceptance rate would need more candidate draws than this."""


@dataclass(frozen=True)
class Constraints:
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


def weight_constraints(
    criteria: pd.Index,
    bounds: Mapping[str, tuple[float, float]] | None,
    order: Sequence[tuple[str, str]] | None,
    groups: Mapping[str, str] | None,
) -> Constraints:
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
    constraints = Constraints(
        np.array(rows, dtype=float).reshape(-1, n), np.array(rhs, dtype=float)
    )
    if len(rhs) and interior_margin(constraints) <= 1e-9:
        raise SiteSelectError(
            "contradictory weight bounds/order: no weight vector satisfies all of "
            f"bounds={dict(bounds or {})!r} and order={list(order or [])!r} with room to "
            "spare"
        )
    return constraints


def interior_point(constraints: Constraints) -> tuple[float, FloatArray]:
    """The largest ``s`` with ``w >= s`` and ``G w >= h + s`` on the simplex, and that ``w``
    (a point deep inside the feasible set), by linear programming."""
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
    if res.status != 0:
        return -np.inf, np.full(n, 1.0 / n)
    return float(-res.fun), np.asarray(res.x[:n], dtype=float)


def interior_margin(constraints: Constraints) -> float:
    """Largest ``s`` with ``w >= s`` and ``G w >= h + s`` on the simplex (LP)."""
    return interior_point(constraints)[0]


class HitAndRun:
    """Uniform weights on the polytope ``{w >= 0, Σw = 1, G w >= h}`` by hit-and-run
    (Smith 1984): from a point, a random direction within ``Σw = 1``, then a uniform point
    on the feasible chord. ``CHAINS`` chains start at the LP's deepest interior point,
    run ``20 n`` steps of burn-in and keep one point every ``n`` steps; the draws converge
    to the uniform distribution on the feasible set (exact in the limit, no rejection).
    """

    CHAINS = 64

    def __init__(self, constraints: Constraints, n: int, rng: np.random.Generator) -> None:
        self.A = np.vstack([np.eye(n), constraints.G])
        self.b = np.concatenate([np.zeros(n), constraints.h])
        self.n = n
        self.rng = rng
        start = interior_point(constraints)[1]
        self.X = np.tile(start, (self.CHAINS, 1))
        self._steps(20 * n)

    def _steps(self, count: int) -> None:
        for _ in range(count):
            D = self.rng.standard_normal(self.X.shape)
            D -= D.mean(axis=1, keepdims=True)
            slack = np.maximum(self.X @ self.A.T - self.b, 0.0)  # chains × constraints
            rate = D @ self.A.T
            with np.errstate(divide="ignore", invalid="ignore"):
                bound = -slack / rate
            low = np.where(rate > 1e-15, bound, -np.inf).max(axis=1)
            high = np.where(rate < -1e-15, bound, np.inf).min(axis=1)
            t = low + self.rng.random(len(low)) * (high - low)
            self.X = self.X + t[:, None] * D

    def block(self) -> FloatArray:
        """One draw per chain after ``n`` more steps."""
        self._steps(self.n)
        X = np.clip(self.X, 0.0, None)
        out: FloatArray = X / X.sum(axis=1, keepdims=True)
        return out


def simplex(rng: np.random.Generator, k: int, n: int) -> FloatArray:
    """``k`` weight vectors uniform on the simplex: normalised standard exponentials, i.e.
    Dirichlet(1, …, 1) (no sort needed)."""
    E = rng.standard_exponential((k, n))
    out: FloatArray = E / E.sum(axis=1, keepdims=True)
    return out


@dataclass(frozen=True)
class WeightPrior:
    """How weight vectors are drawn before any bounds/order are applied.

    ``center=None``: uniform, i.e. Dirichlet(1, …, 1) — over all criteria (flat) or, with
    ``group_of``, group totals uniform on the groups' simplex and each group's share
    split uniformly among its criteria (hierarchical). ``center=w0`` (summing to 1) with
    ``concentration=κ``: imprecise weights around ``w0``, ``w ~ Dirichlet(κ·w0)`` (flat:
    mean ``w0``, ``Var w_j = w0_j (1 - w0_j) / (κ + 1)``), or hierarchically group totals
    ``~ Dirichlet(κ·G0)`` and within each group ``~ Dirichlet(κ·w0_g / G0_g)``. Criteria
    (and groups) whose centre weight is 0 stay at 0. Every draw is exact (no rejection).
    """

    n: int
    center: FloatArray | None = None
    concentration: float | None = None
    group_of: IntArray | None = None

    def draw(self, rng: np.random.Generator, k: int) -> FloatArray:
        """``k`` weight vectors (k × n), rows summing to 1."""
        if self.group_of is None:
            return self._flat(rng, k, np.arange(self.n), self.center)
        groups = np.unique(self.group_of)
        members = [np.flatnonzero(self.group_of == g) for g in groups]
        if self.center is None:
            totals = simplex(rng, k, len(groups))
        else:
            g0 = np.array([self.center[idx].sum() for idx in members])
            totals = self._dirichlet(rng, k, g0)
        W = np.zeros((k, self.n))
        for g, idx in enumerate(members):
            inner = None if self.center is None else self.center[idx] / max(g0[g], 1e-300)
            W[:, idx] = totals[:, g : g + 1] * self._flat(rng, k, np.arange(len(idx)), inner)
        return W

    def _flat(
        self, rng: np.random.Generator, k: int, idx: IntArray, center: FloatArray | None
    ) -> FloatArray:
        if center is None:
            return simplex(rng, k, len(idx))
        return self._dirichlet(rng, k, center)

    def _dirichlet(self, rng: np.random.Generator, k: int, center: FloatArray) -> FloatArray:
        out = np.zeros((k, len(center)))
        active = center > 0
        if active.sum() == 1:
            out[:, active] = 1.0
        elif active.any():
            kappa = float(self.concentration or 1.0)
            out[:, active] = rng.dirichlet(kappa * center[active], size=k)
        return out

    def describe(self, constrained: bool) -> str:
        """What is sampled, in words (shown beside SMAA results)."""
        level = (
            "group weights, then each group's split among its criteria"
            if (self.group_of is not None)
            else "criterion weights"
        )
        if self.center is None:
            text = f"{level} drawn uniformly (Dirichlet(1, …, 1))"
        else:
            text = (
                f"{level} drawn around the current weights: Dirichlet with concentration "
                f"κ = {self.concentration:g} (mean = current weights; a weight w varies by "
                f"about ±sqrt(w(1-w)/(κ+1)), e.g. a weight of 10% by "
                f"±{np.sqrt(0.09 / ((self.concentration or 0.0) + 1)):.1%})"
            )
        if constrained:
            text += ", restricted to the bounds/order by rejection"
        return text


def dirichlet_concentration(value: Any) -> float:
    """A validated Dirichlet concentration (a finite number > 0)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (np.isfinite(value) and value > 0)
    ):
        raise SiteSelectError(f"concentration must be a finite number > 0; got {value!r}")
    return float(value)


def weight_prior(
    criteria: pd.Index,
    *,
    center: FloatArray | None = None,
    concentration: float | None = None,
    groups: Mapping[str, str] | None = None,
    hierarchical: bool = False,
) -> WeightPrior:
    """Validate the sampling options into a :class:`WeightPrior`."""
    group_of = None
    if hierarchical:
        if not groups:
            raise SiteSelectError("hierarchical weight sampling needs groups (criterion → group)")
        names = [str(c) for c in criteria]
        missing = [c for c in names if c not in groups]
        if missing:
            raise SiteSelectError(
                f"hierarchical weight sampling: criteria without a group: {', '.join(missing)}"
            )
        labels = {g: i for i, g in enumerate(dict.fromkeys(str(groups[c]) for c in names))}
        group_of = np.array([labels[str(groups[c])] for c in names], dtype=np.int64)
    if center is not None:
        concentration = dirichlet_concentration(concentration)
    return WeightPrior(len(criteria), center, concentration, group_of)


class WeightSampler:
    """Weights from a :class:`WeightPrior`, restricted by rejection to the constraints.

    Candidates are drawn in fixed blocks of ``DRAW_BLOCK`` and accepted ones buffered, so
    the stream of accepted weights does not depend on how callers chunk their requests.
    The acceptance rate is checked after ``PILOT_DRAWS`` candidates: constraints that
    would need more than ``MAX_DRAWS`` candidates are refused with the rate found, never
    left to stall.
    """

    def __init__(
        self,
        prior: WeightPrior | int,
        constraints: Constraints,
        rng: np.random.Generator,
        total: int,
    ) -> None:
        self.prior = WeightPrior(prior) if isinstance(prior, int) else prior
        self.n = self.prior.n
        self.constraints = constraints
        self.rng = rng
        self.total = total
        self.buffer = np.empty((0, self.n))
        self.drawn = 0
        self.accepted = 0
        self.mode = "direct" if not len(constraints.h) else "rejection"
        self.walker: HitAndRun | None = None

    def take(self, k: int) -> FloatArray:
        parts = [self.buffer]
        have = len(self.buffer)
        while have < k:
            if self.walker is not None:
                block = self.walker.block()
                parts.append(block)
                have += len(block)
                continue
            block = self.prior.draw(self.rng, DRAW_BLOCK)
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
        uniform = self.prior.center is None and self.prior.group_of is None
        if rate * MAX_DRAWS < self.total and uniform and self.walker is None:
            # uniform weights on a thin feasible set: hit-and-run instead of rejection
            self.walker = HitAndRun(self.constraints, self.n, self.rng)
            self.mode = "hit-and-run"
            return
        if rate * MAX_DRAWS < self.total and self.walker is None:
            raise SiteSelectError(
                f"weight bounds/order are too tight for rejection sampling: "
                f"{self.accepted:,} of {self.drawn:,} drawn weight vectors "
                f"({rate:.4%}) satisfied them; {self.total:,} samples would need about "
                f"{self.total / max(rate, 1e-300):,.0f} draws (limit {MAX_DRAWS:,}). Widen "
                "the bounds, drop some order constraints, or sample uniformly (no "
                "concentration, not hierarchical), which switches to hit-and-run."
            )


def seed_sequences(
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
    around: Mapping[str, float] | None = None,
    concentration: float = 100.0,
    hierarchical: bool = False,
) -> pd.DataFrame:
    """Weight vectors drawn as :func:`smaa` draws them (see :class:`WeightPrior`).

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
        other criteria are ignored) and for ``hierarchical`` sampling.
    around, concentration
        Draw imprecise weights around these weights (criterion → weight, normalised):
        Dirichlet with this concentration. ``None``: uniform.
    hierarchical
        Draw group totals first, then each group's split (needs ``groups``).

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
    check_samples(samples)
    _, w_seq, _ = seed_sequences(seed)
    center = None
    if around is not None:
        from siteselect.methods import weight_vector

        center = weight_vector(around, index)
    prior = weight_prior(
        index, center=center, concentration=concentration, groups=groups, hierarchical=hierarchical
    )
    sampler = WeightSampler(
        prior,
        weight_constraints(index, bounds, order, groups),
        np.random.default_rng(w_seq),
        samples,
    )
    return pd.DataFrame(sampler.take(samples), columns=list(criteria))


def check_samples(samples: int) -> None:
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise SiteSelectError(f"samples must be a positive integer; got {samples!r}")


# --- value ranges ----------------------------------------------------------------


@dataclass(frozen=True)
class ValueRanges:
    columns: IntArray
    low: FloatArray  # (m, k)
    high: FloatArray

    def draw(self, X: FloatArray, rng: np.random.Generator, k: int) -> FloatArray:
        """``k`` matrices (k × m × n): ``X`` with the uncertain columns drawn uniformly."""
        X3 = np.empty((k, *X.shape))
        X3[...] = X
        U = rng.random((k, *self.low.shape))  # in place: low + U * (high - low)
        U *= self.high - self.low
        U += self.low
        X3[:, :, self.columns] = U
        return X3


def value_ranges_for(problem: Problem, value_ranges: Mapping[str, Any]) -> ValueRanges:
    """Validate ``value_ranges`` (criterion → DataFrame[low, high] or (low, high) Series)."""
    cols: list[int] = []
    lows: list[FloatArray] = []
    highs: list[FloatArray] = []
    problems: list[str] = []
    alternatives = problem.alternatives
    for name, spec in value_ranges.items():
        j = criterion_index(problem, name)
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
    return ValueRanges(np.array(cols, dtype=np.int64), np.array(lows).T, np.array(highs).T)
