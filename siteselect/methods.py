"""MCDA methods: a vectorised numpy path, with scikit-criteria as the reference.

Every method is split in two steps so that re-ranking under new weights is cheap:

``prepare(X, sense, **params)``
    everything that does not depend on the weights (normalisation, pairwise preferences);
``scores(state, W)``
    the scores for a *batch* of weight vectors ``W`` (k × n) at once, higher is better.

:func:`rank_matrix` is the validated public entry point. ``engine="skcriteria"`` runs the
same method through a scikit-criteria pipeline (the reference implementation; tests prove
both engines give the same scores and ranks).

How each method treats cost criteria and normalises (m alternatives, n criteria,
weights normalised to sum to 1):

``wsm``  Weighted sum. Each criterion is min–max scaled to [0, 1] with the best value 1
    (cost criteria reversed: ``(max - x) / (max - min)``, scikit-criteria's
    ``MinMaxInverter``); a constant criterion scales to 0. Score ``Σ w_j r_ij`` in [0, 1].
``wpm``  Weighted product. The same benefit-oriented min–max scaling, then mapped to
    ``[floor, 1]`` (default ``floor=0.1``) so that the worst value of one criterion is not
    a veto; score ``Π r_ij ** w_j`` in [floor, 1].
``topsis``  TOPSIS (Hwang & Yoon 1981). Vector normalisation ``x / ||x_j||``, weighted;
    the ideal takes the max of benefit and the min of cost criteria, the anti-ideal the
    opposite; score = relative closeness ``d- / (d+ + d-)`` with Euclidean distances.
``vikor``  VIKOR (Opricovic & Tzeng 2004). Each criterion scaled by its distance to the
    ideal (``(f* - f) / (f* - f-)``, cost criteria reversed); group utility ``S``
    (weighted sum) and individual regret ``R`` (weighted max) combined as
    ``Q = v S' + (1 - v) R'``; score ``1 - Q`` so that higher is better. With
    ``use_compromise_set=True`` (default, as in scikit-criteria) the compromise set
    shares rank 1.
``promethee2``  PROMETHEE II (Brans & Vincke 1985). For every ordered pair and criterion
    the difference ``d`` (sign flipped for cost criteria) goes through a preference
    function: ``linear`` (default: 0 below ``q``, 1 above ``p``, linear between, with
    ``q`` and ``p`` given as fractions of the criterion's range, default ``q=0, p=1``),
    ``usual`` (1 if ``d > 0``) or ``gaussian`` (``1 - exp(-d² / 2 s²)``, ``s`` a
    fraction of the range). Score = net outranking flow in [-1, 1]. The net flow is linear
    in the weights, so the pairwise work is done once in ``prepare``.

Ranks are dense (ties share a rank, the next rank follows), 1 = best.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from siteselect.errors import SiteSelectError, UnknownNameError, WeightError

FloatArray = NDArray[np.float64]
OBJECTIVES = ("max", "min")
TIE_DECIMALS = 12


@dataclass(frozen=True)
class Method:
    """One MCDA method: its weight-independent and weight-dependent steps."""

    name: str
    label: str
    prepare: Callable[..., Any]
    scores: Callable[[Any, FloatArray], FloatArray]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    reference: Callable[..., tuple[FloatArray, NDArray[np.int64]]] | None = None
    max_alternatives: int | None = None


def dense_rank(scores: FloatArray) -> NDArray[np.int64]:
    """Dense ranks of ``scores`` along the last axis, 1 = highest.

    Scores equal to 12 decimal places tie, so floating-point noise (e.g. from normalising
    the weights) never breaks a tie. All method scores lie within [-1, 1].

    >>> dense_rank(np.array([0.2, 0.9, 0.2, 0.5])).tolist()
    [3, 1, 3, 2]
    """
    scores = np.round(np.asarray(scores, dtype=float), TIE_DECIMALS)
    if scores.ndim == 1:
        order1 = np.argsort(-scores)
        ordered = scores[order1]
        steps = np.empty(len(ordered), dtype=np.int64)
        steps[:1] = 1
        steps[1:] = ordered[1:] != ordered[:-1]
        ranks1 = np.empty(len(ordered), dtype=np.int64)
        ranks1[order1] = np.cumsum(steps)
        return ranks1
    order = np.argsort(-scores, axis=-1)
    sorted_scores = np.take_along_axis(scores, order, axis=-1)
    new_value = np.ones_like(sorted_scores, dtype=bool)
    new_value[..., 1:] = sorted_scores[..., 1:] != sorted_scores[..., :-1]
    sorted_ranks = np.cumsum(new_value, axis=-1)
    ranks = np.empty_like(sorted_ranks)
    np.put_along_axis(ranks, order, sorted_ranks, axis=-1)
    return ranks.astype(np.int64)


def benefit_scaled(X: FloatArray, sense: FloatArray) -> FloatArray:
    """Min–max scale every column to [0, 1], best value 1; a constant column gives 0.

    ``sense`` is +1 for a benefit (max) and -1 for a cost (min) criterion.
    """
    X = np.asarray(X, dtype=float)
    lo = X.min(axis=0)
    hi = X.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    R = np.where(sense > 0, (X - lo) / safe, (hi - X) / safe)
    R[:, span == 0] = 0.0
    return R


# --- WSM ---------------------------------------------------------------------------


def _wsm_prepare(X: FloatArray, sense: FloatArray) -> FloatArray:
    return benefit_scaled(X, sense)


def _wsm_scores(R: FloatArray, W: FloatArray) -> FloatArray:
    return W @ R.T


# --- WPM ---------------------------------------------------------------------------


def _wpm_prepare(X: FloatArray, sense: FloatArray, *, floor: float = 0.1) -> FloatArray:
    if not 0 < floor < 1:
        raise SiteSelectError(f"wpm parameter 'floor' must be in (0, 1); got {floor!r}")
    return np.log(floor + (1.0 - floor) * benefit_scaled(X, sense))


def _wpm_scores(logR: FloatArray, W: FloatArray) -> FloatArray:
    return np.exp(W @ logR.T)


# --- TOPSIS ------------------------------------------------------------------------


@dataclass(frozen=True)
class _TopsisState:
    sq_to_ideal: FloatArray
    sq_to_anti: FloatArray


def _topsis_prepare(X: FloatArray, sense: FloatArray) -> _TopsisState:
    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    V = X / np.where(norms > 0, norms, 1.0)
    vmax = V.max(axis=0)
    vmin = V.min(axis=0)
    ideal = np.where(sense > 0, vmax, vmin)
    anti = np.where(sense > 0, vmin, vmax)
    return _TopsisState(np.square(V - ideal), np.square(V - anti))


def _topsis_scores(state: _TopsisState, W: FloatArray) -> FloatArray:
    W2 = np.square(W)
    d_best = np.sqrt(W2 @ state.sq_to_ideal.T)
    d_worst = np.sqrt(W2 @ state.sq_to_anti.T)
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = np.where(total > 0, d_worst / total, 0.0)
    return closeness


# --- VIKOR -------------------------------------------------------------------------


@dataclass(frozen=True)
class _VikorState:
    F: FloatArray
    v: float
    use_compromise_set: bool


def _vikor_prepare(
    X: FloatArray, sense: FloatArray, *, v: float = 0.5, use_compromise_set: bool = True
) -> _VikorState:
    if not 0 <= v <= 1:
        raise SiteSelectError(f"vikor parameter 'v' must be in [0, 1]; got {v!r}")
    # distance to the ideal in [0, 1], 0 = best: the complement of the benefit scaling
    F = 1.0 - benefit_scaled(X, sense)
    span = X.max(axis=0) - X.min(axis=0)
    F[:, span == 0] = 0.0
    return _VikorState(F, float(v), bool(use_compromise_set))


def _scale_to_unit(A: FloatArray) -> FloatArray:
    lo = A.min(axis=-1, keepdims=True)
    hi = A.max(axis=-1, keepdims=True)
    span = hi - lo
    return np.where(span > 0, (A - lo) / np.where(span > 0, span, 1.0), 0.0)


def _vikor_q(state: _VikorState, W: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    S = W @ state.F.T
    if W.shape[0] == 1:
        R = (state.F * W[0]).max(axis=-1)[None, :]
    else:
        R = (W[:, None, :] * state.F[None, :, :]).max(axis=-1)
    S, R = _scale_to_unit(S), _scale_to_unit(R)
    return state.v * S + (1 - state.v) * R, S, R


def _vikor_scores(state: _VikorState, W: FloatArray) -> FloatArray:
    return 1.0 - _vikor_q(state, W)[0]


def vikor_ranks(state: _VikorState, w: FloatArray) -> NDArray[np.int64]:
    """VIKOR ranks for one weight vector, with the compromise set sharing rank 1."""
    Q, S, R = (a[0] for a in _vikor_q(state, w[None, :]))
    return _vikor_ranks_from(state, Q, S, R)


def _vikor_ranks_from(
    state: _VikorState, Q: FloatArray, S: FloatArray, R: FloatArray
) -> NDArray[np.int64]:
    ranks = dense_rank(-Q)
    if not state.use_compromise_set or len(Q) < 2:
        return ranks
    chosen = np.flatnonzero(ranks == 1)
    dq = 1.0 / (len(Q) - 1)
    advantage = np.flatnonzero(Q - Q[chosen[0]] < dq)
    acceptable_advantage = len(advantage) == len(chosen)
    bests = np.flatnonzero((S == 0) | (R == 0))
    acceptable_stability = set(chosen.tolist()) <= set(bests.tolist())
    if acceptable_advantage and acceptable_stability:
        compromise = chosen
    elif acceptable_advantage:
        compromise = np.flatnonzero(ranks <= 2)
    else:
        compromise = advantage
    top = ranks[compromise].max()
    ranks = np.where(ranks <= top, 1, ranks - top + 1)
    return ranks.astype(np.int64)


# --- PROMETHEE II ------------------------------------------------------------------

PREFERENCE_FUNCTIONS = ("linear", "usual", "gaussian")


def _preference(d: FloatArray, kind: str, q: float, p: float, s: float) -> FloatArray:
    if kind == "usual":
        return (d > 0).astype(float)
    if kind == "gaussian":
        return np.where(d > 0, 1.0 - np.exp(-np.square(d) / (2.0 * s * s)), 0.0)
    return np.clip((d - q) / (p - q), 0.0, 1.0)


def _promethee_prepare(
    X: FloatArray,
    sense: FloatArray,
    *,
    preference: str = "linear",
    q: float = 0.0,
    p: float = 1.0,
    s: float = 0.5,
) -> FloatArray:
    if preference not in PREFERENCE_FUNCTIONS:
        raise UnknownNameError("preference function", preference, PREFERENCE_FUNCTIONS)
    if not 0 <= q < p:
        raise SiteSelectError(f"promethee2 needs 0 <= q < p; got q={q!r}, p={p!r}")
    if s <= 0:
        raise SiteSelectError(f"promethee2 parameter 's' must be > 0; got {s!r}")
    m, n = X.shape
    flows = np.zeros((m, n))
    if m < 2:
        return flows
    span = X.max(axis=0) - X.min(axis=0)
    for j in range(n):
        if span[j] == 0:
            continue
        col = sense[j] * X[:, j] / span[j]
        d = col[:, None] - col[None, :]
        P = _preference(d, preference, q, p, s)
        flows[:, j] = (P.sum(axis=1) - P.sum(axis=0)) / (m - 1)
    return flows


def _promethee_scores(flows: FloatArray, W: FloatArray) -> FloatArray:
    return W @ flows.T


# --- one weight vector, many alternatives ------------------------------------------
#
# Screening a large candidate set ranks one weight vector over millions of rows. These
# paths give the same scores as ``scores(prepare(X), w)`` without building m × n
# temporaries: WSM is affine in X once the column ranges are known; TOPSIS works in
# row chunks that stay in cache.

CHUNK_ROWS = 32_768


def _wsm_single(X: FloatArray, sense: FloatArray, w: FloatArray) -> FloatArray:
    lo = X.min(axis=0)
    hi = X.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    coef = np.where(span > 0, sense * w / safe, 0.0)
    offset = float(np.sum(np.where(span > 0, np.where(sense > 0, -lo, hi) * w / safe, 0.0)))
    out: FloatArray = X @ coef + offset
    return out


def _topsis_single(X: FloatArray, sense: FloatArray, w: FloatArray) -> FloatArray:
    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    inv = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 0.0)
    vmax = X.max(axis=0) * inv
    vmin = X.min(axis=0) * inv
    ideal = np.where(sense > 0, vmax, vmin)
    anti = np.where(sense > 0, vmin, vmax)
    w2 = np.square(w)
    out = np.empty(X.shape[0])
    for start in range(0, X.shape[0], CHUNK_ROWS):
        V = X[start : start + CHUNK_ROWS] * inv
        d_best = np.sqrt(np.square(V - ideal) @ w2)
        d_worst = np.sqrt(np.square(V - anti) @ w2)
        total = d_best + d_worst
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + CHUNK_ROWS] = np.where(total > 0, d_worst / total, 0.0)
    return out


_SINGLE: dict[str, Callable[[FloatArray, FloatArray, FloatArray], FloatArray]] = {
    "wsm": _wsm_single,
    "topsis": _topsis_single,
}


# --- scikit-criteria reference pipelines -------------------------------------------


def _skc_dm(X: FloatArray, sense: FloatArray, w: FloatArray) -> Any:
    import skcriteria as skc

    return skc.mkdm(X, [max if s > 0 else min for s in sense], weights=w)


def _skc_run(pipe: Any, dm: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipe.evaluate(dm)


def _ref_wsm(X: FloatArray, sense: FloatArray, w: FloatArray) -> tuple[FloatArray, Any]:
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import MinMaxInverter
    from skcriteria.preprocessing.scalers import SumScaler

    pipe = mkpipe(MinMaxInverter(), SumScaler(target="weights"), WeightedSumModel())
    res = _skc_run(pipe, _skc_dm(X, sense, w))
    return np.asarray(res.e_.score, dtype=float), res.rank_


def _ref_wpm(
    X: FloatArray, sense: FloatArray, w: FloatArray, *, floor: float = 0.1
) -> tuple[FloatArray, Any]:
    from skcriteria.agg.simple import WeightedProductModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import MinMaxInverter
    from skcriteria.preprocessing.scalers import MinMaxScaler, SumScaler

    # MinMaxInverter leaves every non-constant column spanning exactly [0, 1], so the
    # affine map onto [floor, 1] below equals MinMaxScaler(criteria_range=(floor, 1)).
    pipe = mkpipe(
        MinMaxInverter(),
        MinMaxScaler(target="matrix", criteria_range=(floor, 1.0)),
        SumScaler(target="weights"),
        WeightedProductModel(),
    )
    res = _skc_run(pipe, _skc_dm(X, sense, w))
    return np.power(10.0, np.asarray(res.e_.score, dtype=float)), res.rank_


def _ref_topsis(X: FloatArray, sense: FloatArray, w: FloatArray) -> tuple[FloatArray, Any]:
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler, VectorScaler

    pipe = mkpipe(VectorScaler(target="matrix"), SumScaler(target="weights"), TOPSIS())
    res = _skc_run(pipe, _skc_dm(X, sense, w))
    return np.asarray(res.e_.similarity, dtype=float), res.rank_


def _ref_vikor(
    X: FloatArray,
    sense: FloatArray,
    w: FloatArray,
    *,
    v: float = 0.5,
    use_compromise_set: bool = True,
) -> tuple[FloatArray, Any]:
    from skcriteria.agg.vikor import VIKOR
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler

    pipe = mkpipe(SumScaler(target="weights"), VIKOR(v=v, use_compromise_set=use_compromise_set))
    res = _skc_run(pipe, _skc_dm(X, sense, w))
    return 1.0 - np.asarray(res.e_.q_k, dtype=float), res.rank_


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("wsm", "Weighted sum (WSM)", _wsm_prepare, _wsm_scores, {}, _ref_wsm),
        Method(
            "wpm", "Weighted product (WPM)", _wpm_prepare, _wpm_scores, {"floor": 0.1}, _ref_wpm
        ),
        Method("topsis", "TOPSIS", _topsis_prepare, _topsis_scores, {}, _ref_topsis),
        Method(
            "vikor",
            "VIKOR",
            _vikor_prepare,
            _vikor_scores,
            {"v": 0.5, "use_compromise_set": True},
            _ref_vikor,
        ),
        Method(
            "promethee2",
            "PROMETHEE II",
            _promethee_prepare,
            _promethee_scores,
            {"preference": "linear", "q": 0.0, "p": 1.0, "s": 0.5},
            None,
            max_alternatives=20_000,
        ),
    )
}
ENGINES = ("numpy", "skcriteria")


def get_method(name: str) -> Method:
    """Look a method up by name; the error lists the valid names."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise UnknownNameError("method", name, METHODS) from None


