"""Weight samplers tested for their distribution; SMAA-2 on fixed scales and around the
user's weights; value ranges from provenance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from problems import random_problem
from scipy import stats

from siteselect.errors import SiteSelectError
from siteselect.robustness import sample_weights, smaa_full, smaa_reference_loop

GROUPS = {"a": "g1", "b": "g1", "c": "g2", "d": "g2", "e": "g2"}
CENTER = {"a": 0.3, "b": 0.1, "c": 0.2, "d": 0.35, "e": 0.05}
N = 20_000


def test_dirichlet_around_weights_has_the_stated_mean_and_variance():
    kappa = 50.0
    w = sample_weights(list(CENTER), N, seed=1, around=CENTER, concentration=kappa)
    w0 = pd.Series(CENTER)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    # mean within 5 standard errors, variance w0(1-w0)/(κ+1) within 5 %
    sd = np.sqrt(w0 * (1 - w0) / (kappa + 1))
    assert (np.abs(w.mean() - w0) < 5 * sd / np.sqrt(N)).all()
    np.testing.assert_allclose(w.var(), sd**2, rtol=0.05)
    # each marginal is Beta(κ w0, κ (1 - w0))
    for c, v in CENTER.items():
        assert stats.kstest(w[c], stats.beta(kappa * v, kappa * (1 - v)).cdf).pvalue > 1e-3


def test_hierarchical_uniform_draws_groups_then_splits():
    w = sample_weights(list(GROUPS), N, seed=2, groups=GROUPS, hierarchical=True)
    g1 = w["a"] + w["b"]
    # two groups: the group total is uniform on [0, 1]; within g1 the split is uniform
    assert stats.kstest(g1, stats.uniform().cdf).pvalue > 1e-3
    assert stats.kstest(w["a"] / g1, stats.uniform().cdf).pvalue > 1e-3
    # within g2 (three criteria) a share is Beta(1, 2), independent of the group total
    share = w["c"] / (1 - g1)
    assert stats.kstest(share, stats.beta(1, 2).cdf).pvalue > 1e-3
    assert abs(stats.spearmanr(share, g1).statistic) < 0.03
    # not the flat simplex: there a group of two has total Beta(2, 3), mean 0.4
    assert abs(g1.mean() - 0.5) < 0.01


def test_hierarchical_around_weights_keeps_group_totals_and_splits_centred():
    kappa = 80.0
    w = sample_weights(
        list(GROUPS),
        N,
        seed=3,
        groups=GROUPS,
        hierarchical=True,
        around=CENTER,
        concentration=kappa,
    )
    g1 = w["a"] + w["b"]
    assert stats.kstest(g1, stats.beta(kappa * 0.4, kappa * 0.6).cdf).pvalue > 1e-3
    assert stats.kstest(w["a"] / g1, stats.beta(kappa * 0.75, kappa * 0.25).cdf).pvalue > 1e-3
    np.testing.assert_allclose(w.mean(), pd.Series(CENTER), atol=3e-3)


def test_zero_weights_stay_zero_around_weights():
    w = sample_weights(["a", "b", "c"], 500, around={"a": 1, "b": 0, "c": 1}, concentration=10)
    assert (w["b"] == 0).all()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)


def test_order_restricted_uniform_sampler_is_uniform_on_the_feasible_set():
    # uniform on {w in simplex : w_a >= w_b}: by symmetry w_c keeps its Beta(1, 2) marginal,
    # and the larger of w_a, w_b is distributed as in the unrestricted simplex
    w = sample_weights(["a", "b", "c"], N, seed=4, order=[("a", "b")])
    assert (w["a"] >= w["b"]).all()
    assert stats.kstest(w["c"], stats.beta(1, 2).cdf).pvalue > 1e-3
    free = sample_weights(["a", "b", "c"], N, seed=5)
    top = np.maximum(free["a"], free["b"])
    assert stats.ks_2samp(w["a"], top).pvalue > 1e-3


def test_bounds_around_weights_are_respected():
    w = sample_weights(
        list(CENTER), 3000, seed=6, around=CENTER, concentration=30, bounds={"d": (0.25, 0.45)}
    )
    assert w["d"].between(0.25, 0.45).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hierarchical": True}, r"hierarchical weight sampling needs groups"),
        ({"around": CENTER, "concentration": 0}, r"concentration must be a finite number > 0"),
        (
            {"around": CENTER, "concentration": float("nan")},
            r"concentration must be a finite number > 0; got nan",
        ),
        (
            {"hierarchical": True, "groups": {"a": "g1"}},
            r"criteria without a group: b, c, d, e",
        ),
    ],
    ids=["no-groups", "zero-kappa", "nan-kappa", "ungrouped"],
)
def test_bad_sampling_options_are_refused(kwargs, message):
    with pytest.raises(SiteSelectError, match=message):
        sample_weights(list(CENTER), 10, **kwargs)


# --- SMAA with these samplers ---------------------------------------------------------


def _ranges(matrix, share=0.2):
    span = matrix.max() - matrix.min()
    return {c: (matrix[c] - share * span[c], matrix[c] + share * span[c]) for c in matrix}


@pytest.mark.parametrize("method", ["wsm", "wpm", "topsis"])
@pytest.mark.parametrize("scales", ["fixed", "per_sample"])
def test_smaa_around_weights_with_values_equals_its_reference_loop(method, scales):
    matrix, objectives, weights = random_problem(3, m=5, n=4)
    kwargs = {
        "weights": weights,
        "concentration": 40.0,
        "samples": 150,
        "method": method,
        "value_ranges": _ranges(matrix),
        "scales": scales,
        "seed": 7,
    }
    fast = smaa_full(matrix, objectives, **kwargs)
    slow = smaa_reference_loop(matrix, objectives, **kwargs)
    pd.testing.assert_frame_equal(fast.acceptability, slow.acceptability)
    pd.testing.assert_frame_equal(fast.central_weights, slow.central_weights)
    assert "concentration κ = 40" in fast.sampled


def test_fixed_scales_keep_a_value_s_meaning_across_samples():
    # b's value is certain and best on x; on fixed scales its WSM score never changes,
    # while per-sample min-max scaling moves it whenever a's range moves the minimum
    matrix = pd.DataFrame({"x": [0.0, 10.0, 5.0], "y": [1.0, 0.0, 0.5]}, index=list("abc"))
    ranges = {
        "x": (
            pd.Series([-5.0, 10, 5], index=list("abc")),
            pd.Series([4.0, 10, 5], index=list("abc")),
        )
    }
    obj = {"x": "max", "y": "max"}
    fixed = smaa_full(matrix, obj, weights={"x": 1, "y": 1}, value_ranges=ranges, samples=400)
    assert "fixed criterion scales" in fixed.sampled
    per = smaa_full(
        matrix,
        obj,
        weights={"x": 1, "y": 1},
        value_ranges=ranges,
        samples=400,
        scales="per_sample",
    )
    assert "re-normalised per sample" in per.sampled
    # on fixed scales x runs over [-5, 10]: b scores (1 + 0)/2 = 0.5 and c (2/3 + 1/2)/2
    # = 0.583 in every sample, so c always beats b
    assert fixed.acceptability.loc["b", 1] == 0.0
    assert fixed.acceptability.loc["c"].iloc[:2].sum() == 1.0


def test_around_weights_is_more_certain_than_uniform_weights():
    matrix, objectives, weights = random_problem(12, m=8, n=5)
    around = smaa_full(matrix, objectives, weights=weights, concentration=200.0, samples=2000)
    uniform = smaa_full(matrix, objectives, samples=2000)
    leader = around.acceptability[1].idxmax()
    assert around.acceptability.loc[leader, 1] > uniform.acceptability.loc[leader, 1]
    assert "uniformly" in uniform.sampled


# --- the summary's defaults -----------------------------------------------------------


def test_provenance_spreads_follow_the_stated_rule():
    from siteselect.ranking import evaluate
    from siteselect.robustness.provenance import (
        BASE_SPREAD,
        IMPUTED_SPREAD,
        MAX_SPREAD,
        provenance_spreads,
    )

    result = evaluate()
    spreads = provenance_spreads(result)
    computed = [c.id for c in result.criteria.criteria if c.derive.get("kind") == "computed"]
    assert computed
    assert (spreads[[c for c in computed if c in spreads]] == 0).all().all()
    sourced = spreads.drop(columns=computed, errors="ignore")
    assert sourced.min().min() >= BASE_SPREAD
    assert sourced.max().max() <= max(MAX_SPREAD, IMPUTED_SPREAD)
    imputed = result.policy.imputed.reindex_like(spreads).fillna(False).astype(bool)
    assert (spreads[imputed] == IMPUTED_SPREAD).sum().sum() == imputed.sum().sum()


def test_summary_samples_around_the_user_s_weights_and_says_so():
    from siteselect.ranking import evaluate
    from siteselect.robustness import robustness_summary

    result = evaluate(method="wsm")
    summary = robustness_summary(result, samples=300)
    assert "around the current weights" in summary.notes[0]
    assert "group weights, then each group's split" in summary.notes[0]
    assert any("imputed values" in n for n in summary.notes)
    exact = robustness_summary(result, samples=300, values="exact", weight_sampling="uniform")
    assert "drawn uniformly" in exact.notes[0]
    assert len(exact.notes) == 1


def test_summary_refuses_too_many_sites_up_front(monkeypatch):
    from siteselect.ranking import evaluate
    from siteselect.robustness import robustness_summary, summary

    monkeypatch.setattr(summary, "MAX_SITES", 5)
    with pytest.raises(SiteSelectError, match=r"limited to 5 sites \(\d+ given\)"):
        robustness_summary(evaluate(), samples=10)


def test_tight_bounds_switch_to_hit_and_run_and_stay_inside():
    # ±20 % around weights on ten criteria: far too thin for rejection from the simplex
    w0 = np.linspace(1, 2, 10)
    w0 /= w0.sum()
    names = [f"c{j}" for j in range(10)]
    bounds = {c: (0.8 * v, 1.2 * v) for c, v in zip(names, w0, strict=True)}
    w = sample_weights(names, 4000, seed=8, bounds=bounds)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    for c, (lo, hi) in bounds.items():
        assert w[c].between(lo - 1e-12, hi + 1e-12).all()
        # spread over the box, not stuck at the start
        assert w[c].max() - w[c].min() > 0.5 * (hi - lo)
    matrix = pd.DataFrame(np.random.default_rng(0).random((4, 10)), columns=names)
    res = smaa_full(matrix, dict.fromkeys(names, "max"), samples=500, bounds=bounds)
    assert "hit-and-run" in res.sampled


def test_hit_and_run_is_uniform_on_the_feasible_set():
    # a looser problem both samplers can do: hit-and-run equals rejection in distribution
    from siteselect.robustness.sampling import HitAndRun, weight_constraints

    names = pd.Index(["a", "b", "c", "d"])
    cons = weight_constraints(names, {"a": (0.1, 0.5), "b": (0.2, 0.6)}, [("c", "d")], None)
    walker = HitAndRun(cons, 4, np.random.default_rng(9))
    hr = np.concatenate([walker.block() for _ in range(80)])
    exact = sample_weights(
        list(names),
        len(hr),
        seed=10,
        bounds={"a": (0.1, 0.5), "b": (0.2, 0.6)},
        order=[("c", "d")],
    )
    assert cons.admits(hr).all()
    for j, c in enumerate(names):
        assert stats.ks_2samp(hr[:, j], exact[c]).pvalue > 1e-3, c


@pytest.mark.parametrize("method", ["wsm", "topsis", "promethee2"])
def test_alternatives_that_always_tie_split_their_ranks_as_the_reference_does(method):
    matrix, objectives, _ = random_problem(21, m=5, n=3)
    matrix.iloc[3] = matrix.iloc[1]  # a copy: tied under every weighting
    fast = smaa_full(matrix, objectives, samples=300, method=method)
    slow = smaa_reference_loop(matrix, objectives, samples=300, method=method)
    pd.testing.assert_frame_equal(fast.acceptability, slow.acceptability)
    np.testing.assert_allclose(fast.acceptability.iloc[1], fast.acceptability.iloc[3])
