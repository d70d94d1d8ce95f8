"""Weights from people: AHP pairwise comparisons, SWING, rank-order centroid, group views.

Every function validates its input once, reports every problem it finds in one
:class:`~siteselect.errors.SiteSelectError` (naming the cell, pair or criterion), then
computes in plain numpy. Weights come back as a ``pd.Series`` named ``"weight"`` that sums
to 1, indexed by the labels given.

AHP (Saaty 1980): the priority vector is the principal right eigenvector of the reciprocal
judgement matrix, normalised to sum to 1; the consistency ratio is
``CR = CI / RI`` with ``CI = (λmax − n) / (n − 1)`` and the random index ``RI`` of
:data:`RANDOM_INDEX` (Saaty's 1980 table by default). A CR above :data:`CR_THRESHOLD`
(0.10, Saaty's rule) means the judgements should be revisited;
:func:`inconsistency_contributors` says which ones.

Groups of stakeholders (Forman & Peniwati 1998, "Aggregating individual judgments and
priorities with the analytic hierarchy process", EJOR 108(1):165–169): the app aggregates
AHP *judgements* with :func:`aggregate_judgements` (AIJ, weighted geometric mean of the
matrices, which keeps reciprocity) and *direct weights* (SWING, ROC, sliders) with
:func:`aggregate_priorities` (AIP, weighted geometric mean of the priority vectors).
:func:`consensus` measures how far the stakeholders agree.

>>> w, cr = ahp_weights(ahp_from_judgements(["cost", "time"], {("cost", "time"): 3}))
>>> w.round(2).to_dict(), cr
({'cost': 0.75, 'time': 0.25}, 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError, WeightError

CR_THRESHOLD = 0.10
"""Saaty's rule: a consistency ratio above 0.10 calls for revising the judgements."""

SCALE_MAX = 9.0
"""Saaty's fundamental scale runs from 1/9 to 9."""

TOLERANCE = 1e-6
"""Slack allowed on the diagonal, on reciprocity (relative) and on the scale bounds."""

SAATY_SCALE = tuple(sorted({*(1.0 / k for k in range(2, 10)), *map(float, range(1, 10))}))
"""The 17 values of the fundamental scale: 1/9, 1/8, ..., 1/2, 1, 2, ..., 9."""

RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    # Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill: the table used by the
    # published worked examples (Saaty 1990, 2008) and most software; n = 1..15. The dip
    # at n = 12 (1.48) is in the published table and is kept as published.
    "saaty1980": (
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59
    ),
    # Alonso & Lamata (2006), "Consistency in the analytic hierarchy process: a new
    # approach", Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems 14(4):445-459;
    # estimated from 100,000 random matrices per n, monotone in n.
    "alonso_lamata2006": (
        0.0, 0.0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141,
        1.5365, 1.5551, 1.5713, 1.5838,
    ),
}  # fmt: skip
MAX_ITEMS = 15
"""Largest matrix with a published random index."""

AIP_MEANS = ("geometric", "arithmetic")


@dataclass(frozen=True)
class AHPResult:
    """Everything the app shows for one pairwise matrix.

    ``contributors`` lists the judgements furthest from what the priorities imply (see
    :func:`inconsistency_contributors`).
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    random_index: str
    contributors: pd.DataFrame

    @property
    def acceptable(self) -> bool:
        """Whether CR is within Saaty's threshold (:data:`CR_THRESHOLD`)."""
        return self.cr <= CR_THRESHOLD

    @property
    def warning(self) -> str | None:
        """A sentence for the user when CR exceeds the threshold, else ``None``."""
        if self.acceptable:
            return None
        text = (
            f"consistency ratio {self.cr:.3f} exceeds {CR_THRESHOLD:.2f}: the judgements "
            "contradict each other; revisit them before using these weights"
        )
        if len(self.contributors):
            top = self.contributors.iloc[0]
            text += (
                f" (start with {top['row']!s} vs {top['column']!s}: judged "
                f"{_fmt(top['judgement'])}, the other judgements imply about "
                f"{_fmt(top['suggested_scale'])})"
            )
        return text