def check_params(method: Method, params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over the method's defaults, refusing unknown parameter names."""
    unknown = set(params) - set(method.defaults)
    if unknown:
        valid = ", ".join(sorted(method.defaults)) or "none"
        raise SiteSelectError(
            f"method {method.name!r} takes no parameter(s) {', '.join(sorted(unknown))}; "
            f"valid parameters: {valid}"
        )
    return {**method.defaults, **params}


@dataclass(frozen=True)
class Problem:
    """A validated decision problem: the matrix as floats, senses (+1/-1) and weights."""

    alternatives: pd.Index
    criteria: pd.Index
    X: FloatArray
    sense: FloatArray
    w: FloatArray


def validate_problem(
    matrix: pd.DataFrame, objectives: Mapping[str, str], weights: Mapping[str, float]
) -> Problem:
    """Check a decision problem once at the entry point, naming what is wrong."""
    if not isinstance(matrix, pd.DataFrame):
        raise SiteSelectError(
            f"matrix must be a pandas DataFrame (rows = alternatives, columns = criteria); "
            f"got {type(matrix).__name__}"
        )
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise SiteSelectError(
            f"matrix must have at least one alternative and one criterion; got shape "
            f"{matrix.shape}"
        )
    if matrix.columns.has_duplicates:
        dups = sorted({str(c) for c in matrix.columns[matrix.columns.duplicated()]})
        raise SiteSelectError(f"matrix has duplicate criteria columns: {', '.join(dups)}")
    if matrix.index.has_duplicates:
        dups = sorted({str(c) for c in matrix.index[matrix.index.duplicated()]})
        raise SiteSelectError(f"matrix has duplicate alternatives (index): {', '.join(dups)}")
    criteria = [str(c) for c in matrix.columns]
    X = _finite_matrix(matrix)
    missing_obj = [c for c in matrix.columns if c not in objectives]
    if missing_obj:
        raise SiteSelectError(
            f"objectives missing for criteria: {', '.join(map(str, missing_obj))}"
        )
    bad_obj = {c: objectives[c] for c in matrix.columns if objectives[c] not in OBJECTIVES}
    if bad_obj:
        raise SiteSelectError(
            "objectives must be 'max' or 'min'; got "
            + ", ".join(f"{c}={v!r}" for c, v in bad_obj.items())
        )
    w = weight_vector(weights, matrix.columns)
    sense = np.array([1.0 if objectives[c] == "max" else -1.0 for c in matrix.columns])
    return Problem(matrix.index, pd.Index(criteria), X, sense, w)


def _finite_matrix(matrix: pd.DataFrame) -> FloatArray:
    """The matrix as floats (a view where pandas allows), or an error naming bad cells.

    The common case (numeric columns, all finite) costs one pass over the data.
    """
    if all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
        for t in matrix.dtypes
    ):
        X = matrix.to_numpy(dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(X.sum(axis=0)).all() or np.isfinite(X).all():
                return X
    problems = []
    for col in matrix.columns:
        values = pd.to_numeric(matrix[col], errors="coerce")
        bad = matrix.index[values.isna() | ~np.isfinite(values.to_numpy(dtype=float))]
        if len(bad):
            shown = ", ".join(map(str, bad[:5]))
            problems.append(
                f"criterion {col!r} has missing or non-numeric values for {shown}"
                + (f" (+{len(bad) - 5} more)" if len(bad) > 5 else "")
            )
    if problems:
        raise SiteSelectError(
            "matrix values must be finite numbers (apply a missing-value policy first): "
            + "; ".join(problems)
        )
    return matrix.apply(pd.to_numeric).to_numpy(dtype=float)


def check_weight(name: str, value: Any) -> float:
    """One weight as a float: a finite, non-negative number, else a :class:`WeightError`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise WeightError(f"weight of {name!r} is not a number: {value!r}") from None
    if not np.isfinite(number):
        raise WeightError(f"weight of {name!r} is not finite: {value!r}")
    if number < 0:
        raise WeightError(f"weight of {name!r} is negative: {number}")
    return number


def weight_vector(weights: Mapping[str, Any], criteria: pd.Index) -> FloatArray:
    """Validate weights for ``criteria`` and normalise them to sum to 1."""
    unknown = [k for k in weights if k not in criteria]
    if unknown:
        raise UnknownNameError("criterion", unknown[0], map(str, criteria))
    missing = [c for c in criteria if c not in weights]
    if missing:
        raise WeightError(f"weights missing for criteria: {', '.join(map(str, missing))}")
    w = np.array([check_weight(str(c), weights[c]) for c in criteria], dtype=float)
    if w.sum() <= 0:
        raise WeightError("all weights are zero; give at least one criterion a positive weight")
    return w / w.sum()


def rank_problem(
    problem: Problem, method: str = "topsis", *, engine: str = "numpy", **params: Any
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Scores and dense ranks for a validated :class:`Problem`."""
    spec = get_method(method)
    merged = check_params(spec, params)
    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    m = len(problem.alternatives)
    if spec.max_alternatives is not None and m > spec.max_alternatives:
        raise SiteSelectError(
            f"{spec.label} compares every pair of alternatives (O(m²) memory and time); "
            f"{m} alternatives exceed its limit of {spec.max_alternatives}. Use wsm, wpm or "
            f"topsis for screening large candidate sets."
        )
    if engine == "skcriteria":
        if spec.reference is None:
            raise SiteSelectError(
                f"method {method!r} has no scikit-criteria implementation; use engine='numpy'"
            )
        score, ranks = spec.reference(problem.X, problem.sense, problem.w, **merged)
        return np.asarray(score, dtype=float), np.asarray(ranks, dtype=np.int64)
    single = _SINGLE.get(spec.name)
    if single is not None and not merged:
        score = single(problem.X, problem.sense, problem.w)
        return score, dense_rank(score)
    state = spec.prepare(problem.X, problem.sense, **merged)
    score = spec.scores(state, problem.w[None, :])[0]
    if spec.name == "vikor":
        return score, vikor_ranks(state, problem.w)
    return score, dense_rank(score)


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
        Method parameters (``floor`` for wpm; ``v``, ``use_compromise_set`` for vikor;
        ``preference``, ``q``, ``p``, ``s`` for promethee2).

    Returns
    -------
    DataFrame
        Indexed like ``matrix`` with ``score`` (higher is better) and ``rank`` (1 = best).

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
    return pd.DataFrame({"score": score, "rank": ranks}, index=matrix.index.copy())


def contributions(
    matrix: pd.DataFrame, objectives: Mapping[str, str], weights: Mapping[str, float]
) -> pd.DataFrame:
    """Weighted, benefit-oriented min–max performance ``w_j r_ij`` of every cell.

    For ``wsm`` the row sums are the scores; for the other methods it is the additive
    explanation shown beside the rank (which criteria lift or hold back a site).
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

    def rank(
        self, weights: Mapping[str, float] | FloatArray
    ) -> tuple[FloatArray, NDArray[np.int64], FloatArray]:
        """Scores, dense ranks and weighted contributions (m × n) for ``weights``."""
        if isinstance(weights, Mapping):
            w = weight_vector(weights, self.problem.criteria)
        else:
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
            w = w / w.sum()
        if self.method.name == "vikor":
            Q, S, R = (a[0] for a in _vikor_q(self.state, w[None, :]))
            score, ranks = 1.0 - Q, _vikor_ranks_from(self.state, Q, S, R)
        else:
            score = self.method.scores(self.state, w[None, :])[0]
            ranks = dense_rank(score)
        return score, ranks, self.scaled * w


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
    merged = check_params(spec, params)
    problem = validate_problem(matrix, objectives, dict.fromkeys(matrix.columns, 1.0))
    state = spec.prepare(problem.X, problem.sense, **merged)
    return PreparedProblem(problem, spec, merged, state, benefit_scaled(problem.X, problem.sense))
