"""SMAA-2 (Lahdelma & Salminen 2001): rank acceptability, central weights, confidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError
from siteselect.methods import (
    TIE_DECIMALS,
    compromise_ranks,
    dense_rank,
    preference,
    rank_matrix,
    scale_to_unit,
    validate_problem,
)
from siteselect.robustness.model import (
    BoolArray,
    FloatArray,
    IntArray,
    Model,
    one_blas_thread,
    prepare_model,
)
from siteselect.robustness.sampling import (
    Constraints,
    ValueRanges,
    WeightPrior,
    WeightSampler,
    check_samples,
    seed_sequences,
    value_ranges_for,
    weight_constraints,
    weight_prior,
)

CONFIDENCE_SAMPLES = 2_000
"""Matrix draws used for the confidence factors when values are uncertain."""
CONFIDENCE_TOP = 10
"""Confidence factors are computed for at most this many alternatives (the highest
first-rank acceptabilities); the others get NaN."""
CHUNK_ELEMENTS = 2**19
"""Largest array (in elements) built per chunk of SMAA samples (4 MB of floats)."""


@dataclass(frozen=True)
class SMAAResult:
    """SMAA-2 results; see :func:`smaa_full`."""

    acceptability: pd.DataFrame
    central_weights: pd.DataFrame
    confidence: pd.Series
    samples: int
    seed: int
    method: str
    sampled: str = ""
    """What was sampled (weights, values, scales), in words."""


SCALES = ("fixed", "per_sample")
#: methods (and parametrisations) whose scaling is a per-criterion min/max or best value,
#: which ``scales="fixed"`` takes from the whole value ranges instead of each sample
FIXED_SCALE_METHODS = ("wsm", "wpm")


# --- methods on a batch of matrices (one matrix per sample) -------------------------

Terms = tuple[FloatArray, ...]
"""The weight-independent arrays of a (k × m × n) batch of matrices (one method's)."""


@dataclass(frozen=True)
class BatchRanker:
    """How one method ranks sampled matrices, split at the weights.

    ``prepare(X3)`` does the weight-independent work for a (k × m × n) batch of matrices
    once (``X3=None``: the problem's own matrix, prepared already); ``rank(terms, W)``
    ranks it under a (k × n) batch of weights, one vector per matrix (a single vector may
    be broadcast to all k). The confidence factors re-use one ``prepare`` for the central
    weights of every winner.
    """

    prepare: Callable[[FloatArray | None], Terms]
    rank: Callable[[Terms, FloatArray], IntArray]
    scores: Callable[[Terms, FloatArray], FloatArray] | None = None
    """The scores (k × m, higher is better) that ``rank`` dense-ranks, for methods ranked
    by score (not VIKOR's compromise sets, nor the per-sample fallback)."""

    def first_share(self, terms: Terms, W: FloatArray) -> FloatArray:
        """Each alternative's share of first place (k × m; a g-way tie gives 1/g each)."""
        if self.scores is None:
            return _first_share(self.rank(terms, W))
        top = np.round(self.scores(terms, W), TIE_DECIMALS)
        ones = top == top.max(axis=1, keepdims=True)
        return np.where(ones, 1.0 / ones.sum(axis=1, keepdims=True), 0.0)


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
    """``A[k] @ W[k]`` for every sample k (a batched matrix-vector product)."""
    out: FloatArray = np.matmul(A, W[..., None])[..., 0]
    return out


def _sum_scores(terms: Terms, W: FloatArray) -> FloatArray:
    return _weighted_sum(terms[0], W)


def _product_scores(terms: Terms, W: FloatArray) -> FloatArray:
    out: FloatArray = np.exp(_weighted_sum(terms[0], W))
    return out


def _topsis_terms(X3: FloatArray, sense: FloatArray) -> Terms:
    norms = np.sqrt(np.einsum("kmn,kmn->kn", X3, X3))[:, None, :]
    V = X3 / np.where(norms > 0, norms, 1.0)
    vmax = V.max(axis=1, keepdims=True)
    vmin = V.min(axis=1, keepdims=True)
    ideal = np.where(sense > 0, vmax, vmin)
    anti = np.where(sense > 0, vmin, vmax)
    to_ideal = V - ideal
    np.square(to_ideal, out=to_ideal)
    V -= anti  # V is ours: reuse it for the squared distances to the anti-ideal
    np.square(V, out=V)
    return to_ideal, V


def _topsis_scores(terms: Terms, W: FloatArray) -> FloatArray:
    W2 = np.square(W)
    d_best = np.sqrt(_weighted_sum(terms[0], W2))
    d_worst = np.sqrt(_weighted_sum(terms[1], W2))
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness: FloatArray = np.where(total > 0, d_worst / total, 0.0)
    return closeness


def _vikor_terms(X3: FloatArray, sense: FloatArray) -> Terms:
    R, varies = _benefit_scaled_batch(X3, sense)
    return (np.where(varies, 1.0 - R, 0.0),)


def _promethee_terms(
    X3: FloatArray, sense: FloatArray, *, kind: str, q: float, p: float, s: float
) -> Terms:
    """Each criterion's unicriterion net flows (k × m × n), ranges relative to each matrix."""
    k, m, n = X3.shape
    flows = np.zeros((k, m, n))
    if m < 2:
        return (flows,)
    for j in range(n):
        col = X3[:, :, j]
        span = col.max(axis=1) - col.min(axis=1)
        varies = span > 0
        scaled = sense[j] * col / np.where(varies, span, 1.0)[:, None]
        P = preference(scaled[:, :, None] - scaled[:, None, :], kind, q, p, s)
        flow = (P.sum(axis=2) - P.sum(axis=1)) / (m - 1)
        flows[:, :, j] = np.where(varies[:, None], flow, 0.0)
    return (flows,)


def fixed_scale_terms(model: Model, X3: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """WSM values (or WPM log-values), k × m × n, of sampled matrices scaled on fixed
    criterion scales ``[lo_j, hi_j]`` (SMAA-2's fixed scales) instead of each sample's own
    min and max; WSM scores are their weighted sums, WPM scores the exponentials of those."""
    sense, p = model.problem.sense, model.params
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    minmax = np.where(span > 0, np.where(sense > 0, (X3 - lo) / safe, (hi - X3) / safe), 0.0)
    best = np.where(sense > 0, hi, lo)
    if model.spec.name == "wsm":
        if p["normalise"] == "none":
            return np.asarray(X3 * sense, dtype=float)
        if p["normalise"] == "max":
            return np.asarray(np.where(sense > 0, X3 / best, best / X3), dtype=float)
        return np.asarray(minmax, dtype=float)
    if p["form"] == "ratio":
        return np.asarray(np.log(np.where(sense > 0, X3 / best, best / X3)), dtype=float)
    return np.asarray(np.log(p["floor"] + (1.0 - p["floor"]) * minmax), dtype=float)


def batch_ranker(
    model: Model, envelope: tuple[FloatArray, FloatArray] | None = None
) -> BatchRanker:
    """The method's :class:`BatchRanker`: vectorised over the samples for the
    parametrisations written out above, its own ``prepare`` and ranks one sample at a time
    otherwise. ``envelope``: the fixed criterion scales (``lo``, ``hi``) of WSM and WPM."""
    name, p, sense = model.spec.name, model.params, model.problem.sense
    spec = model.spec

    # terms=() stands for the problem's own matrix, prepared in ``model``
    def prepare_with(terms_of: Callable[[FloatArray], Terms]) -> Callable[..., Terms]:
        return lambda X3: () if X3 is None else terms_of(X3)

    def by_rank(
        terms_of: Callable[[FloatArray], Terms], rank: Callable[[Terms, FloatArray], IntArray]
    ) -> BatchRanker:
        return BatchRanker(
            prepare_with(terms_of), lambda t, W: rank(t, W) if t else model.ranks(W)
        )

    def batched(
        terms_of: Callable[[FloatArray], Terms], scores: Callable[[Terms, FloatArray], FloatArray]
    ) -> BatchRanker:
        def score(t: Terms, W: FloatArray) -> FloatArray:
            return scores(t, W) if t else model.scores(W)

        return BatchRanker(prepare_with(terms_of), lambda t, W: dense_rank(score(t, W)), score)

    if envelope is not None:
        fixed = _sum_scores if name == "wsm" else _product_scores
        return batched(lambda X3: (fixed_scale_terms(model, X3, *envelope),), fixed)
    if name == "wsm" and p["normalise"] == "minmax":
        return batched(lambda X3: (_benefit_scaled_batch(X3, sense)[0],), _sum_scores)
    if name == "wpm" and p["form"] == "scaled":
        floor = p["floor"]
        return batched(
            lambda X3: (np.log(floor + (1.0 - floor) * _benefit_scaled_batch(X3, sense)[0]),),
            _product_scores,
        )
    if name == "topsis" and p["normalise"] == "vector":
        return batched(lambda X3: _topsis_terms(X3, sense), _topsis_scores)
    if name == "vikor":

        def vikor_ranks(terms: Terms, W: FloatArray) -> IntArray:
            F = terms[0]
            S1 = scale_to_unit(_weighted_sum(F, W))
            R1 = scale_to_unit((F * W[:, None, :]).max(axis=-1))
            return compromise_ranks(
                p["v"] * S1 + (1 - p["v"]) * R1, S1, R1, p["use_compromise_set"]
            )

        return by_rank(lambda X3: _vikor_terms(X3, sense), vikor_ranks)
    scalar = all(isinstance(p.get(k), str | float) for k in ("preference", "q", "p", "s"))
    if name == "promethee2" and scalar and p["thresholds"] == "relative":
        return batched(
            lambda X3: _promethee_terms(
                X3, sense, kind=p["preference"], q=p["q"], p=p["p"], s=p["s"]
            ),
            _sum_scores,
        )

    def per_sample(terms: Terms, W: FloatArray) -> IntArray:
        X3 = terms[0]
        W = np.broadcast_to(W, (len(X3), W.shape[-1]))
        return np.concatenate(
            [
                spec.ranks(spec.prepare(X3[k], sense, **model.params), W[k : k + 1])
                for k in range(len(X3))
            ]
        )

    return by_rank(lambda X3: (X3,), per_sample)


def loop_ranker(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    method: str,
    engine: str,
    params: Mapping[str, Any],
    envelope: tuple[FloatArray, FloatArray] | None,
) -> BatchRanker:
    """The reference :class:`BatchRanker`: one :func:`~siteselect.methods.rank_matrix`
    call (with ``engine``) per sample."""
    X = matrix.to_numpy(dtype=float)
    m = len(matrix.index)

    def rank(terms: Terms, W: FloatArray) -> IntArray:
        X3 = terms[0] if terms else None
        if X3 is not None:
            W = np.broadcast_to(W, (len(X3), W.shape[-1]))
        out = []
        for s, w in enumerate(W):
            values = X if X3 is None else X3[s]
            weights = dict(zip(matrix.columns, w.tolist(), strict=True))
            if envelope is not None and X3 is not None:
                # two phantom rows at the ends of the fixed scales: the min/max scaling of
                # WSM and WPM then uses the fixed scales; rank the real rows by score
                ext = pd.DataFrame(np.vstack([values, *envelope]), columns=matrix.columns)
                res = rank_matrix(ext, objectives, weights, method, engine=engine, **params)
                out.append(dense_rank(res["score"].to_numpy(dtype=float)[:m]))
                continue
            frame = pd.DataFrame(values, index=matrix.index, columns=matrix.columns)
            ranked = rank_matrix(frame, objectives, weights, method, engine=engine, **params)
            out.append(ranked["rank"].to_numpy(dtype=np.int64))
        return np.array(out, dtype=np.int64).reshape(len(W), m)

    return BatchRanker(lambda X3: () if X3 is None else (X3,), rank)


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
        self.structural: bool | None = None

    def _bump(self, size: int, alt: IntArray, pos: IntArray) -> None:
        m = self.m
        counts = self.counts.setdefault(size, np.zeros((m, m), dtype=np.int64))
        cells = (alt * m + pos).ravel()
        if 8 * cells.size < m * m:  # few samples of many sites: touch only those cells
            np.add.at(counts.reshape(-1), cells, 1)
        else:
            counts += np.bincount(cells, minlength=m * m).reshape(m, m)

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

    def add_scores(
        self, scores: FloatArray, W: FloatArray, weight_sum: FloatArray, first_sum: FloatArray
    ) -> None:
        """Add a (k × m) batch of scores (higher is better; ties as in ``dense_rank``),
        accumulating each alternative's first-rank weight sum and count.

        The hot path of SMAA, for sampled (continuous) weights: one ``argsort`` per sample,
        counted straight from the sort order. The first 16 samples probe for alternatives
        that tie whatever the weights (identical on every weighted criterion); only then
        are ties looked for in every sample (to 12 decimals, as ``dense_rank``) and split.
        """
        k, m = scores.shape
        order = np.argsort(-scores, axis=1)
        if self.structural is None:  # probe: do some alternatives tie whatever the weights?
            probe = np.round(scores[: min(k, 16)], TIE_DECIMALS).T
            self.structural = len(np.unique(probe, axis=0)) < m
        if self.structural:
            ordered = np.take_along_axis(scores, order, axis=1)
            gaps = ordered[:, :-1] - ordered[:, 1:]  # >= 0
            # candidate ties (a superset of the 12-decimal rule), decided exactly below
            near: BoolArray = np.asarray((gaps < 1e-11).any(axis=1), dtype=bool)
            tied = np.zeros(k, dtype=bool)
            if near.any():
                rounded = np.round(ordered[near], TIE_DECIMALS)
                tied[near] = (rounded[:, 1:] == rounded[:, :-1]).any(axis=1)
        else:
            # no two alternatives tie on the probe weights: under continuous weight
            # distributions a tie then has probability 0, and the sort order is the ranking
            tied = np.zeros(k, dtype=bool)
        plain = order[~tied] if tied.any() else order
        self._bump(1, plain, np.broadcast_to(np.arange(m), plain.shape))
        first = plain[:, 0]
        Wp = W[~tied] if tied.any() else W
        for j in range(W.shape[1]):
            weight_sum[:, j] += np.bincount(first, weights=Wp[:, j], minlength=m)
        first_sum += np.bincount(first, minlength=m)
        if tied.any():
            share = self._add_ties(dense_rank(scores[tied]))
            weight_sum += share.T @ W[tied]
            first_sum += share.sum(axis=0)
        self.samples += k

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
    constraints: Constraints
    values: ValueRanges | None
    chunk: int
    prior: WeightPrior
    info: dict[str, str] = field(default_factory=dict)
    """Filled while iterating: ``mode`` of the weight sampler (rejection, hit-and-run…)."""

    def __iter__(self) -> Iterator[tuple[FloatArray, FloatArray | None]]:
        _, w_seq, v_seq = seed_sequences(self.entropy)
        sampler = WeightSampler(
            self.prior, self.constraints, np.random.default_rng(w_seq), self.samples
        )
        v_rng = np.random.default_rng(v_seq)
        done = 0
        while done < self.samples:
            k = min(self.chunk, self.samples - done)
            W = np.tile(self.fixed, (k, 1)) if self.fixed is not None else sampler.take(k)
            X3 = self.values.draw(self.X, v_rng, k) if self.values is not None else None
            yield W, X3
            done += k
        self.info["mode"] = sampler.mode


def chunk_size(m: int, n: int, method: str, varying: bool) -> int:
    width = m * (n if varying or method == "vikor" else 1)
    if varying and method == "promethee2":
        width = m * max(n, m)
    return max(1, CHUNK_ELEMENTS // max(width, 1))


Progress = Callable[[float], None]
"""Called with the share of the work done (0 to 1) after each chunk of samples."""


def _smaa(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    *,
    weights: Mapping[str, float] | None,
    samples: int,
    method: str,
    seed: int | None,
    bounds: Mapping[str, tuple[float, float]] | None,
    order: Sequence[tuple[str, str]] | None,
    value_ranges: Mapping[str, Any] | None,
    groups: Mapping[str, str] | None,
    concentration: float | None,
    hierarchical: bool,
    scales: str,
    params: Mapping[str, Any],
    engine: str | None,
    with_confidence: bool,
    progress: Progress | None,
) -> SMAAResult:
    problem = validate_problem(
        matrix, objectives, weights if weights is not None else dict.fromkeys(matrix.columns, 1)
    )
    model = prepare_model(problem, method, params)
    check_samples(samples)
    if scales not in SCALES:
        raise SiteSelectError(f"scales must be one of {', '.join(SCALES)}; got {scales!r}")
    around = weights is not None and concentration is not None
    if weights is not None and not around and (bounds or order or hierarchical):
        raise SiteSelectError(
            "bounds, order and hierarchical sampling apply to sampled weights; they cannot be "
            "combined with fixed weights (pass weights=None to sample them uniformly, or a "
            "concentration to sample them around the weights)"
        )
    prior = weight_prior(
        problem.criteria,
        center=problem.w if around else None,
        concentration=concentration,
        groups=groups,
        hierarchical=hierarchical,
    )
    m, n = problem.X.shape
    values = value_ranges_for(problem, value_ranges) if value_ranges else None
    envelope = None
    fixed_scales = values is not None and scales == "fixed" and method in FIXED_SCALE_METHODS
    if values is not None and fixed_scales:
        lo, hi = problem.X.min(axis=0), problem.X.max(axis=0)
        lo[values.columns] = np.minimum(lo[values.columns], values.low.min(axis=0))
        hi[values.columns] = np.maximum(hi[values.columns], values.high.max(axis=0))
        envelope = (lo, hi)
    constraints = weight_constraints(problem.criteria, bounds, order, groups)
    entropy, _, _ = seed_sequences(seed)
    draws = _Draws(
        X=problem.X,
        samples=samples,
        entropy=entropy,
        fixed=problem.w if weights is not None and not around else None,
        constraints=constraints,
        values=values,
        chunk=chunk_size(m, n, model.spec.name, values is not None),
        prior=prior,
    )
    ranker = (
        batch_ranker(model, envelope)
        if engine is None
        else loop_ranker(matrix, objectives, method, engine, model.params, envelope)
    )
    # the confidence pass re-ranks up to CONFIDENCE_SAMPLES matrices per winner
    second = with_confidence and values is not None
    main_share = samples / (samples + CONFIDENCE_SAMPLES) if second else 1.0
    tally = _RankTally(m)
    weight_sum = np.zeros((m, n))
    first_sum = np.zeros(m)
    by_score = ranker.scores is not None and draws.fixed is None
    for W, X3 in draws:
        terms = ranker.prepare(X3)
        if ranker.scores is not None and by_score:
            tally.add_scores(ranker.scores(terms, W), W, weight_sum, first_sum)
        else:
            share = tally.add(ranker.rank(terms, W))
            weight_sum += share.T @ W
            first_sum += share.sum(axis=0)
        if progress is not None:
            progress(min(1.0, main_share * tally.samples / samples))
    with np.errstate(invalid="ignore", divide="ignore"):
        central = weight_sum / first_sum[:, None]
    central[first_sum == 0] = np.nan
    confidence = np.full(m, np.nan)
    winners = np.flatnonzero(first_sum > 0)
    if len(winners) > CONFIDENCE_TOP:
        top = np.argsort(-first_sum[winners], kind="stable")[:CONFIDENCE_TOP]
        winners = np.sort(winners[top])
    if with_confidence and winners.size:
        confidence[winners] = _confidence(ranker, draws, central, winners, progress, main_share)
    if progress is not None:
        progress(1.0)
    if draws.fixed is not None:
        sampled = "weights fixed at the current weights"
    else:
        sampled = prior.describe(bool(len(constraints.h)))
        if draws.info.get("mode") == "hit-and-run":
            sampled = sampled.replace(
                "by rejection",
                "by hit-and-run (uniform on the feasible set; too few uniform draws satisfied "
                "them for rejection)",
            )
    if values is not None:
        sampled += f"; values of {len(values.columns)} criteria drawn uniformly in their ranges"
        sampled += (
            " on fixed criterion scales (the ends of all ranges)"
            if fixed_scales
            else f" and re-normalised per sample by {model.spec.label}"
        )
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
        sampled=sampled,
    )


def _confidence(
    ranker: BatchRanker,
    draws: _Draws,
    central: FloatArray,
    winners: IntArray,
    progress: Progress | None,
    start: float,
) -> FloatArray:
    """Share of first place of each winner under its central weights (ties split).

    With uncertain values, estimated from the first ``CONFIDENCE_SAMPLES`` matrix draws
    (standard error at most 0.5 / sqrt(that)); each chunk of matrices is prepared once and
    ranked under every winner's central weights."""
    if draws.values is None:  # a certain matrix: one ranking per central weight vector
        shares = ranker.first_share((), central[winners])
        return shares[np.arange(len(winners)), winners]
    total = np.zeros(len(winners))
    budget = min(draws.samples, CONFIDENCE_SAMPLES)
    used = 0
    for W, X3 in draws:
        k = min(len(W), budget - used)
        if k <= 0 or X3 is None:
            break
        terms = ranker.prepare(X3[:k])
        for j, i in enumerate(winners):
            Wc = np.broadcast_to(central[i], (k, W.shape[1]))
            total[j] += ranker.first_share(terms, Wc)[:, i].sum()
        used += k
        if progress is not None:
            progress(min(1.0, start + (1.0 - start) * used / budget))
    return total / used


def _first_share(ranks: IntArray) -> FloatArray:
    ones = ranks == 1
    return np.where(ones, 1.0 / ones.sum(axis=1, keepdims=True), 0.0)


@one_blas_thread()
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
    concentration: float | None = None,
    hierarchical: bool = False,
    scales: str = "fixed",
    confidence: bool = True,
    engine: str | None = None,
    progress: Progress | None = None,
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
        ``CriteriaSet.group_of()``; entries for criteria not in ``matrix`` are ignored),
        and for ``hierarchical`` sampling.
    concentration
        With ``weights``: sample imprecise weights *around* them, ``w ~ Dirichlet(κ·w)``
        with ``κ = concentration`` (mean = the weights; a weight ``w`` varies with standard
        deviation ``sqrt(w(1-w)/(κ+1))``, e.g. κ = 100 gives ±0.03 around 0.1). Exact
        draws, no rejection; ``bounds``/``order`` may restrict them further.
    hierarchical
        Draw group totals first, then each group's split among its criteria (both uniform,
        or both Dirichlet around the weights with ``concentration``); needs ``groups``.
    scales
        ``"fixed"`` (default, SMAA-2): with ``value_ranges``, WSM and WPM scale every
        criterion on a fixed scale, from the lowest to the highest value any range allows,
        so a sampled value keeps its meaning across samples. ``"per_sample"``: each
        sampled matrix is scaled on its own min and max. TOPSIS, VIKOR and PROMETHEE
        always normalise each sampled matrix by their own definition (stated in
        ``sampled``).
    confidence
        Compute the confidence factors (``False`` skips that pass; they are then NaN).
    engine
        ``None`` (default): all samples of a chunk are scored in one batched numpy pass.
        A :func:`~siteselect.methods.rank_matrix` engine (``"numpy"``,
        ``"skcriteria"``): one ``rank_matrix`` call per sample, the slow reference
        (:func:`smaa_reference_loop`).
    progress
        Called with the share of the work done (0 to 1) after every chunk of samples.

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
        central weights are used (ties split), for the ``CONFIDENCE_TOP`` (10) alternatives
        with the highest first-rank acceptability (NaN for the others). With
        ``value_ranges`` the matrix samples are the first ``CONFIDENCE_SAMPLES`` (2,000)
        draws of the acceptability (regenerated from the seed); without
        them the matrix is certain, so the confidence is 1 (``1/g`` in a ``g``-way tie) or
        0. NaN if the alternative never ranks first.

        ``sampled``: what was sampled, in words (to show beside the results).

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
        weights=weights,
        samples=samples,
        method=method,
        seed=seed,
        bounds=bounds,
        order=order,
        value_ranges=value_ranges,
        groups=groups,
        concentration=concentration,
        hierarchical=hierarchical,
        scales=scales,
        params=params,
        engine=engine,
        with_confidence=confidence,
        progress=progress,
    )