@dataclass(frozen=True)
class ConsensusResult:
    """Agreement between stakeholders' weight vectors.

    ``spread`` is indexed by criterion with columns ``mean``, ``min``, ``max`` and ``std``
    (population standard deviation of the stakeholders' normalised weights).
    ``consensus`` is Goepel's relative homogeneity S in [0, 1] (1 = identical vectors,
    0 = each stakeholder puts all weight on a different criterion); see :func:`consensus`.
    """

    spread: pd.DataFrame
    consensus: float
    stakeholders: int
    measure: str = "relative homogeneity S (Goepel 2013), Shannon alpha/beta entropy"


def _fmt(value: float) -> str:
    if value >= 1 or value <= 0:
        return f"{value:g}"
    return f"1/{1 / value:.3g}"


def _fail(what: str, problems: Sequence[str]) -> None:
    if problems:
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in {what}:"
        raise SiteSelectError("\n".join([head, *(f"  - {p}" for p in problems)]))


def _as_number(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is not a real number (bools are not)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return None
    if isinstance(value, complex | np.complexfloating):
        return None
    return float(value)


def _pairwise_problems(pairwise: Any) -> tuple[pd.DataFrame | None, list[str]]:
    """Check a judgement matrix: the matrix as floats (columns in index order), problems."""
    if not isinstance(pairwise, pd.DataFrame):
        return None, [f"must be a pandas DataFrame; got {type(pairwise).__name__}"]
    rows, cols = pairwise.shape
    if rows != cols:
        return None, [f"must be square; got {rows} rows × {cols} columns"]
    if rows == 0:
        return None, ["is empty"]
    if rows > MAX_ITEMS:
        return None, [
            f"compares {rows} items; at most {MAX_ITEMS} are supported (no random index is "
            "published beyond that): split them into groups"
        ]
    problems = []
    for axis, labels in (("row", pairwise.index), ("column", pairwise.columns)):
        dup = sorted({str(x) for x in labels[labels.duplicated()]})
        if dup:
            problems.append(f"duplicate {axis} labels: {', '.join(dup)}")
    only_rows = [x for x in pairwise.index if x not in set(pairwise.columns)]
    only_cols = [x for x in pairwise.columns if x not in set(pairwise.index)]
    if only_rows or only_cols:
        problems.append(
            "row and column labels differ: only in rows: "
            f"{[str(x) for x in only_rows]}; only in columns: {[str(x) for x in only_cols]}"
        )
    if problems:
        return None, problems
    labels = list(pairwise.index)
    frame = pairwise.loc[labels, labels]
    cells = frame.to_numpy(dtype=object)
    values = np.full((rows, rows), math.nan)
    for i, r in enumerate(labels):
        for j, c in enumerate(labels):
            raw = cells[i, j]
            cell = f"cell [{r!r}, {c!r}]"
            value = _as_number(raw)
            if value is None:
                problems.append(f"{cell} is not a number: {raw!r}")
            elif not math.isfinite(value):
                problems.append(f"{cell} is not finite: {value}")
            elif value <= 0:
                problems.append(f"{cell} must be positive; got {value:g}")
            elif i == j and abs(value - 1.0) > TOLERANCE:
                problems.append(f"{cell} is on the diagonal and must be 1; got {value:g}")
            elif not 1 / SCALE_MAX - TOLERANCE <= value <= SCALE_MAX + TOLERANCE:
                problems.append(
                    f"{cell} = {value:g} is off Saaty's scale; judgements run from 1/9 to 9"
                )
            else:
                values[i, j] = value
    for i in range(rows):
        for j in range(i + 1, rows):
            a, b = values[i, j], values[j, i]
            if math.isfinite(a) and math.isfinite(b) and abs(a * b - 1.0) > TOLERANCE:
                problems.append(
                    f"cells [{labels[i]!r}, {labels[j]!r}] = {a:g} and "
                    f"[{labels[j]!r}, {labels[i]!r}] = {b:g} are not reciprocal "
                    f"(expected {1 / a:.6g})"
                )
    return pd.DataFrame(values, index=frame.index, columns=frame.index), problems


def _check_pairwise(pairwise: Any, what: str = "pairwise matrix") -> pd.DataFrame:
    """Validate a judgement matrix (every problem at once); return it as floats."""
    frame, problems = _pairwise_problems(pairwise)
    _fail(what, problems)
    assert frame is not None
    return frame


def _random_index(name: str, n: int) -> float:
    try:
        table = RANDOM_INDEX[name]
    except (KeyError, TypeError):
        raise UnknownNameError("random index table", name, RANDOM_INDEX) from None
    return table[n - 1]


def _principal(values: np.ndarray) -> tuple[np.ndarray, float]:
    """Perron vector (sums to 1) and eigenvalue of a positive matrix."""
    eigenvalues, vectors = np.linalg.eig(values)
    k = int(np.argmax(eigenvalues.real))
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), float(eigenvalues[k].real)


