"""Robustness: SMAA against its reference loop and closed forms, stability intervals against
brute-force sweeps, weights_to_win against re-ranking, rank reversal against recomputation."""

from __future__ import annotations

import importlib
import re
from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from problems import problem_arrays, problem_frames
from problems import random_problem as shared_random_problem

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.methods import METHODS, get_method, rank_matrix, validate_problem, vikor_ranks
from siteselect.robustness import (
    rank_reversal,
    sample_weights,
    smaa,
    smaa_full,
    smaa_reference_loop,
    stability_intervals,
    weight_sweep,
    weights_to_win,
)
from siteselect.robustness.sampling import simplex
from siteselect.robustness.smaa import chunk_size

ALL_METHODS = list(METHODS)
LINEAR = ["wsm", "wpm", "promethee2"]
BOTH_MAX = {"x": "max", "y": "max"}


random_problem = partial(shared_random_problem, m=6, n=4)


def symmetric_pair() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0]}, index=["A", "B"])


def proportional(weights: dict[str, float], criterion: str, t: float) -> dict[str, float]:
    """The weights with ``criterion`` set to ``t`` and the others rescaled to ``1 - t``."""
    total = sum(weights.values())
    rest = total - weights[criterion]
    return {c: t if c == criterion else (1 - t) * v / rest for c, v in weights.items()}


def leader_holds(ranks: pd.Series, members: list[str]) -> bool:
    inside = ranks.loc[members]
    outside = ranks.drop(members)
    return outside.empty or inside.max() <= outside.min()


# --- weight sweep ----------------------------------------------------------------


def test_weight_sweep_shape_index_and_columns():
    matrix, objectives, weights = random_problem(0)
    sweep = weight_sweep(matrix, objectives, weights, vary="c1", steps=11)
    assert list(sweep.columns) == ["weight", "alternative", "score", "rank"]
    assert sweep.shape == (11 * len(matrix), 4)
    pd.testing.assert_index_equal(sweep.index, pd.RangeIndex(11 * len(matrix)))
    np.testing.assert_allclose(sweep["weight"].unique(), np.linspace(0, 1, 11))
    for _, block in sweep.groupby("weight"):
        assert block["alternative"].tolist() == matrix.index.tolist()
        assert block["rank"].min() == 1


