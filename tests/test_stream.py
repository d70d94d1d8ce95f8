"""Streaming a candidate file in chunks gives the same ranking as the whole matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siteselect.errors import DataError, SiteSelectError
from siteselect.methods import rank_matrix
from siteselect.stream import STREAMABLE, rank_csv


@pytest.fixture
def candidates(tmp_path):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.uniform(0, 50, (257, 4)), columns=["a", "b", "c", "d"])
    frame["c"] = 3.0  # a constant column
    frame.insert(0, "cell", [f"g{i}" for i in range(len(frame))])
    path = tmp_path / "grid.csv"
    frame.to_csv(path, index=False)
    return path, frame.set_index("cell")


OBJ = {"a": "max", "b": "min", "c": "max", "d": "min"}
W = {"a": 0.4, "b": 0.3, "c": 0.1, "d": 0.2}


@pytest.mark.parametrize("method", STREAMABLE)
@pytest.mark.parametrize("chunksize", [1, 50, 10_000])
def test_stream_equals_whole_matrix(candidates, method, chunksize):
    path, frame = candidates
    streamed = rank_csv(path, OBJ, W, method, id_column="cell", chunksize=chunksize)
    params = {"use_compromise_set": False} if method == "vikor" else {}
    whole = rank_matrix(frame, OBJ, W, method, **params)
    np.testing.assert_allclose(streamed["score"], whole["score"], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(streamed["rank"], whole["rank"])
    assert list(streamed.index) == list(frame.index)


def test_bad_cell_names_line_and_column(candidates, tmp_path):
    path, _ = candidates
    text = path.read_text().splitlines()
    parts = text[5].split(",")
    parts[2] = "n/a"
    text[5] = ",".join(parts)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match=r"bad\.csv, row 6, field 'b': not a finite number: 'n/a'"):
        rank_csv(bad, OBJ, W, "wsm", chunksize=2)


def test_promethee_cannot_be_streamed(candidates):
    path, _ = candidates
    with pytest.raises(SiteSelectError, match=r"promethee2 compares every pair"):
        rank_csv(path, OBJ, W, "promethee2")


def test_missing_column_is_reported(candidates):
    path, _ = candidates
    with pytest.raises(DataError, match=r"grid\.csv, row 1: .*zz"):
        rank_csv(path, {**OBJ, "zz": "max"}, {**W, "zz": 1.0}, "wsm")