def _contributors(frame: pd.DataFrame, w: np.ndarray, k: int) -> pd.DataFrame:
    labels = list(frame.index)
    values = frame.to_numpy()
    scale = np.log(SAATY_SCALE)
    rows = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            implied = w[i] / w[j]
            nearest = SAATY_SCALE[int(np.argmin(np.abs(scale - math.log(implied))))]
            rows.append(
                {
                    "row": labels[i],
                    "column": labels[j],
                    "judgement": values[i, j],
                    "suggested": implied,
                    "suggested_scale": nearest,
                    "deviation": abs(math.log(values[i, j] / implied)),
                }
            )
    columns = ["row", "column", "judgement", "suggested", "suggested_scale", "deviation"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.sort_values("deviation", ascending=False, kind="stable")
    return table.head(k).reset_index(drop=True)


def _analyse(frame: pd.DataFrame, k: int, random_index: str) -> AHPResult:
    n = len(frame)
    ri = _random_index(random_index, n)
    w, lam = _principal(frame.to_numpy())
    if n <= 2:
        lam, ci, cr = float(n), 0.0, 0.0
    else:
        lam = max(lam, float(n))  # λmax ≥ n for a positive reciprocal matrix; drop round-off
        ci = (lam - n) / (n - 1)
        cr = ci / ri
    weights = pd.Series(w, index=frame.index, name="weight")
    return AHPResult(weights, lam, ci, cr, random_index, _contributors(frame, w, k))


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise SiteSelectError(f"k must be a positive whole number; got {k!r}")
    return int(k)


def ahp_weights(
    pairwise: pd.DataFrame, *, random_index: str = "saaty1980"
) -> tuple[pd.Series, float]:
    """Priority vector and consistency ratio of a pairwise comparison matrix.

    Parameters
    ----------
    pairwise
        Square matrix with the same labels on index and columns; ``pairwise.loc[a, b]``
        says how many times more important ``a`` is than ``b`` on Saaty's scale (1/9 to 9),
        with a diagonal of 1 and ``pairwise.loc[b, a] = 1 / pairwise.loc[a, b]``.
    random_index
        Name of the random index table (:data:`RANDOM_INDEX`).

    Returns
    -------
    weights, cr
        The principal right eigenvector normalised to sum to 1 (indexed like ``pairwise``)
        and the consistency ratio (0 for two or fewer items).

    Raises
    ------
    SiteSelectError
        Listing every bad cell: non-square, labels differ, non-numeric, non-positive,
        non-finite, off the 1/9–9 scale, not reciprocal, diagonal not 1.

    Examples
    --------
    >>> m = ahp_from_judgements(["a", "b", "c"], {("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2})
    >>> w, cr = ahp_weights(m)
    >>> [round(x, 4) for x in w], round(cr, 6)
    ([0.5714, 0.2857, 0.1429], 0.0)
    """
    result = _analyse(_check_pairwise(pairwise), 0, random_index)
    return result.weights, result.cr


def ahp_analysis(
    pairwise: pd.DataFrame, *, k: int = 3, random_index: str = "saaty1980"
) -> AHPResult:
    """Weights, λmax, CI, CR and the ``k`` most inconsistent judgements of ``pairwise``.

    ``result.acceptable`` is the warning flag (CR ≤ :data:`CR_THRESHOLD`) and
    ``result.warning`` the sentence to show when it is not.
    """
    return _analyse(_check_pairwise(pairwise), _check_k(k), random_index)


def ahp_from_judgements(
    labels: Sequence[Hashable], judgements: Mapping[tuple[Hashable, Hashable], float]
) -> pd.DataFrame:
    """Build the full reciprocal matrix from the n(n−1)/2 judgements above the diagonal.

    ``judgements[(a, b)] = v`` means ``a`` is ``v`` times as important as ``b``; a pair may
    be given in either order, but only once.

    Raises
    ------
    SiteSelectError
        Listing unknown labels, pairs given twice or compared with themselves,
        non-numeric values and every missing pair; then any cell off the scale.

    Examples
    --------
    >>> ahp_from_judgements(["x", "y"], {("y", "x"): 4})
         x     y
    x  1.0  0.25
    y  4.0  1.00
    """
    labels = list(labels)
    problems = []
    if not labels:
        problems.append("no labels given")
    dup = sorted({str(x) for x in pd.Index(labels)[pd.Index(labels).duplicated()]})
    if dup:
        problems.append(f"duplicate labels: {', '.join(dup)}")
    _fail("judgements", problems)
    position = {label: i for i, label in enumerate(labels)}
    n = len(labels)
    values = np.eye(n)
    given: set[tuple[int, int]] = set()
    if not isinstance(judgements, Mapping):
        raise SiteSelectError(
            f"judgements must be a mapping (a, b) → value; got {type(judgements).__name__}"
        )
    for key, raw in judgements.items():
        if not isinstance(key, tuple) or len(key) != 2:
            problems.append(f"key {key!r} is not a pair (a, b)")
            continue
        a, b = key
        unknown = [str(x) for x in (a, b) if x not in position]
        if unknown:
            problems.append(
                f"pair ({a!r}, {b!r}) names unknown label(s) {', '.join(unknown)}; "
                f"labels: {', '.join(map(str, labels))}"
            )
            continue
        if a == b:
            problems.append(f"pair ({a!r}, {b!r}) compares a label with itself")
            continue
        i, j = sorted((position[a], position[b]))
        if (i, j) in given:
            problems.append(f"pair ({labels[i]!r}, {labels[j]!r}) is given twice")
            continue
        given.add((i, j))
        value = _as_number(raw)
        if value is None or not math.isfinite(value) or value <= 0:
            problems.append(f"judgement for ({a!r}, {b!r}) must be a positive number; got {raw!r}")
            continue
        if position[a] > position[b]:
            value = 1.0 / value
        values[i, j], values[j, i] = value, 1.0 / value
    missing = [
        f"({labels[i]!r}, {labels[j]!r})"
        for i in range(n)
        for j in range(i + 1, n)
        if (i, j) not in given
    ]
    if missing:
        problems.append(f"{len(missing)} missing pair(s): {', '.join(missing)}")
    _fail("judgements", problems)
    frame = pd.DataFrame(values, index=pd.Index(labels), columns=pd.Index(labels))
    return _check_pairwise(frame, "judgements")


def inconsistency_contributors(
    pairwise: pd.DataFrame, k: int = 3, *, random_index: str = "saaty1980"
) -> pd.DataFrame:
    """The ``k`` judgements furthest from the ratios the priority vector implies.

    For each pair above the diagonal the deviation is ``|ln(a_ij · w_j / w_i)|``: how far
    the judgement ``a_ij`` is (as a factor) from ``w_i / w_j``, the value a perfectly
    consistent matrix with the same priorities would hold. Saaty (2003, "Decision-making
    with the AHP: why is the principal eigenvector necessary", EJOR 145(1):85–91) revises
    the judgement with the largest ``a_ij w_j / w_i`` first; the logarithm ranks an
    over- and an under-statement by the same factor equally.

    Returns
    -------
    pd.DataFrame
        Columns ``row``, ``column``, ``judgement``, ``suggested`` (``w_i / w_j``),
        ``suggested_scale`` (nearest value on Saaty's scale) and ``deviation``; largest
        deviation first.

    Examples
    --------
    >>> m = ahp_from_judgements(["a", "b", "c"], {("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 8})
    >>> inconsistency_contributors(m, k=1)[["row", "column", "judgement"]]
      row column  judgement
    0   b      c        8.0
    """
    return _analyse(_check_pairwise(pairwise), _check_k(k), random_index).contributors


def _check_points(values: Mapping[Hashable, Any], what: str) -> pd.Series:
    if not isinstance(values, Mapping) or not values:
        raise WeightError(f"{what} must be a non-empty mapping of criterion → number")
    problems = []
    clean = {}
    for key, raw in values.items():
        value = _as_number(raw)
        if value is None:
            problems.append(f"{key!r}: not a number: {raw!r}")
        elif not math.isfinite(value):
            problems.append(f"{key!r}: not finite: {value}")
        elif value < 0:
            problems.append(f"{key!r}: negative: {value:g}")
        else:
            clean[key] = value
    if problems:
        raise WeightError(f"{what}: " + "; ".join(problems))
    return pd.Series(clean, dtype=float, name="weight")


def swing_weights(points: Mapping[Hashable, float]) -> pd.Series:
    """Weights from SWING points, normalised to sum to 1.

    The criterion whose swing from worst to best matters most gets 100 points; every
    other swing is rated 0–100 relative to it (von Winterfeldt & Edwards 1986, *Decision
    Analysis and Behavioral Research*). A weight is a criterion's points over the total.

    Examples
    --------
    >>> swing_weights({"labour_cost": 100, "port_distance": 60, "tax": 40}).to_dict()
    {'labour_cost': 0.5, 'port_distance': 0.3, 'tax': 0.2}
    """
    series = _check_points(points, "SWING points")
    over = [f"{k!r}: {v:g}" for k, v in series.items() if v > 100 + TOLERANCE]
    if over:
        raise WeightError(f"SWING points run from 0 to 100; over 100: {', '.join(over)}")
    if abs(series.max() - 100) > TOLERANCE:
        raise WeightError(
            "SWING: the most important swing must get 100 points (the others are rated "
            f"relative to it); the highest here is {series.max():g}"
        )
    return series / series.sum()


def roc_weights(order: Sequence[Hashable]) -> pd.Series:
    """Rank-order centroid weights for criteria listed from most to least important.

    ``w_k = (1/n) Σ_{i=k..n} 1/i`` (Barron & Barrett 1996, "Decision quality using ranked
    attribute weights", Management Science 42(11):1515–1523).

    Examples
    --------
    >>> roc_weights(["a", "b", "c", "d"]).round(4).tolist()
    [0.5208, 0.2708, 0.1458, 0.0625]
    """
    if isinstance(order, str | bytes) or not isinstance(order, Sequence):
        raise WeightError("ROC needs a list of criteria, most important first")
    labels = list(order)
    if not labels:
        raise WeightError("ROC needs at least one criterion")
    dup = sorted({str(x) for x in pd.Index(labels)[pd.Index(labels).duplicated()]})
    if dup:
        raise WeightError(f"ROC order lists a criterion more than once: {', '.join(dup)}")
    n = len(labels)
    tail = np.cumsum((1.0 / np.arange(1, n + 1))[::-1])[::-1]
    return pd.Series(tail / n, index=pd.Index(labels), name="weight")


def _stakeholder_weights(weights: Sequence[float] | None, count: int) -> np.ndarray:
    if weights is None:
        return np.full(count, 1.0 / count)
    values = [_as_number(x) for x in weights]
    if len(values) != count:
        raise WeightError(f"got {len(values)} stakeholder weights for {count} inputs")
    bad = [
        f"#{i + 1}: {weights[i]!r}"
        for i, v in enumerate(values)
        if v is None or not math.isfinite(v) or v < 0
    ]
    if bad:
        raise WeightError(f"stakeholder weights must be non-negative numbers: {', '.join(bad)}")
    array = np.asarray(values, dtype=float)
    if array.sum() <= 0:
        raise WeightError("stakeholder weights are all zero")
    return array / array.sum()


def aggregate_judgements(
    matrices: Sequence[pd.DataFrame], weights: Sequence[float] | None = None
) -> pd.DataFrame:
    """AIJ: the element-wise weighted geometric mean of several stakeholders' matrices.

    The geometric mean is the aggregation that keeps a reciprocal matrix reciprocal
    (Aczél & Saaty 1983; Forman & Peniwati 1998). The app uses AIJ for AHP judgements and
    :func:`aggregate_priorities` (AIP) for directly given weights. Labels must match as a
    set; the result uses the first matrix's order.

    Examples
    --------
    >>> a = ahp_from_judgements(["x", "y"], {("x", "y"): 4})
    >>> b = ahp_from_judgements(["x", "y"], {("x", "y"): 1})
    >>> aggregate_judgements([a, b]).loc["x", "y"]
    np.float64(2.0)
    """
    if isinstance(matrices, pd.DataFrame) or not matrices:
        raise SiteSelectError("aggregate_judgements needs a non-empty list of matrices")
    checked, problems = [], []
    for i, matrix in enumerate(matrices, start=1):
        frame, found = _pairwise_problems(matrix)
        problems += [f"matrix #{i}: {p}" for p in found]
        if frame is not None:
            checked.append(frame)
    _fail("the matrices to aggregate", problems)
    labels = checked[0].index
    for i, frame in enumerate(checked[1:], start=2):
        if set(frame.index) != set(labels):
            problems.append(
                f"matrix #{i} compares {sorted(map(str, frame.index))}, matrix #1 compares "
                f"{sorted(map(str, labels))}"
            )
    _fail("the matrices to aggregate", problems)
    w = _stakeholder_weights(weights, len(checked))
    logs = sum(
        wk * np.log(f.loc[labels, labels].to_numpy()) for wk, f in zip(w, checked, strict=True)
    )
    logs = (logs - logs.T) / 2  # exact reciprocity despite round-off
    return pd.DataFrame(np.exp(logs), index=labels, columns=labels)


def _check_vectors(vectors: Sequence[pd.Series]) -> tuple[pd.Index, np.ndarray]:
    """Validate priority vectors; return labels and a (stakeholders × criteria) array."""
    if isinstance(vectors, pd.Series) or not vectors:
        raise WeightError("need a non-empty list of weight vectors (pd.Series)")
    problems = []
    labels: pd.Index | None = None
    rows = []
    for i, vector in enumerate(vectors, start=1):
        if not isinstance(vector, pd.Series):
            problems.append(f"#{i} is not a pandas Series")
            continue
        if vector.index.has_duplicates:
            problems.append(f"#{i} lists a criterion twice")
            continue
        if labels is None:
            labels = vector.index
        elif set(vector.index) != set(labels):
            problems.append(
                f"#{i} weighs {sorted(map(str, vector.index))}, #1 weighs "
                f"{sorted(map(str, labels))}"
            )
            continue
        values = [_as_number(x) for x in vector.reindex(labels)]
        bad = [
            str(c)
            for c, v in zip(labels, values, strict=True)
            if v is None or not math.isfinite(v) or v < 0
        ]
        if bad:
            problems.append(f"#{i} has negative, non-finite or non-numeric weights: {bad}")
            continue
        row = np.asarray(values, dtype=float)
        if row.sum() <= 0:
            problems.append(f"#{i} is all zeros")
            continue
        rows.append(row / row.sum())
    if problems:
        raise WeightError("weight vectors: " + "; ".join(problems))
    assert labels is not None
    return labels, np.vstack(rows)


def aggregate_priorities(
    vectors: Sequence[pd.Series],
    weights: Sequence[float] | None = None,
    *,
    mean: str = "geometric",
) -> pd.Series:
    """AIP: combine stakeholders' weight vectors into one, normalised to sum to 1.

    Each vector is first normalised to sum to 1. ``mean="geometric"`` (the default, as in
    Forman & Peniwati 1998) is the weighted geometric mean, renormalised: a criterion that
    any stakeholder weighs 0 gets 0. ``mean="arithmetic"`` is the weighted average. The app
    uses AIP for direct weights (SWING, ROC, sliders); AHP judgements go through
    :func:`aggregate_judgements` (AIJ) instead.

    Examples
    --------
    >>> a = pd.Series({"x": 0.8, "y": 0.2})
    >>> b = pd.Series({"x": 0.2, "y": 0.8})
    >>> aggregate_priorities([a, b]).to_dict()
    {'x': 0.5, 'y': 0.5}
    """
    if mean not in AIP_MEANS:
        raise UnknownNameError("mean", mean, AIP_MEANS)
    labels, matrix = _check_vectors(vectors)
    w = _stakeholder_weights(weights, len(matrix))
    keep = w > 0
    w, matrix = w[keep], matrix[keep]
    if mean == "arithmetic":
        combined = w @ matrix
    else:
        with np.errstate(divide="ignore"):
            combined = np.exp(w @ np.log(matrix))
    if combined.sum() <= 0:
        raise WeightError(
            "every criterion got weight 0 from at least one stakeholder, so the geometric "
            "mean is 0 everywhere; use mean='arithmetic'"
        )
    return pd.Series(combined / combined.sum(), index=labels, name="weight")


def _entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) along the last axis, with 0 ln 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    return terms.sum(axis=-1)