@pytest.mark.parametrize("method", ALL_METHODS)
def test_weight_sweep_at_the_current_weight_reproduces_rank_matrix(method):
    matrix, objectives, _ = random_problem(1)
    weights = {"c0": 0.25, "c1": 0.35, "c2": 0.3, "c3": 0.1}  # c0 = 0.25 is on the grid
    sweep = weight_sweep(matrix, objectives, weights, vary="c0", method=method, steps=21)
    at = sweep[np.isclose(sweep["weight"], 0.25)].set_index("alternative")
    expected = rank_matrix(matrix, objectives, weights, method)
    np.testing.assert_allclose(at["score"], expected["score"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(at["rank"], expected["rank"])


def test_weight_sweep_of_a_group_splits_inside_and_rescales_outside():
    matrix, objectives, _ = random_problem(2)
    weights = {"c0": 1.0, "c1": 3.0, "c2": 2.0, "c3": 4.0}
    sweep = weight_sweep(matrix, objectives, weights, vary=["c0", "c1"], steps=5, method="wsm")
    for t, block in sweep.groupby("weight"):
        # inside the group 1:3, outside 2:4, group total t
        w = {"c0": t / 4, "c1": 3 * t / 4, "c2": (1 - t) / 3, "c3": 2 * (1 - t) / 3}
        expected = rank_matrix(matrix, objectives, w, "wsm")
        np.testing.assert_allclose(block["score"], expected["score"], atol=1e-12)
        np.testing.assert_array_equal(block["rank"], expected["rank"])


@pytest.mark.parametrize(
    ("vary", "error", "message"),
    [
        ("nope", UnknownNameError, r"unknown criterion 'nope'; valid criterions: c0, c1"),
        ([], SiteSelectError, r"at least one criterion"),
        (["c0", "c0"], SiteSelectError, r"more than once"),
        (["c0", "c1", "c2", "c3"], SiteSelectError, r"nothing left to trade"),
    ],
    ids=["unknown", "empty", "duplicate", "everything"],
)
def test_weight_sweep_refuses_bad_vary(vary, error, message):
    matrix, objectives, weights = random_problem(0)
    with pytest.raises(error, match=message):
        weight_sweep(matrix, objectives, weights, vary=vary)


# --- stability intervals ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "seed"),
    [(m, s) for m in ("wsm", "topsis") for s in range(2)]
    + [("wpm", 0), ("promethee2", 0), ("vikor", 0)],
    ids=lambda v: str(v),
)
def test_stability_intervals_agree_with_a_brute_force_sweep(method, seed):
    matrix, objectives, weights = random_problem(seed, m=5, n=3)
    tol = 1e-3
    intervals = stability_intervals(matrix, objectives, weights, method, tol=tol)
    assert intervals["exact"].all() == (method in LINEAR)
    base = rank_matrix(matrix, objectives, weights, method)["rank"]
    leader = [base.idxmin()]
    ts = np.linspace(0, 1, 101)
    slack = 1e-9 if method in LINEAR else tol
    for c, row in intervals.iterrows():
        holds = np.array(
            [
                leader_holds(
                    rank_matrix(matrix, objectives, proportional(weights, c, t), method)["rank"],
                    leader,
                )
                for t in ts
            ]
        )
        assert row["low"] <= row["current"] <= row["high"]
        inside = (ts > row["low"] + slack) & (ts < row["high"] - slack)
        assert holds[inside].all(), c
        # the grid points just beyond each end fail (the brute-force component ends there)
        below = ts[ts < row["low"] - slack]
        above = ts[ts > row["high"] + slack]
        if below.size:
            assert not holds[ts == below.max()][0], c
        if above.size:
            assert not holds[ts == above.min()][0], c


@pytest.mark.parametrize("seed", range(4))
def test_wsm_interval_ends_are_the_exact_crossing_points(seed):
    matrix, objectives, weights = random_problem(seed, m=7, n=4)
    intervals = stability_intervals(matrix, objectives, weights, "wsm")
    leader = [rank_matrix(matrix, objectives, weights, "wsm")["rank"].idxmin()]

    def holds(c, t):
        w = proportional(weights, c, t)
        return leader_holds(rank_matrix(matrix, objectives, w, "wsm")["rank"], leader)

    for c, row in intervals.iterrows():
        for end, outward in ((row["low"], -1), (row["high"], 1)):
            if 1e-6 < end < 1 - 1e-6:
                assert holds(c, end - outward * 1e-7)
                assert not holds(c, end + outward * 1e-7)


@pytest.mark.parametrize("method", ["wsm", "topsis"])
def test_top_k_intervals_keep_the_same_set(method):
    matrix, objectives, weights = random_problem(5, m=8, n=4)
    tol = 1e-3
    intervals = stability_intervals(matrix, objectives, weights, method, top_k=3, tol=tol)
    ranks = rank_matrix(matrix, objectives, weights, method)["rank"]
    top3 = ranks.sort_values(kind="stable").index[:3].tolist()
    for c, row in intervals.iterrows():
        for t in np.linspace(row["low"] + tol, row["high"] - tol, 7):
            w = proportional(weights, c, t)
            assert leader_holds(rank_matrix(matrix, objectives, w, method)["rank"], top3)
    assert (intervals["low"] <= intervals["current"]).all()
    assert (intervals["current"] <= intervals["high"]).all()


def test_stability_intervals_refuse_bad_top_k():
    matrix, objectives, weights = random_problem(0)
    with pytest.raises(SiteSelectError, match=r"top_k must be an integer from 1 to 6; got 7"):
        stability_intervals(matrix, objectives, weights, top_k=7)


small_problems = problem_arrays(
    sites=(2, 6),
    criteria=(2, 4),
    values=st.integers(0, 20).map(float),
    weights=st.floats(0.05, 10),
)


@pytest.mark.parametrize("method", ["wsm", "topsis"])
@settings(max_examples=25)
@given(problem=small_problems, factor=st.floats(0.01, 100))
def test_scaling_the_weights_keeps_intervals_and_winner(method, problem, factor):
    matrix, objectives, weights = problem_frames(*problem)
    scaled = {k: v * factor for k, v in weights.items()}
    a = stability_intervals(matrix, objectives, weights, method, tol=1e-3)
    b = stability_intervals(matrix, objectives, scaled, method, tol=1e-3)
    atol = 1e-9 if method == "wsm" else 1e-3
    np.testing.assert_allclose(
        a[["low", "high", "current"]], b[["low", "high", "current"]], atol=atol
    )
    win_a = smaa(matrix, objectives, weights=weights, samples=1, method=method)[1]
    win_b = smaa(matrix, objectives, weights=scaled, samples=1, method=method)[1]
    pd.testing.assert_series_equal(win_a, win_b)


# --- SMAA ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ALL_METHODS)
def test_symmetric_alternatives_split_first_rank_half_and_half(method):
    acc = smaa(symmetric_pair(), BOTH_MAX, samples=4000, method=method, seed=1)
    # standard error sqrt(0.25 / 4000) = 0.008; allow 5 of them
    np.testing.assert_allclose(acc[1], [0.5, 0.5], atol=0.04)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_a_dominated_alternative_has_zero_first_rank_acceptability(method):
    matrix = pd.DataFrame(
        {"x": [1.0, 0.0, 0.6, 0.3], "y": [0.0, 1.0, 0.5, 0.5]}, index=["A", "B", "C", "D"]
    )  # D is dominated by C
    params = {"use_compromise_set": False} if method == "vikor" else {}
    acc = smaa(matrix, BOTH_MAX, samples=2000, method=method, **params)
    assert acc.loc["D", 1] == 0.0
    assert acc.loc[["A", "B", "C"], 1].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_acceptability_rows_and_columns_sum_to_one(method):
    matrix, objectives, _ = random_problem(3, m=7, n=4)
    acc = smaa(matrix, objectives, samples=500, method=method)
    pd.testing.assert_index_equal(acc.index, matrix.index)
    assert acc.columns.tolist() == list(range(1, 8))
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0)


