"""Rank a candidate file larger than memory, reading it in chunks.

Every method here normalises with statistics of whole columns, so ranking takes two
passes over the file:

1. column minimum, maximum and sum of squares (and a check that every value is a finite
   number, naming the line and column otherwise);
2. the scores of each chunk, computed with those global statistics, exactly as
   :func:`siteselect.methods.rank_matrix` would on the whole matrix.

``wsm`` and ``wpm`` (min–max scaling), ``topsis`` (vector norms, ideal and anti-ideal) need
only the first-pass statistics. ``vikor`` keeps the group utility ``S`` and regret ``R``
of every row (two floats each) and scales them once all rows are read. ``promethee2``
compares every pair of alternatives and cannot be streamed. Only the scores and ranks of
all rows are held in memory (24 bytes a row), never the matrix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siteselect.errors import DataError, Problem, SiteSelectError, UnknownNameError
from siteselect.methods import OBJECTIVES, dense_rank, scale_to_unit, weight_vector

STREAMABLE = ("wsm", "wpm", "topsis", "vikor")


def _chunks(
    path: Path, columns: list[str], id_column: str | None, chunksize: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    usecols = [*columns, *([id_column] if id_column else [])]
    try:
        reader = pd.read_csv(
            path, usecols=usecols, chunksize=chunksize, dtype=str, keep_default_na=False
        )
    except ValueError as exc:
        raise DataError([Problem(str(path), 1, None, str(exc))]) from None
    except OSError as exc:
        raise DataError([Problem(str(path), None, None, f"cannot read: {exc}")]) from None
    first_line = 2
    with reader:
        for chunk in reader:
            yield first_line, chunk
            first_line += len(chunk)


def _numbers(chunk: pd.DataFrame, columns: list[str], path: Path, first_line: int) -> np.ndarray:
    block = chunk[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(block)
    if bad.any():
        rows, cols = np.nonzero(bad)
        problems = [
            Problem(
                str(path),
                first_line + int(r),
                columns[int(c)],
                f"not a finite number: {chunk.iloc[int(r)][columns[int(c)]]!r}",
            )
            for r, c in zip(rows[:20], cols[:20], strict=True)
        ]
        raise DataError(problems)
    return block


def rank_csv(
    path: str | Path,
    objectives: Mapping[str, str],
    weights: Mapping[str, float],
    method: str = "wsm",
    *,
    id_column: str | None = None,
    chunksize: int = 200_000,
    floor: float = 0.1,
    v: float = 0.5,
) -> pd.DataFrame:
    """Rank the rows of a CSV file on the criteria named in ``objectives``, in two passes.

    Returns a frame with ``score`` and ``rank`` (1 = best), indexed by ``id_column`` when
    given, else by the 0-based row number. Scores equal those of
    :func:`~siteselect.methods.rank_matrix` on the whole file (VIKOR: without the
    compromise set, ranked by ``Q``).
    """
    path = Path(path)
    if method not in STREAMABLE:
        if method == "promethee2":
            raise SiteSelectError(
                "promethee2 compares every pair of alternatives and cannot be streamed; "
                f"use one of {', '.join(STREAMABLE)}"
            )
        raise UnknownNameError("streamable method", method, STREAMABLE)
    columns = list(objectives)
    bad = {c: o for c, o in objectives.items() if o not in OBJECTIVES}
    if bad:
        raise SiteSelectError(f"objectives must be 'max' or 'min'; got {bad}")
    w = weight_vector(weights, pd.Index(columns))
    sense = np.array([1.0 if objectives[c] == "max" else -1.0 for c in columns])
    if chunksize < 1:
        raise SiteSelectError(f"chunksize must be positive; got {chunksize}")

    lo = np.full(len(columns), np.inf)
    hi = np.full(len(columns), -np.inf)
    sumsq = np.zeros(len(columns))
    rows = 0
    ids: list[Any] = []
    for first_line, chunk in _chunks(path, columns, id_column, chunksize):
        block = _numbers(chunk, columns, path, first_line)
        lo = np.minimum(lo, block.min(axis=0))
        hi = np.maximum(hi, block.max(axis=0))
        sumsq += np.einsum("ij,ij->j", block, block)
        rows += len(block)
        if id_column:
            ids.extend(chunk[id_column].tolist())
    if rows == 0:
        raise DataError([Problem(str(path), None, None, "the file holds no rows")])

    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    norms = np.sqrt(sumsq)
    denom = np.where(norms > 0, norms, 1.0)  # divide, as the in-memory path does
    ideal = np.where(sense > 0, hi, lo) / denom
    anti = np.where(sense > 0, lo, hi) / denom

    def benefit(block: np.ndarray) -> np.ndarray:
        r = np.where(sense > 0, (block - lo) / safe, (hi - block) / safe)
        r[:, span == 0] = 0.0
        return r

    scores = np.empty(rows)
    regret = np.empty(rows) if method == "vikor" else None
    start = 0
    for first_line, chunk in _chunks(path, columns, id_column, chunksize):
        block = _numbers(chunk, columns, path, first_line)
        end = start + len(block)
        if method == "wsm":
            scores[start:end] = benefit(block) @ w
        elif method == "wpm":
            scores[start:end] = np.exp(np.log(floor + (1 - floor) * benefit(block)) @ w)
        elif method == "topsis":
            V = block / denom
            d_best = np.sqrt(np.square(V - ideal) @ np.square(w))
            d_worst = np.sqrt(np.square(V - anti) @ np.square(w))
            total = d_best + d_worst
            with np.errstate(invalid="ignore", divide="ignore"):
                scores[start:end] = np.where(total > 0, d_worst / total, 0.0)
        else:
            F = (1.0 - benefit(block)) * w
            F[:, span == 0] = 0.0
            scores[start:end] = F.sum(axis=1)
            assert regret is not None
            regret[start:end] = F.max(axis=1)
        start = end
    if method == "vikor":
        assert regret is not None
        q = v * scale_to_unit(scores) + (1 - v) * scale_to_unit(regret)
        scores = 1.0 - q
    index = pd.Index(ids, name=id_column) if id_column else pd.RangeIndex(rows)
    return pd.DataFrame({"score": scores, "rank": dense_rank(scores)}, index=index)
