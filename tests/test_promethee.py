"""PROMETHEE with per-criterion preference functions, PROMETHEE I and GAIA against published
cases and independent computations; the scale-free WPM against its textbook example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from problems import random_problem

from siteselect.methods import gaia, preference, promethee1, rank_matrix

# Brans, Vincke & Mareschal (1986), How to select and how to rank projects: the PROMETHEE
# method, EJOR 24(2) 228-238: six actions, six criteria, one of each preference function
# type, absolute thresholds, equal weights.
BVM_VALUES = [
    [80, 90, 6, 5.4, 8, 5],
    [65, 58, 2, 9.7, 1, 1],
    [83, 60, 4, 7.2, 4, 7],
    [40, 80, 10, 7.5, 7, 10],
    [52, 72, 6, 2.0, 3, 8],
    [94, 96, 7, 3.6, 5, 6],
]
BVM_CRITERIA = [f"g{j}" for j in range(1, 7)]
BVM_OBJECTIVES = dict(zip(BVM_CRITERIA, ["min", "max", "min", "min", "min", "max"], strict=True))
BVM_PARAMS = {
    "preference": dict(
        zip(
            BVM_CRITERIA,
            ["u-shape", "v-shape", "linear", "level", "usual", "gaussian"],
            strict=True,
        )
    ),
    "q": {"g1": 10, "g3": 0.5, "g4": 1},
    "p": {"g2": 30, "g3": 5, "g4": 6},
    "s": {"g6": 5},
    "thresholds": "absolute",
}
# the published aggregated preference indices π(a, b) (row a, column b), 3 decimals
BVM_PI = np.array(
    [
        [0.000, 0.296, 0.250, 0.268, 0.100, 0.185],
        [0.462, 0.000, 0.389, 0.333, 0.296, 0.500],
        [0.236, 0.180, 0.000, 0.333, 0.056, 0.429],
        [0.399, 0.505, 0.305, 0.000, 0.223, 0.212],
        [0.444, 0.515, 0.487, 0.380, 0.000, 0.448],
        [0.286, 0.399, 0.250, 0.432, 0.133, 0.000],
    ]
)


def bvm_matrix() -> pd.DataFrame:
    return pd.DataFrame(
        BVM_VALUES, index=[f"a{i}" for i in range(1, 7)], columns=BVM_CRITERIA, dtype=float
    )


def test_brans_vincke_mareschal_1986_flows_are_reproduced():
    res = promethee1(bvm_matrix(), BVM_OBJECTIVES, dict.fromkeys(BVM_CRITERIA, 1), **BVM_PARAMS)
    # 5 rounded entries per flow: the published flows are known to about ±0.0005
    np.testing.assert_allclose(res.flows["phi_plus"], BVM_PI.sum(axis=1) / 5, atol=1e-3)
    np.testing.assert_allclose(res.flows["phi_minus"], BVM_PI.sum(axis=0) / 5, atol=1e-3)
    ranked = rank_matrix(
        bvm_matrix(), BVM_OBJECTIVES, dict.fromkeys(BVM_CRITERIA, 1), "promethee2", **BVM_PARAMS
    )
    np.testing.assert_allclose(ranked["score"], res.flows["phi"], atol=1e-12)
    # the complete ranking the published indices imply: a5 > a2 > a4 > a6 > a3 > a1
    assert ranked["rank"].sort_values().index.tolist() == ["a5", "a2", "a4", "a6", "a3", "a1"]


def test_promethee1_partial_order_on_the_textbook_case_has_its_incomparabilities():
    res = promethee1(bvm_matrix(), BVM_OBJECTIVES, dict.fromkeys(BVM_CRITERIA, 1), **BVM_PARAMS)
    plus, minus = BVM_PI.sum(axis=1) / 5, BVM_PI.sum(axis=0) / 5
    labels = list(res.relation.index)
    for i, a in enumerate(labels):  # the relation implied by the published flows
        for j, b in enumerate(labels):
            if i == j:
                continue
            up, down = plus[i] - plus[j], minus[j] - minus[i]
            expected = "R" if up * down < 0 else ("P" if up + down > 0 else "P-")
            assert res.relation.at[a, b] == expected, (a, b)
    # a2 has the larger φ+ and the larger (worse) φ- against a4 and a6: incomparable,
    # although PROMETHEE II ranks a2 second
    assert ("a2", "a4") in res.incomparable()
    assert ("a2", "a6") in res.incomparable()
    assert res.relation.at["a5", "a2"] == "P"
    assert res.outranked_by_none() == ["a5"]


def _net_flows_loop(X, senses, kinds, q, p, s):
    """Unicriterion net flows by the textbook double loop over pairs."""
    m, n = X.shape
    phi = np.zeros((m, n))
    for j in range(n):
        for a in range(m):
            for b in range(m):
                if a != b:
                    d = senses[j] * (X[a, j] - X[b, j])
                    pab = preference(np.array(d), kinds[j], q[j], p[j], s[j])
                    pba = preference(np.array(-d), kinds[j], q[j], p[j], s[j])
                    phi[a, j] += (pab - pba) / (m - 1)
    return phi


def test_gaia_plane_equals_an_independent_eigendecomposition():
    X = bvm_matrix()
    senses = [1 if BVM_OBJECTIVES[c] == "max" else -1 for c in BVM_CRITERIA]
    kinds = [BVM_PARAMS["preference"][c] for c in BVM_CRITERIA]
    q = [BVM_PARAMS["q"].get(c, 0.0) for c in BVM_CRITERIA]
    p = [BVM_PARAMS["p"].get(c, 1.0) for c in BVM_CRITERIA]
    s = [BVM_PARAMS["s"].get(c, 0.5) for c in BVM_CRITERIA]
    phi = _net_flows_loop(X.to_numpy(), senses, kinds, q, p, s)
    w = np.array([1, 2, 1, 1, 3, 1], dtype=float)
    w /= w.sum()
    plane = gaia(X, BVM_OBJECTIVES, dict(zip(BVM_CRITERIA, w, strict=True)), **BVM_PARAMS)
    eigval, eigvec = np.linalg.eigh(phi.T @ phi)  # ascending
    top = eigvec[:, ::-1][:, :2]
    np.testing.assert_allclose(plane.delta, eigval[::-1][:2].sum() / eigval.sum(), rtol=1e-9)
    for k, axis in enumerate("xy"):
        sign = np.sign(w @ top[:, k])
        np.testing.assert_allclose(plane.criteria[axis], sign * top[:, k], atol=1e-9)
        np.testing.assert_allclose(plane.alternatives[axis], sign * phi @ top[:, k], atol=1e-9)
        np.testing.assert_allclose(plane.stick[axis], abs(w @ top[:, k]), atol=1e-9)
    assert (plane.stick >= 0).all()
    np.testing.assert_allclose(plane.variance_share.sum(), 1.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), q=st.floats(0, 0.4), width=st.floats(0.05, 0.6))
def test_relative_thresholds_equal_absolute_thresholds_times_the_range(seed, q, width):
    matrix, objectives, weights = random_problem(seed, m=6, n=3)
    span = (matrix.max() - matrix.min()).to_dict()
    rel = rank_matrix(matrix, objectives, weights, "promethee2", q=q, p=q + width)
    absolute = rank_matrix(
        matrix,
        objectives,
        weights,
        "promethee2",
        q={c: q * v for c, v in span.items()},
        p={c: (q + width) * v for c, v in span.items()},
        thresholds="absolute",
    )
    np.testing.assert_allclose(rel["score"], absolute["score"], atol=1e-12)


@pytest.mark.parametrize(
    ("kind", "d", "expected"),
    [
        ("usual", [-1, 0, 0.1, 5], [0, 0, 1, 1]),
        ("u-shape", [0.5, 1.0, 1.01, 3], [0, 0, 1, 1]),
        ("v-shape", [-1, 1, 2, 4], [0, 0.5, 1, 1]),
        ("level", [0.5, 1.0, 1.5, 2.0, 2.5], [0, 0, 0.5, 0.5, 1]),
        ("linear", [1.0, 1.5, 2.0, 3.0], [0, 0.5, 1, 1]),
        ("gaussian", [-1, 0, 1], [0, 0, 1 - np.exp(-0.5)]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_brans_six_preference_functions(kind, d, expected):
    # q = 1, p = 2, s = 1 (V-shape uses p alone)
    got = preference(np.array(d, dtype=float), kind, q=1.0, p=2.0, s=1.0)
    np.testing.assert_allclose(got, expected)


def test_scale_free_wpm_reproduces_triantaphyllou_2000_example():
    """Triantaphyllou (2000), Multi-Criteria Decision Making Methods: A Comparative Study,
    the WPM example: P(A1/A2) = 1.007, P(A1/A3) = 1.067, P(A2/A3) = 1.059; A1 best."""
    matrix = pd.DataFrame(
        [[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]],
        index=["A1", "A2", "A3"],
        columns=["C1", "C2", "C3", "C4"],
        dtype=float,
    )
    weights = {"C1": 0.20, "C2": 0.15, "C3": 0.40, "C4": 0.25}
    res = rank_matrix(matrix, dict.fromkeys(matrix, "max"), weights, "wpm", form="ratio")
    score = res["score"]
    assert round(score["A1"] / score["A2"], 3) == 1.007
    assert round(score["A1"] / score["A3"], 3) == 1.067
    assert round(score["A2"] / score["A3"], 3) == 1.059
    assert res["rank"].tolist() == [1, 2, 3]
    ref = rank_matrix(
        matrix, dict.fromkeys(matrix, "max"), weights, "wpm", form="ratio", engine="skcriteria"
    )
    np.testing.assert_allclose(ref["score"], score, rtol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_scale_free_wpm_ranking_ignores_units(seed):
    matrix, objectives, weights = random_problem(seed, m=7, n=4)
    base = rank_matrix(matrix, objectives, weights, "wpm", form="ratio")
    rescaled = matrix * np.array([1000.0, 0.001, 3.7, 1.0])
    other = rank_matrix(rescaled, objectives, weights, "wpm", form="ratio")
    np.testing.assert_allclose(base["score"], other["score"], rtol=1e-12)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("wsm", {"normalise": "max"}),
        ("topsis", {"normalise": "sum"}),
        ("topsis", {"normalise": "max"}),
        ("topsis", {"normalise": "minmax"}),
        ("wpm", {"form": "ratio"}),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v.values())),
)
@pytest.mark.parametrize("seed", range(3))
def test_conventions_equal_their_scikit_criteria_pipelines(method, params, seed):
    matrix, objectives, weights = random_problem(seed, m=6 + seed, n=4)
    fast = rank_matrix(matrix, objectives, weights, method, **params)
    ref = rank_matrix(matrix, objectives, weights, method, engine="skcriteria", **params)
    np.testing.assert_allclose(fast["score"], ref["score"], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(fast["rank"], ref["rank"])


def test_raw_wsm_is_the_plain_weighted_sum():
    matrix = pd.DataFrame({"a": [1.0, 2.0], "b": [4.0, 1.0]}, index=["x", "y"])
    res = rank_matrix(matrix, {"a": "max", "b": "min"}, {"a": 3, "b": 1}, "wsm", normalise="none")
    np.testing.assert_allclose(res["score"], [0.75 * 1 - 0.25 * 4, 0.75 * 2 - 0.25 * 1])