def test_exact_ties_split_the_positions_they_share():
    matrix = pd.DataFrame({"x": [1.0, 1.0, 0.0], "y": [1.0, 1.0, 0.0]}, index=["A", "A2", "C"])
    res = smaa_full(matrix, BOTH_MAX, samples=100)
    np.testing.assert_array_equal(
        res.acceptability.to_numpy(), [[0.5, 0.5, 0], [0.5, 0.5, 0], [0, 0, 1]]
    )
    np.testing.assert_array_equal(res.confidence, [0.5, 0.5, np.nan])


def test_same_seed_same_result_different_seed_different_result():
    matrix, objectives, _ = random_problem(4, m=8, n=4)
    a = smaa_full(matrix, objectives, samples=800, seed=7)
    b = smaa_full(matrix, objectives, samples=800, seed=7)
    c = smaa_full(matrix, objectives, samples=800, seed=8)
    pd.testing.assert_frame_equal(a.acceptability, b.acceptability)
    pd.testing.assert_frame_equal(a.central_weights, b.central_weights)
    assert not a.acceptability.equals(c.acceptability)
    assert a.seed == 7
    assert smaa_full(matrix, objectives, samples=10, seed=None).seed > 2**64


@pytest.mark.parametrize("method", ALL_METHODS)
def test_vectorised_smaa_equals_the_reference_loop(method):
    matrix, objectives, _ = random_problem(5, m=5, n=3)
    fast = smaa_full(matrix, objectives, samples=200, method=method, seed=3)
    slow = smaa_reference_loop(matrix, objectives, samples=200, method=method, seed=3)
    pd.testing.assert_frame_equal(fast.acceptability, slow.acceptability)  # exact counts
    pd.testing.assert_frame_equal(fast.central_weights, slow.central_weights, atol=1e-12)
    pd.testing.assert_series_equal(fast.confidence, slow.confidence, atol=1e-12)


def _ranges(matrix: pd.DataFrame) -> dict[str, object]:
    return {
        "c0": (matrix["c0"] * 0.7, matrix["c0"] * 1.3),
        "c2": pd.DataFrame({"low": matrix["c2"] - 15, "high": matrix["c2"] + 15}),
    }


@pytest.mark.parametrize("method", ALL_METHODS)
def test_vectorised_smaa_with_value_ranges_equals_the_reference_loop(method):
    matrix, objectives, weights = random_problem(6, m=4, n=3)
    kwargs = {"samples": 60, "method": method, "value_ranges": _ranges(matrix), "seed": 2}
    fast = smaa_full(matrix, objectives, **kwargs)
    slow = smaa_reference_loop(matrix, objectives, **kwargs)
    pd.testing.assert_frame_equal(fast.acceptability, slow.acceptability)
    pd.testing.assert_series_equal(fast.confidence, slow.confidence, atol=1e-12)
    fixed = smaa(matrix, objectives, weights=weights, **kwargs)
    fixed_slow = smaa_reference_loop(matrix, objectives, weights=weights, **kwargs)
    pd.testing.assert_frame_equal(fixed, fixed_slow.acceptability)


def test_chunk_size_does_not_change_the_result(monkeypatch):
    matrix, objectives, _ = random_problem(7, m=6, n=4)
    kwargs = {"samples": 900, "value_ranges": _ranges(matrix), "order": [("c1", "c3")]}
    whole = smaa_full(matrix, objectives, **kwargs)
    monkeypatch.setattr(
        importlib.import_module("siteselect.robustness.smaa"), "CHUNK_ELEMENTS", 6 * 4 * 7
    )  # chunks of 7 samples
    chunked = smaa_full(matrix, objectives, **kwargs)
    pd.testing.assert_frame_equal(whole.acceptability, chunked.acceptability)
    pd.testing.assert_frame_equal(whole.central_weights, chunked.central_weights, atol=1e-12)
    pd.testing.assert_series_equal(whole.confidence, chunked.confidence, atol=1e-12)


