"""The pieces every MCDA method shares: the :class:`Method` record, validated parameters,
the :class:`Explanation` of a score, dense ranks and the common scalings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from siteselect.errors import SiteSelectError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Terms = Mapping[str, FloatArray]
TIE_DECIMALS = 12


def dense_rank(scores: FloatArray) -> IntArray:
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


def scale_to_unit(A: FloatArray) -> FloatArray:
    """Min–max scale along the last axis to [0, 1] (0 = lowest); a constant row gives 0."""
    lo = A.min(axis=-1, keepdims=True)
    hi = A.max(axis=-1, keepdims=True)
    span = hi - lo
    return np.where(span > 0, (A - lo) / np.where(span > 0, span, 1.0), 0.0)


# --- parameters --------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One method parameter: its default, kind and admissible values.

    ``kind`` is ``"number"`` (a finite float within ``low``/``high``, each end closed
    unless ``open_low``/``open_high``), ``"flag"`` (a bool) or ``"choice"`` (one of
    ``choices``). A ``per_criterion`` parameter also takes a mapping criterion → value
    (criteria not named keep the default) or a sequence with one value per criterion.
    """

    name: str
    default: Any
    kind: str
    doc: str = ""
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple[str, ...] = ()
    per_criterion: bool = False

    def describe(self) -> str:
        """What the parameter accepts, as said in error messages."""
        if self.kind == "flag":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.low is not None and self.high is not None:
            left = "(" if self.open_low else "["
            right = ")" if self.open_high else "]"
            return f"a number in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"a number {'>' if self.open_low else '>='} {self.low:g}"
        return "a finite number"

    def _one(self, method: str, value: Any, where: str) -> Any:
        def bad() -> SiteSelectError:
            return SiteSelectError(
                f"{method} parameter {self.name!r}{where} must be {self.describe()}; got {value!r}"
            )

        if self.kind == "flag":
            if not isinstance(value, bool | np.bool_):
                raise bad()
            return bool(value)
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise bad()
            return value
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise bad()
        number = float(value)
        if not np.isfinite(number):
            raise bad()
        if self.low is not None and (number < self.low or (self.open_low and number == self.low)):
            raise bad()
        if self.high is not None and (
            number > self.high or (self.open_high and number == self.high)
        ):
            raise bad()
        return number

    def check(self, method: str, value: Any, criteria: Sequence[str] | None) -> Any:
        """The validated value: a scalar, or (per criterion) a tuple of one per criterion."""
        if not self.per_criterion or isinstance(value, str | bool | int | float | np.number):
            return self._one(method, value, "")
        names = list(criteria) if criteria is not None else None
        if isinstance(value, Mapping):
            if names is None:
                raise SiteSelectError(
                    f"{method} parameter {self.name!r} given per criterion name needs the "
                    "criteria names; pass a sequence with one value per criterion"
                )
            unknown = [str(k) for k in value if str(k) not in names]
            if unknown:
                raise SiteSelectError(
                    f"{method} parameter {self.name!r} names unknown criteria "
                    f"{', '.join(unknown)}; valid criteria: {', '.join(names)}"
                )
            given = {str(k): v for k, v in value.items()}
            return tuple(
                self._one(method, given.get(c, self.default), f" for criterion {c!r}")
                for c in names
            )
        if isinstance(value, Sequence | np.ndarray):
            values = list(np.asarray(value, dtype=object).ravel())
            if names is not None and len(values) != len(names):
                raise SiteSelectError(
                    f"{method} parameter {self.name!r} needs one value per criterion "
                    f"({len(names)}: {', '.join(names)}); got {len(values)} values"
                )
            labels = names if names is not None else [str(j) for j in range(len(values))]
            return tuple(
                self._one(method, v, f" for criterion {c!r}")
                for v, c in zip(values, labels, strict=True)
            )
        raise SiteSelectError(
            f"{method} parameter {self.name!r} must be {self.describe()}, a mapping "
            f"criterion → value or one value per criterion; got {type(value).__name__} "
            f"{value!r}"
        )


