"""evaluate(): ranks, contributions, subscores and reasons, on synthetic and bundled data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siteselect.methods import METHODS, rank_matrix
from siteselect.ranking import evaluate


@pytest.mark.parametrize("method", list(METHODS))
def test_evaluate_ranks_every_site(tiny, cset, method):
    result = evaluate(tiny, cset, sector="ems", profile="investor", method=method)
    assert set(result.ranking.index) == set(tiny.sites.index)
    assert result.ranking["rank"].is_monotonic_increasing
    assert result.ranking["rank"].min() == 1
    pd.testing.assert_index_equal(result.contributions.index, result.ranking.index)


def test_evaluate_equals_rank_matrix_on_its_own_matrix(tiny, cset):
    result = evaluate(tiny, cset, sector="ems", profile="investor", method="topsis")
    m = result.policy.matrix
    eff = result.weights.effective[m.columns]
    direct = rank_matrix(m, {c: result.table.objectives[c] for c in m}, eff.to_dict(), "topsis")
    pd.testing.assert_series_equal(
        result.ranking["score"].sort_index(), direct["score"].sort_index(), check_names=False
    )


def test_wsm_subscores_recompose_the_score(tiny, cset):
    result = evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")
    w = result.weights.effective[result.policy.matrix.columns]
    w = w / w.sum()
    groups = pd.Series(cset.group_of())[w.index]
    recomposed = sum(
        result.ranking[f"subscore_{g}"] * w[groups == g].sum() for g in groups.unique()
    )
    np.testing.assert_allclose(recomposed, result.ranking["score"])


def test_weight_change_changes_ranking(tiny, cset):
    base = evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")
    heavy = evaluate(
        tiny,
        cset,
        sector="ems",
        profile="investor",
        method="wsm",
        weights={"proximity": 10, "taiwan_transit": 50},
    )
    assert heavy.ranking.index[0] == "PH-TEST-A"
    assert not base.ranking["score"].equals(heavy.ranking["score"])


def test_reasons_name_strengths_and_weaknesses(tiny, cset):
    result = evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")
    reasons = result.reasons("PH-TEST-A")
    labels = {c.label for c in cset.criteria}
    assert reasons["strengths"]
    assert set(reasons["strengths"]) <= labels
    assert "Transit time to the target markets" in reasons["weaknesses"]


@pytest.mark.parametrize("method", ["wsm", "topsis", "vikor"])
def test_all_reasons_are_each_sites_reasons_from_the_contributions(tiny, cset, method):
    result = evaluate(tiny, cset, sector="ems", profile="investor", method=method)
    labels = {c.id: c.label for c in cset.criteria}
    every = result.all_reasons(k=2)
    assert set(every) == set(map(str, result.ranking.index))
    for sid in result.ranking.index:
        # oracle: pandas on the contributions, above and below the mean site
        delta = result.contributions.loc[sid] - result.contributions.mean()
        up = (-delta).sort_values(kind="stable")
        down = delta.sort_values(kind="stable")
        expected = {
            "strengths": [labels[c] for c, d in up.items() if -d > 1e-9][:2],
            "weaknesses": [labels[c] for c, d in down.items() if d < -1e-9][:2],
        }
        assert every[str(sid)] == expected == result.reasons(sid, k=2)


def test_zero_weight_criteria_are_not_imputed_or_used(tiny, cset):
    result = evaluate(tiny, cset, sector="ems", profile="investor", weights={"hazard_risk": 0})
    assert "hazard_risk" not in result.policy.matrix.columns


# --- the bundled, real data -----------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    from siteselect.ranking import default_catalog

    return default_catalog()


def test_bundled_catalogue_has_the_required_sites(bundled):
    sites = bundled.sites
    assert len(sites) >= 15
    assert set(sites["country"]) == {"PHL", "MEX", "USA"}
    names = " ".join(sites["name"]).lower()
    for needle in (
        "clark freeport",
        "new clark city",
        "subic",
        "teema",
        "juárez",
        "monterrey",
        "guadalajara",
        "tijuana",
        "phoenix",
    ):
        assert needle in names, needle
    assert (sites["country"] == "USA").sum() >= 3


def test_bundled_sources_are_complete(bundled):
    ind = bundled.indicators
    assert (ind["source"].str.len() > 0).all()
    assert (ind["url"].str.startswith("http")).all()
    rated = bundled.sector_fit[bundled.sector_fit["fit"].notna()]
    assert (rated["source"].str.len() > 0).all()
    assert (rated["rationale"].str.len() > 0).all()


@pytest.mark.parametrize("profile", ["industry_association", "government_evaluator", "investor"])
def test_bundled_ranking_per_profile(bundled, cset, profile):
    result = evaluate(bundled, cset, sector="ems", profile=profile)
    assert len(result.ranking) == len(bundled.sites)
    assert result.ranking["score"].between(0, 1).all()