def test_central_weights_and_confidence_of_the_symmetric_pair():
    res = smaa_full(symmetric_pair(), BOTH_MAX, samples=6000)
    # A wins where x > y; the mean of x over that half of the simplex is 3/4
    np.testing.assert_allclose(res.central_weights.loc["A"], [0.75, 0.25], atol=0.01)
    np.testing.assert_allclose(res.central_weights.loc["B"], [0.25, 0.75], atol=0.01)
    np.testing.assert_array_equal(res.confidence, [1.0, 1.0])
    assert (res.samples, res.method) == (6000, "wsm")


def test_never_first_gives_nan_central_weights_and_confidence():
    matrix = pd.DataFrame({"x": [1.0, 0.0, 0.2], "y": [0.0, 1.0, 0.2]}, index=["A", "B", "C"])
    res = smaa_full(matrix, BOTH_MAX, samples=500)
    assert res.central_weights.loc["C"].isna().all()
    assert np.isnan(res.confidence["C"])


def test_fixed_weights_without_value_ranges_give_one_ranking():
    matrix, objectives, weights = random_problem(8)
    acc = smaa(matrix, objectives, weights=weights, samples=50, method="topsis")
    ranks = rank_matrix(matrix, objectives, weights, "topsis")["rank"]
    expected = np.zeros((6, 6))
    expected[np.arange(6), ranks - 1] = 1.0
    np.testing.assert_array_equal(acc.to_numpy(), expected)


def test_vikor_batch_ranks_equal_vikor_ranks_row_by_row():
    matrix, objectives, weights = random_problem(9, m=7, n=4)
    problem = validate_problem(matrix, objectives, weights)
    state = get_method("vikor").prepare(problem.X, problem.sense)
    W = simplex(np.random.default_rng(0), 300, 4)
    batch = get_method("vikor").ranks(state, W)
    for w, ranks in zip(W, batch, strict=True):
        np.testing.assert_array_equal(vikor_ranks(state, w), ranks)


@pytest.mark.parametrize("seed", range(3))
def test_bounds_and_order_are_respected_by_every_sample(seed):
    groups = {"c0": "cost", "c1": "cost", "c2": "access", "c3": "access", "c4": "labour"}
    bounds = {"c0": (0.05, 0.4), "c4": (0.1, 0.5), "access": (0.2, 0.7)}
    order = [("c1", "c0"), ("access", "labour")]
    w = sample_weights(list(groups), 3000, seed=seed, bounds=bounds, order=order, groups=groups)
    assert w.shape == (3000, 5)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (w["c0"].between(0.05, 0.4)).all()
    assert (w["c4"].between(0.1, 0.5)).all()
    access = w["c2"] + w["c3"]
    assert access.between(0.2, 0.7).all()
    assert (w["c1"] >= w["c0"]).all()
    assert (access >= w["c4"]).all()
    # uniform within the region: without constraints each weight has mean 1/n
    free = sample_weights(list(groups), 3000, seed=seed)
    np.testing.assert_allclose(free.mean(), 0.2, atol=0.01)


def test_smaa_uses_the_constrained_draws():
    matrix = pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0]}, index=["A", "B"])
    acc = smaa(matrix, BOTH_MAX, samples=300, order=[("x", "y")])
    assert acc.loc["A", 1] == 1.0  # x >= y in every sample, so A always wins
    res = smaa_full(matrix, BOTH_MAX, samples=300, bounds={"y": (0.6, 0.9)})
    assert res.acceptability.loc["B", 1] == 1.0
    assert 0.6 <= res.central_weights.loc["B", "y"] <= 0.9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bounds": {"x": (0.6, 0.4)}}, r"bounds of 'x' must satisfy 0 <= low < high <= 1"),
        ({"bounds": {"x": (0.6, 0.9), "y": (0.5, 0.9)}}, r"lower bounds sum to 1\.1"),
        (
            {"bounds": {"x": (0.0, 0.3), "y": (0.1, 0.4), "z": (0, 0.2)}},
            r"upper bounds sum to 0\.9",
        ),
        ({"order": [("x", "y"), ("y", "z"), ("z", "x")]}, r"cycle x >= y >= z >= x"),
        (
            {"bounds": {"x": (0.0, 0.2)}, "order": [("x", "y"), ("x", "z")]},
            r"no weight vector satisfies all of",
        ),
        (
            {
                "bounds": {"x": (0.3, 0.3001), "y": (0.3, 0.3001)},
                "weights": {"x": 1, "y": 1, "z": 1},
                "concentration": 5.0,
            },
            r"too tight for rejection",
        ),
        ({"order": [("x", "x")]}, r"compares a weight with itself"),
    ],
    ids=["low>high", "lows>1", "highs<1", "cycle", "contradictory", "too-tight", "self"],
)
def test_infeasible_bounds_and_order_give_a_clear_error(kwargs, message):
    matrix = pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0], "z": [0.5, 0.5]})
    objectives = dict.fromkeys("xyz", "max")
    with pytest.raises(SiteSelectError, match=message):
        smaa(matrix, objectives, samples=100, **kwargs)