def consensus(vectors: Sequence[pd.Series]) -> ConsensusResult:
    """How far stakeholders agree on the weights: per-criterion spread and one measure.

    The measure is the relative homogeneity S of Goepel (2013, "Implementing the analytic
    hierarchy process as a standard method for multi-criteria decision making in corporate
    enterprises", Proc. ISAHP 2013, Kuala Lumpur), built from Shannon entropy partitioned
    into alpha (within) and beta (between stakeholders) components. For K normalised
    vectors ``p_k`` over n criteria::

        H_alpha = mean_k H(p_k)          H_gamma = H(mean_k p_k)
        D_beta  = exp(H_gamma - H_alpha) M = 1 / D_beta
        S       = (M - 1/n) / (1 - 1/n)

    using the general bounds D_alpha,min = 1 and D_gamma,max = n, so S is in [0, 1] for
    any weights (Goepel's AHP-specific S* tightens D_alpha,min from the 1–9 scale; we do
    not, so the same measure serves SWING, ROC and direct weights). S = 1 when all vectors
    are identical and 0 when each of n stakeholders puts all weight on a different
    criterion. One stakeholder or one criterion gives S = 1.

    Examples
    --------
    >>> a = pd.Series({"x": 0.6, "y": 0.4})
    >>> consensus([a, a]).consensus
    1.0
    >>> consensus([pd.Series({"x": 1.0, "y": 0.0}), pd.Series({"x": 0.0, "y": 1.0})]).consensus
    0.0
    """
    labels, matrix = _check_vectors(vectors)
    k, n = matrix.shape
    spread = pd.DataFrame(
        {
            "mean": matrix.mean(axis=0),
            "min": matrix.min(axis=0),
            "max": matrix.max(axis=0),
            "std": matrix.std(axis=0),
        },
        index=labels,
    )
    if n == 1 or k == 1:
        return ConsensusResult(spread, 1.0, k)
    h_alpha = float(_entropy(matrix).mean())
    h_gamma = float(_entropy(matrix.mean(axis=0)))
    homogeneity = math.exp(-(h_gamma - h_alpha))
    s = (homogeneity - 1 / n) / (1 - 1 / n)
    return ConsensusResult(spread, float(min(1.0, max(0.0, s))), k)
