"""Rank reversal: does the order depend on which other alternatives are present?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siteselect.methods import (
    Method,
    Problem,
    check_params,
    get_method,
    rank_problem,
    validate_problem,
)
from siteselect.robustness.model import FloatArray, IntArray

REMOVE_ALL = 200
"""Up to this many alternatives, the "remove" check removes each in turn; above it, each
of the ``REMOVE_ALL // 2`` first-ranked and as many others drawn at random (seeded)."""


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


_NORMALISATION = {
    "wsm": "min–max scaling uses the best and worst value of each criterion in the set",
    "wpm": "min–max scaling uses the best and worst value of each criterion in the set",
    "topsis": ("vector normalisation, the ideal and the anti-ideal are all computed over the set"),
    "vikor": "the ideal and worst values, and the scaling of S and R, come from the set",
    "promethee2": "each site's net flow is an average of comparisons with every other site",
}


def _same_order(before: IntArray, after: IntArray) -> bool:
    """True when every pair keeps its relation (ahead, tied or behind), in O(m log m)."""
    order = np.lexsort((after, before))
    b, a = before[order], after[order]
    same_b = b[1:] == b[:-1]
    return bool(np.all(np.where(same_b, a[1:] == a[:-1], a[1:] > a[:-1])))


def _pair_changes(
    before: IntArray, after: IntArray, names: Sequence[Any]
) -> tuple[bool, tuple[tuple[Any, Any], ...]]:
    """Whether any pair's order changed, and the pairs that strictly swapped."""
    if _same_order(before, after):  # the common case, without the m × m comparison
        return False, ()
    rel_b = np.sign(before[None, :] - before[:, None])
    rel_a = np.sign(after[None, :] - after[:, None])
    swapped = np.argwhere((rel_b * rel_a < 0) & (rel_b > 0))
    return True, tuple((names[i], names[j]) for i, j in swapped)


def rank_reversal(
    matrix: pd.DataFrame,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    method: str = "topsis",
    *,
    seed: int = 0,
    **params: Any,
) -> RankReversalReport:
    """Does the order of the alternatives depend on which other alternatives are present?

    Three kinds of check, with the same weights:

    * **remove**: each alternative removed in turn; does the relative order of the
      remaining ones change? Above :data:`REMOVE_ALL` alternatives (each removal re-ranks
      them all), the ``REMOVE_ALL // 2`` first-ranked are removed in turn and as many
      others drawn at random with ``seed``; the notes say so.
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
    check_params(spec, params, problem.criteria)
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
    removed = everyone
    if m > REMOVE_ALL:
        half = REMOVE_ALL // 2
        by_rank = np.lexsort((everyone, base))
        rest = np.random.default_rng(seed).choice(by_rank[half:], half, replace=False)
        removed = np.sort(np.concatenate([by_rank[:half], rest]))
    if m > 1:
        for i in removed.tolist():
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
    notes = _reversal_notes(checks, spec)
    if len(removed) < m:
        notes += (
            f"The removal check ran for {len(removed)} of the {m:,} sites: the "
            f"{REMOVE_ALL // 2} first-ranked and {len(removed) - REMOVE_ALL // 2} others "
            f"drawn at random (seed {seed}); each removal re-ranks every site.",
        )
    return RankReversalReport(spec.name, checks, notes)


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