def test_smaa_refuses_unknown_names_and_bad_ranges():
    matrix = symmetric_pair()
    with pytest.raises(UnknownNameError, match=r"unknown criterion 'q'; valid criterions: x, y"):
        smaa(matrix, BOTH_MAX, bounds={"q": (0, 0.5)})
    groups = {"x": "g1", "y": "g2", "not_in_matrix": "g3"}  # extra criteria are ignored
    with pytest.raises(UnknownNameError, match=r"unknown criterion or group 'g3'; .*: g1, g2"):
        smaa(matrix, BOTH_MAX, order=[("g1", "g3")], groups=groups)
    with pytest.raises(SiteSelectError, match=r"group names x are also criterion names"):
        smaa(matrix, BOTH_MAX, order=[("x", "y")], groups={"y": "x"})
    with pytest.raises(SiteSelectError, match=r"cannot be combined with fixed weights"):
        smaa(matrix, BOTH_MAX, weights={"x": 1, "y": 1}, order=[("x", "y")])
    bad = pd.DataFrame({"low": [1.0, 0.5], "high": [0.0, 0.6]}, index=["A", "B"])
    with pytest.raises(SiteSelectError, match=r"'x' has low > high for 'A': \(1\.0, 0\.0\)"):
        smaa(matrix, BOTH_MAX, value_ranges={"x": bad})
    with pytest.raises(SiteSelectError, match=r"value range of 'y' lacks alternatives B"):
        smaa(matrix, BOTH_MAX, value_ranges={"y": bad.loc[["A"]]})
    with pytest.raises(SiteSelectError, match=r"samples must be a positive integer; got 0"):
        smaa(matrix, BOTH_MAX, samples=0)


def test_smaa_handles_many_samples_in_bounded_chunks():
    rng = np.random.default_rng(0)
    matrix = pd.DataFrame(rng.random((50, 6)), columns=[f"c{j}" for j in range(6)])
    acc = smaa(matrix, dict.fromkeys(matrix.columns, "max"), samples=100_000)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0)
    assert chunk_size(50, 6, "wsm", False) < 100_000


# --- weights to win --------------------------------------------------------------


def _target_not_first(matrix, objectives, weights, method, seed):
    ranks = rank_matrix(matrix, objectives, weights, method)["rank"]
    candidates = ranks[ranks > 1].index
    return candidates[seed % len(candidates)]


@pytest.mark.parametrize("method", LINEAR)
@pytest.mark.parametrize("seed", range(4))
def test_lp_weights_make_the_target_rank_first(method, seed):
    matrix, objectives, weights = random_problem(seed, m=8, n=5)
    target = _target_not_first(matrix, objectives, weights, method, seed)
    res = weights_to_win(matrix, objectives, weights, target, method)
    if not res.feasible:
        assert "No weights make" in res.message
        return
    assert res.exact
    ranks = rank_matrix(matrix, objectives, res.weights.to_dict(), method)["rank"]
    assert ranks[target] == 1
    assert (ranks == 1).sum() == 1
    w0 = pd.Series(weights) / sum(weights.values())
    assert res.distance == pytest.approx((res.weights - w0).abs().sum())
    assert re.fullmatch(
        r"Moving \d+\.\d% of the total weight — (mostly )?from c\d to c\d — "
        rf"makes {target} rank first\.",
        res.message,
    )


