"""A decision problem validated once at the entry point: matrix, senses and weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import SiteSelectError, UnknownNameError, WeightError
from siteselect.methods.base import FloatArray

OBJECTIVES = ("max", "min")


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
