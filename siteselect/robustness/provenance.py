"""Value uncertainty derived from provenance: older, imputed or estimated figures get wider
ranges, and figures computed from coordinates none.

The rule (:data:`RULE`), per cell of the matrix an evaluation ranked:

* computed from the sites' coordinates (distances, time zones): exact, half-width 0;
* sourced figure: half-width ``BASE_SPREAD`` of the criterion's range over the sites, plus
  ``AGE_STEP`` per year by which its year precedes the newest year of that criterion,
  at most ``MAX_SPREAD``; a figure without a year counts as ``MAX_SPREAD``;
* a figure whose derivation says it is estimated or assumed: twice that (at most
  ``MAX_SPREAD``);
* a value imputed by the missing-value policy: ``IMPUTED_SPREAD`` (half the range).

Each value is then drawn uniformly within ``value ± half-width × range``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

BASE_SPREAD = 0.05
AGE_STEP = 0.02
MAX_SPREAD = 0.30
IMPUTED_SPREAD = 0.50
RULE = (
    f"values drawn uniformly within ± a share of each criterion's range: "
    f"{BASE_SPREAD:.0%} for a sourced figure of the criterion's newest year, "
    f"+{AGE_STEP:.0%} per year older (at most {MAX_SPREAD:.0%}; no year: {MAX_SPREAD:.0%}), "
    f"doubled for estimated or assumed figures, {IMPUTED_SPREAD:.0%} for imputed values, 0 "
    "for figures computed from coordinates"
)


def provenance_spreads(evaluation: Any) -> pd.DataFrame:
    """Half-width of every cell's range as a share of its criterion's range (site × criterion)."""
    matrix = evaluation.policy.matrix
    cells = evaluation.table.cells.set_index(["site_id", "criterion"])
    computed = {c.id for c in evaluation.criteria.criteria if c.derive.get("kind") == "computed"}
    out = pd.DataFrame(MAX_SPREAD, index=matrix.index, columns=matrix.columns, dtype=float)
    for crit in matrix.columns:
        if crit in computed:
            out[crit] = 0.0
            continue
        rows = (
            cells.xs(crit, level="criterion") if crit in cells.index.get_level_values(1) else None
        )
        if rows is None:
            continue
        rows = rows.reindex(matrix.index)
        year = pd.to_numeric(rows["year"], errors="coerce").astype(float)
        newest = year.max()
        age = (newest - year).clip(lower=0)
        spread = (BASE_SPREAD + AGE_STEP * age).clip(upper=MAX_SPREAD)
        spread = spread.fillna(MAX_SPREAD)
        text = rows["derivation"].fillna("").astype(str).str.lower()
        estimated = text.str.contains("estimat") | text.str.contains("assum")
        spread = spread.where(~estimated, (2 * spread).clip(upper=MAX_SPREAD))
        out[crit] = spread.to_numpy()
    imputed = evaluation.policy.imputed.reindex(index=matrix.index, columns=matrix.columns)
    out = out.mask(imputed.fillna(False).astype(bool), IMPUTED_SPREAD)
    return out


def provenance_ranges(evaluation: Any) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Value ranges for :func:`~siteselect.robustness.smaa_full` by the provenance rule."""
    matrix = evaluation.policy.matrix
    spreads = provenance_spreads(evaluation)
    span = (matrix.max() - matrix.min()).astype(float)
    ranges = {}
    for crit in matrix.columns:
        half = spreads[crit] * float(span[crit])
        if float(np.abs(half).max()) > 0:
            ranges[crit] = (matrix[crit] - half, matrix[crit] + half)
    return ranges