def wsm_first_alone(matrix, objectives, W, target) -> np.ndarray:
    """Hand-written WSM (min–max scaling, best = 1): is ``target`` alone first per row?"""
    X = matrix.to_numpy(float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    up = np.array([objectives[c] == "max" for c in matrix.columns])
    R = np.where(up, X - lo, hi - X) / np.where(hi > lo, hi - lo, 1.0)
    scores = np.round(W @ R.T, 12)
    t = matrix.index.get_loc(target)
    others = np.delete(scores, t, axis=1)
    return scores[:, t] > others.max(axis=1)


@pytest.mark.parametrize("seed", range(4))
def test_lp_distance_is_no_larger_than_any_random_winning_weights(seed):
    matrix, objectives, weights = random_problem(seed, m=6, n=4)
    target = _target_not_first(matrix, objectives, weights, "wsm", seed)
    res = weights_to_win(matrix, objectives, weights, target, "wsm")
    w0 = np.array(list(weights.values())) / sum(weights.values())
    W = sample_weights(list(weights), 20_000, seed=seed).to_numpy()
    wins = wsm_first_alone(matrix, objectives, W, target)
    assert res.feasible == bool(wins.any())
    if res.feasible:
        assert res.distance <= np.abs(W[wins] - w0).sum(axis=1).min() + 1e-5
        assert wsm_first_alone(matrix, objectives, res.weights.to_numpy()[None, :], target)[0]


def test_a_dominated_target_is_infeasible_and_names_the_dominator():
    matrix = pd.DataFrame(
        {"cost": [10.0, 12.0, 9.0], "quality": [8.0, 7.0, 5.0]}, index=["A", "B", "C"]
    )
    objectives = {"cost": "min", "quality": "max"}
    for method in ALL_METHODS:
        res = weights_to_win(matrix, objectives, {"cost": 1, "quality": 1}, "B", method)
        assert not res.feasible
        assert res.weights is None
        assert res.exact
        assert "dominated by A" in res.message
        assert "better on cost, quality" in res.message


def test_a_target_never_on_the_convex_hull_is_infeasible_under_wsm():
    matrix = pd.DataFrame({"x": [1.0, 0.0, 0.4], "y": [0.0, 1.0, 0.4]}, index=["A", "B", "C"])
    res = weights_to_win(matrix, BOTH_MAX, {"x": 1, "y": 1}, "C", "wsm")
    assert not res.feasible
    assert res.exact
    assert re.search(r"a blend of [AB] \(50%\) and [AB] \(50%\)", res.message)


def test_a_leader_needs_no_move_and_an_unknown_target_is_refused():
    matrix, objectives, weights = random_problem(1)
    leader = rank_matrix(matrix, objectives, weights, "wsm")["rank"].idxmin()
    res = weights_to_win(matrix, objectives, weights, leader)
    assert res.feasible
    assert res.distance == 0.0
    assert "already ranks first" in res.message
    with pytest.raises(UnknownNameError, match=r"unknown alternative 'zz'"):
        weights_to_win(matrix, objectives, weights, "zz")


def test_win_message_names_the_main_move():
    matrix = pd.DataFrame({"cost": [10, 20, 15], "quality": [3, 9, 6]}, index=["a", "b", "c"])
    res = weights_to_win(matrix, {"cost": "min", "quality": "max"}, {"cost": 2, "quality": 1}, "b")
    # b wins once quality outweighs cost: w = (0.5, 0.5) + margin, from (2/3, 1/3)
    assert res.distance == pytest.approx(1 / 3, abs=1e-5)
    assert res.message.startswith("Moving 16.7% of the total weight — from cost to quality")


@pytest.mark.parametrize("method", ["topsis", "vikor"])
@pytest.mark.parametrize("seed", range(2))
def test_search_weights_make_the_target_first_and_beat_random_sampling(method, seed):
    matrix, objectives, weights = random_problem(seed + 10, m=6, n=4)
    target = _target_not_first(matrix, objectives, weights, method, seed)
    res = weights_to_win(matrix, objectives, weights, target, method)
    assert not res.exact
    w0 = np.array(list(weights.values())) / sum(weights.values())
    W = sample_weights(list(weights), 200, seed=seed + 100).to_numpy()
    dists = []
    for w in W:
        ranks = rank_matrix(matrix, objectives, dict(zip(weights, w, strict=True)), method)
        if ranks["rank"][target] == 1 and (ranks["rank"] == 1).sum() == 1:
            dists.append(np.abs(w - w0).sum())
    if not res.feasible:
        assert not dists
        return
    ranks = rank_matrix(matrix, objectives, res.weights.to_dict(), method)["rank"]
    assert ranks[target] == 1
    assert (ranks == 1).sum() == 1
    if dists:
        assert res.distance <= min(dists) + 1e-9


# --- rank reversal ---------------------------------------------------------------


def _brute_changes(before: pd.Series, after: pd.Series) -> tuple[bool, set[tuple[str, str]]]:
    names = list(before.index)
    changed, flips = False, set()
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            rb = np.sign(before[b] - before[a])
            ra = np.sign(after[b] - after[a])
            changed |= rb != ra
            if rb * ra < 0:
                flips.add((a, b) if rb > 0 else (b, a))
    return changed, flips


@pytest.mark.parametrize("method", ALL_METHODS)
@pytest.mark.parametrize("seed", range(3))
def test_rank_reversal_checks_match_recomputation(method, seed):
    matrix, objectives, weights = random_problem(seed + 20, m=6, n=3)
    report = rank_reversal(matrix, objectives, weights, method)
    base = rank_matrix(matrix, objectives, weights, method)["rank"]
    removals = report.checks[report.checks["check"] == "remove"].set_index("subject")
    assert removals.index.tolist() == matrix.index.tolist()
    for name, row in removals.iterrows():
        after = rank_matrix(matrix.drop(index=name), objectives, weights, method)["rank"]
        changed, flips = _brute_changes(base.drop(index=name), after)
        assert row["order_changed"] == changed
        assert set(row["flipped"]) == flips
        assert row["n_flipped"] == len(flips)
    worst = base.sort_values(kind="stable").index[-1]
    copy = pd.concat([matrix, matrix.loc[[worst]].rename(index={worst: "copy"})])
    after = rank_matrix(copy, objectives, weights, method)["rank"].drop(index="copy")
    row = report.checks.set_index("check").loc["add copy of worst"]
    assert row["subject"] == worst
    assert (row["order_changed"], set(row["flipped"])) == _brute_changes(base, after)
    assert report.notes


@settings(max_examples=30)
@given(problem=small_problems)
def test_wsm_never_reverses_on_a_copy_or_a_dominated_phantom(problem):
    """Neither changes any criterion's min or max, so WSM's scaling is untouched."""
    matrix, objectives, weights = problem_frames(*problem)
    checks = rank_reversal(matrix, objectives, weights, "wsm").checks.set_index("check")
    assert not checks.loc[["add copy of worst", "add dominated phantom"], "order_changed"].any()


def test_topsis_rank_reversal_is_reported_in_plain_language():
    # adding a site that is worst on every criterion changes TOPSIS's vector norms
    matrix = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [3.1, 2.05, 1.0]}, index=["A", "B", "C"])
    report = rank_reversal(matrix, BOTH_MAX, {"x": 1, "y": 1}, "topsis")
    assert report.reversal
    changed = report.checks[report.checks["order_changed"]]
    assert not changed.empty
    assert any("reorders the other sites" in note for note in report.notes)
    assert report.notes[-1].startswith("This is rank reversal: under TOPSIS, vector norm")