def smaa(matrix: pd.DataFrame, objectives: Mapping[str, str], **options: Any) -> pd.DataFrame:
    """SMAA-2 rank acceptability indices: alternative × rank, each row sums to 1.

    The ``acceptability`` of :func:`smaa_full` (same ``options``: weights, samples,
    method, seed, bounds, order, value ranges, groups, concentration, hierarchical, scales
    and the method's parameters), skipping the extra pass for the confidence factors; see
    there for the sampling and the tie rule.

    Examples
    --------
    >>> m = pd.DataFrame({"x": [1.0, 0.0, 0.4], "y": [0.0, 1.0, 0.4]}, index=list("ABC"))
    >>> smaa(m, {"x": "max", "y": "max"}, samples=4000).round(1)
    rank    1    2    3
    A     0.5  0.1  0.4
    B     0.5  0.1  0.4
    C     0.0  0.8  0.2
    """
    return smaa_full(matrix, objectives, confidence=False, **options).acceptability


def smaa_reference_loop(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    *,
    samples: int = 200,
    engine: str = "numpy",
    **options: Any,
) -> SMAAResult:
    """The slow reference of :func:`smaa_full`: one ``rank_matrix`` call per sample.

    Draws exactly the same weight vectors and matrices as :func:`smaa_full` for the same
    seed and ``options``, then ranks each sample separately through
    :func:`~siteselect.methods.rank_matrix` (with ``engine``, e.g. ``"skcriteria"``).
    Used by the tests to prove the batched path equal, and as a baseline for timing.
    """
    return smaa_full(matrix, objectives, samples=samples, engine=engine, **options)
