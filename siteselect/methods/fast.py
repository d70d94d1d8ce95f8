"""One weight vector, many alternatives: paths that avoid m × n temporaries.

Screening a large candidate set ranks one weight vector over millions of rows. These give
the same scores as ``scores(prepare(X), w)`` of the default WSM and TOPSIS: WSM is affine
in X once the column ranges are known; TOPSIS works in row chunks that stay in cache.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from siteselect.methods.base import FloatArray

CHUNK_ROWS = 32_768


def wsm_single(X: FloatArray, sense: FloatArray, w: FloatArray) -> FloatArray:
    """Default (min–max) WSM scores for one weight vector."""
    lo = X.min(axis=0)
    hi = X.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    coef = np.where(span > 0, sense * w / safe, 0.0)
    offset = float(np.sum(np.where(span > 0, np.where(sense > 0, -lo, hi) * w / safe, 0.0)))
    out: FloatArray = X @ coef + offset
    return out


def topsis_single(
    X: FloatArray, sense: FloatArray, w: FloatArray, *, chunk_rows: int | None = None
) -> FloatArray:
    """Default (vector-normalised) TOPSIS closeness for one weight vector, in row chunks."""
    rows = chunk_rows or CHUNK_ROWS
    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    # divide (not multiply by 1/norm) so every value rounds exactly as ``normalised`` does:
    # values one ulp apart must compare the same way on both paths
    denom = np.where(norms > 0, norms, 1.0)
    vmax = X.max(axis=0) / denom
    vmin = X.min(axis=0) / denom
    ideal = np.where(sense > 0, vmax, vmin)
    anti = np.where(sense > 0, vmin, vmax)
    w2 = np.square(w)
    out = np.empty(X.shape[0])
    for start in range(0, X.shape[0], rows):
        V = X[start : start + rows] / denom
        d_best = np.sqrt(np.square(V - ideal) @ w2)
        d_worst = np.sqrt(np.square(V - anti) @ w2)
        total = d_best + d_worst
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + rows] = np.where(total > 0, d_worst / total, 0.0)
    return out


SINGLE: dict[str, Callable[[FloatArray, FloatArray, FloatArray], FloatArray]] = {
    "wsm": wsm_single,
    "topsis": topsis_single,
}