def test_no_rank_reversal_is_reported_as_such():
    matrix = pd.DataFrame({"x": [3.0, 2.0, 1.0], "y": [3.0, 2.0, 1.0]}, index=["A", "B", "C"])
    report = rank_reversal(matrix, BOTH_MAX, {"x": 1, "y": 2}, "wsm")
    assert not report.reversal
    assert report.checks["n_flipped"].sum() == 0
    assert report.notes == (
        "No rank reversal under Weighted sum (WSM): removing any one site, adding a copy of "
        "the last-ranked site, or adding a phantom site that is worst on every criterion "
        "leaves the order of the other sites unchanged.",
    )


def test_robustness_summary_of_an_evaluation(tiny, cset):
    from siteselect.ranking import evaluate
    from siteselect.robustness import robustness_summary

    steps = []
    result = evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")
    summary = robustness_summary(result, samples=400, progress=lambda f, text: steps.append(f))
    assert steps[0] == 0.0
    assert steps[-1] == 1.0
    assert summary.leader == result.ranking.index[0]
    assert summary.first_rank_acceptability().sum() == pytest.approx(1.0)
    assert summary.win is not None
    assert summary.win.target == result.ranking.index[1]
    if summary.win.feasible:
        reranked = rank_matrix(
            result.policy.matrix,
            {c: result.table.objectives[c] for c in result.policy.matrix},
            summary.win.weights.to_dict(),
            "wsm",
        )
        assert reranked["rank"][summary.win.target] == 1
    assert set(summary.stability.index) == set(result.policy.matrix.columns)


def test_value_spread_draws_sourced_values_only(tiny, cset):
    from siteselect.ranking import evaluate
    from siteselect.robustness import robustness_summary

    result = evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")
    certain = robustness_summary(result, samples=300, values="exact")
    uncertain = robustness_summary(result, samples=300, value_spread=0.3)
    assert uncertain.smaa.acceptability.sum(axis=1).round(9).eq(1).all()
    # with uncertain values the confidence factors are no longer only 0, 1 or NaN
    conf = uncertain.smaa.confidence.dropna()
    assert not certain.smaa.confidence.dropna().between(0.001, 0.999).any()
    assert conf.between(0.0, 1.0).all()
    with pytest.raises(SiteSelectError, match=r"value_spread must be in \[0, 1\)"):
        robustness_summary(result, samples=10, value_spread=1.5)


# --- progress, the batch split and the first-alone test ----------------------------


def test_smaa_reports_progress_per_chunk_up_to_one(monkeypatch):
    matrix, objectives, _ = random_problem(8, m=6, n=4)
    monkeypatch.setattr(
        importlib.import_module("siteselect.robustness.smaa"), "CHUNK_ELEMENTS", 6 * 4 * 50
    )  # chunks of 50 samples
    seen: list[float] = []
    smaa_full(matrix, objectives, samples=400, value_ranges=_ranges(matrix), progress=seen.append)
    assert len(seen) >= 400 // 50  # at least once per chunk of the main pass
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert 0 < seen[0] < 1