def per_criterion(value: Any, n: int) -> NDArray[Any]:
    """A validated (scalar or per-criterion) parameter as an array of length ``n``."""
    arr = np.asarray(value, dtype=object if isinstance(value, str) else None)
    if arr.ndim == 0:
        return np.full(n, value, dtype=object if isinstance(value, str) else float)
    if len(arr) != n:
        raise SiteSelectError(f"expected one value per criterion ({n}); got {len(arr)}")
    return arr


# --- explanations ------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """A per-criterion decomposition from which a method's own score is recomputed.

    ``terms`` maps a term name to an (alternatives × criteria) array; :meth:`reconstruct`
    recomputes the score from those terms alone (``formula`` says how) and must equal
    ``score``, the score the ranking used. ``terms["contribution"]`` is the signed,
    per-criterion part shown as bars and used for reasons; its meaning per method is in
    ``contribution_meaning``. ``group_rule`` states how a group subscore is formed.
    """

    method: str
    alternatives: pd.Index
    criteria: pd.Index
    weights: FloatArray
    terms: Terms
    score: FloatArray
    formula: str
    contribution_meaning: str
    group_rule: str
    combine: Callable[[Terms], dict[str, FloatArray]] = field(repr=False)
    group_score: Callable[[Terms, BoolArray, FloatArray], FloatArray] = field(repr=False)

    def frame(self, term: str = "contribution") -> pd.DataFrame:
        """One term as a site × criterion frame."""
        if term not in self.terms:
            raise SiteSelectError(
                f"{self.method} explanation has no term {term!r}; terms: " + ", ".join(self.terms)
            )
        return pd.DataFrame(self.terms[term], index=self.alternatives, columns=self.criteria)

    @property
    def contributions(self) -> pd.DataFrame:
        """The signed per-criterion contribution of the method (see ``contribution_meaning``)."""
        return self.frame("contribution")

    def aggregates(self) -> pd.DataFrame:
        """Per alternative, the quantities the score is built from (e.g. S, R, Q) and it."""
        return pd.DataFrame(self.combine(self.terms), index=self.alternatives)

    def reconstruct(self) -> pd.Series:
        """The score recomputed from the terms alone."""
        return pd.Series(self.combine(self.terms)["score"], index=self.alternatives, name="score")

    def check(self, atol: float = 1e-9) -> bool:
        """True when the reconstruction equals the score the ranking used."""
        return bool(np.allclose(self.reconstruct().to_numpy(), self.score, rtol=0, atol=atol))

    def tidy(self) -> pd.DataFrame:
        """Long frame: alternative, criterion, term, value (one row per cell and term)."""
        parts = []
        for name, values in self.terms.items():
            frame = pd.DataFrame(values, index=self.alternatives, columns=self.criteria)
            frame = frame.rename_axis(index="alternative").reset_index()
            long = frame.melt(id_vars="alternative", var_name="criterion", value_name="value")
            parts.append(long.assign(term=name))
        out = pd.concat(parts, ignore_index=True)
        return out[["alternative", "criterion", "term", "value"]]

    def subscores(self, groups: Mapping[str, str]) -> pd.DataFrame:
        """One column per group: the method's own score on that group's criteria.

        ``groups`` maps criterion → group (entries for other criteria are ignored). A group
        whose criteria all have zero weight (or are absent) gives NaN.
        """
        names = [str(c) for c in self.criteria]
        of = {str(c): str(g) for c, g in groups.items() if str(c) in names}
        order = list(dict.fromkeys(of.values()))
        out = {}
        for g in order:
            mask = np.array([of.get(c) == g for c in names])
            if self.weights[mask].sum() > 0:
                out[g] = self.group_score(self.terms, mask, self.weights)
            else:
                out[g] = np.full(len(self.alternatives), np.nan)
        return pd.DataFrame(out, index=self.alternatives)


# --- the method record -------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    """One MCDA method.

    ``prepare(X, sense, **params)`` does the weight-independent work and returns a state;
    ``scores(state, W)`` scores a batch of weight vectors ``W`` (k × n, rows summing to 1)
    as a (k × m) array, higher is better; ``ranks(state, W)`` ranks them (dense ranks, or
    the method's own rule, e.g. VIKOR's compromise set); ``explain(state, w)`` decomposes
    the score of one weight vector per criterion. ``linear`` is True when the ranking is
    the order of ``W @ linear_matrix(state).T`` (WSM; WPM in logs; PROMETHEE II), which
    robustness uses to solve intervals and what-if questions exactly.
    """

    name: str
    label: str
    prepare: Callable[..., Any]
    scores: Callable[[Any, FloatArray], FloatArray]
    explain_terms: Callable[[Any, FloatArray], Explanation] = field(repr=False)
    params: tuple[Param, ...] = ()
    linear: bool = False
    linear_matrix: Callable[[Any], FloatArray] | None = field(default=None, repr=False)
    batch_ranks: Callable[[Any, FloatArray], IntArray] | None = field(default=None, repr=False)
    reference: Callable[..., tuple[FloatArray, IntArray]] | None = field(default=None, repr=False)
    max_alternatives: int | None = None
    cross_check: Callable[[Mapping[str, Any], Sequence[str]], None] | None = field(
        default=None, repr=False
    )
    positive_values: Callable[[Mapping[str, Any]], bool] | None = field(default=None, repr=False)

    @property
    def defaults(self) -> dict[str, Any]:
        """Parameter name → default value."""
        return {p.name: p.default for p in self.params}

    def check_params(self, params: Mapping[str, Any], criteria: Sequence[str]) -> dict[str, Any]:
        """Validate ``params`` over the defaults; refuse unknown names and bad values.

        Errors name the method, the parameter (and criterion) and the value found.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            valid = ", ".join(sorted(known)) or "none"
            raise SiteSelectError(
                f"method {self.name!r} takes no parameter(s) {', '.join(unknown)}; "
                f"valid parameters: {valid}"
            )
        names = [str(c) for c in criteria]
        out = {
            name: spec.check(self.name, params.get(name, spec.default), names)
            for name, spec in known.items()
        }
        if self.cross_check is not None:
            self.cross_check(out, names)
        return out

    def ranks(self, state: Any, W: FloatArray) -> IntArray:
        """Ranks (k × m) for a batch of weight vectors."""
        if self.batch_ranks is not None:
            return self.batch_ranks(state, W)
        return dense_rank(self.scores(state, W))

    def explain(
        self, state: Any, w: FloatArray, alternatives: pd.Index, criteria: pd.Index
    ) -> Explanation:
        """The explanation of the score under one weight vector ``w`` (summing to 1)."""
        base = self.explain_terms(state, w)
        return Explanation(
            method=self.name,
            alternatives=alternatives,
            criteria=criteria,
            weights=w,
            terms=base.terms,
            score=np.asarray(self.scores(state, w[None, :])[0], dtype=float),
            formula=base.formula,
            contribution_meaning=base.contribution_meaning,
            group_rule=base.group_rule,
            combine=base.combine,
            group_score=base.group_score,
        )


def explanation(
    terms: Terms,
    formula: str,
    contribution_meaning: str,
    group_rule: str,
    combine: Callable[[Terms], dict[str, FloatArray]],
    group_score: Callable[[Terms, BoolArray, FloatArray], FloatArray],
) -> Explanation:
    """An :class:`Explanation` skeleton a method's ``explain_terms`` returns (the method
    record fills in names, weights and the score)."""
    empty = pd.Index([])
    return Explanation(
        "",
        empty,
        empty,
        np.zeros(0),
        terms,
        np.zeros(0),
        formula,
        contribution_meaning,
        group_rule,
        combine,
        group_score,
    )