@pytest.mark.parametrize("method", ALL_METHODS)
def test_one_preparation_ranks_any_weights_as_the_method_does(method):
    """The batch split used by SMAA and its confidence pass: a prepared batch of matrices
    ranked under one broadcast weight vector equals the method's own ranking of each."""
    from siteselect.robustness.model import prepare_model
    from siteselect.robustness.smaa import batch_ranker

    matrix, objectives, weights = random_problem(9, m=5, n=3)
    problem = validate_problem(matrix, objectives, weights)
    model = prepare_model(problem, method, {})
    rng = np.random.default_rng(0)
    X3 = problem.X * rng.uniform(0.8, 1.2, (4, *problem.X.shape))
    ranker = batch_ranker(model)
    terms = ranker.prepare(X3)
    w = simplex(rng, 1, 3)[0]
    got = ranker.rank(terms, np.broadcast_to(w, (4, 3)))
    weights_w = dict(zip(matrix.columns, w, strict=True))
    for k in range(4):
        frame = pd.DataFrame(X3[k], index=matrix.index, columns=matrix.columns)
        expected = rank_matrix(frame, objectives, weights_w, method)["rank"].to_numpy()
        np.testing.assert_array_equal(got[k], expected)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_alone_first_agrees_with_the_ranks(method):
    from siteselect.robustness.model import prepare_model
    from siteselect.robustness.whatif import alone_first

    matrix, objectives, weights = random_problem(10, m=7, n=4)
    # a copy of row 0 ties it with row 6 whatever the weights: neither is ever first alone
    matrix.iloc[6] = matrix.iloc[0]
    model = prepare_model(validate_problem(matrix, objectives, weights), method, {})
    W = np.vstack([np.eye(4), simplex(np.random.default_rng(1), 300, 4)])
    ranks = model.ranks(W)
    for t in range(7):
        expected = (ranks[:, t] == 1) & ((ranks == 1).sum(axis=1) == 1)
        np.testing.assert_array_equal(alone_first(model, W, t), expected)
    assert not alone_first(model, W, 0).any()


def test_rank_reversal_removes_a_stated_sample_of_many_sites():
    from siteselect.robustness.reversal import REMOVE_ALL

    m = REMOVE_ALL + 30
    matrix, objectives, weights = shared_random_problem(11, m=m, n=3)
    report = rank_reversal(matrix, objectives, weights, "wsm", seed=4)
    removed = report.checks.loc[report.checks["check"] == "remove", "subject"]
    assert len(removed) == REMOVE_ALL == removed.nunique()
    first = rank_matrix(matrix, objectives, weights, "wsm")["rank"].sort_values(kind="stable")
    assert set(first.index[: REMOVE_ALL // 2]) <= set(removed)
    assert report.notes[-1].startswith(f"The removal check ran for {REMOVE_ALL} of the {m} ")
    again = rank_reversal(matrix, objectives, weights, "wsm", seed=4)
    pd.testing.assert_frame_equal(report.checks, again.checks)


def test_one_blas_thread_holds_blas_to_one_thread_and_restores_it():
    from threadpoolctl import threadpool_info

    from siteselect.robustness.model import one_blas_thread

    def blas_threads() -> list[int]:  # numpy's BLAS, the one the batched products use
        return [
            i["num_threads"]
            for i in threadpool_info()
            if i["user_api"] == "blas" and "numpy" in i["filepath"]
        ]

    before = blas_threads()
    assert before
    with one_blas_thread():
        assert set(blas_threads()) <= {1}
    assert blas_threads() == before


def test_weights_to_win_search_reports_progress_up_to_one():
    matrix, objectives, weights = random_problem(12, m=6, n=4)
    ranked = rank_matrix(matrix, objectives, weights, "topsis")["rank"].sort_values()
    seen: list[float] = []
    res = weights_to_win(
        matrix, objectives, weights, ranked.index[1], "topsis", progress=seen.append
    )
    assert res.feasible
    assert res.distance > 0  # the search ran
    assert seen[0] == pytest.approx(0.2)
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(1.0)


def test_summary_progress_never_goes_back(tiny, cset):
    from siteselect.ranking import evaluate
    from siteselect.robustness import robustness_summary

    steps: list[float] = []
    result = evaluate(tiny, cset, sector="ems", profile="investor", method="topsis")
    robustness_summary(result, samples=300, progress=lambda f, text: steps.append(f))
    assert steps == sorted(steps)
    assert steps[0] == 0.0
    assert steps[-1] == 1.0
