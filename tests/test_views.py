"""View helpers: shareable state, comparison tables, markdown escaping; exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from siteselect import export, views
from siteselect.errors import SiteSelectError
from siteselect.markets import load_tariffs
from siteselect.ranking import evaluate


@pytest.fixture(scope="module")
def result(tiny, cset):
    # no tariff table: every duty from a foreign site is missing, deterministically
    none = load_tariffs(Path(__file__).parent / "fixtures" / "no-tariffs.csv")
    return evaluate(tiny, cset, sector="ems", profile="investor", method="wsm", tariffs=none)


def test_view_state_round_trips_through_query_params(cset):
    state = views.ViewState(
        "ai_servers",
        "investor",
        "vikor",
        "mean",
        {"logistics": 3.5, "proximity": 0.2},
        markets={"US": 0.7, "ASEAN": 0.3},
        headcount=1500.0,
    )
    back, warnings = views.decode_view(views.encode_view(state), cset)
    assert back == state
    assert warnings == []


def test_bad_markets_and_headcount_in_a_link_are_ignored_with_warnings(cset):
    state, warnings = views.decode_view({"m": "US:2,MARS:1,JP:-1", "hc": "lots"}, cset)
    assert state.markets == {"US": 1.0}
    assert state.headcount is None
    assert len(warnings) == 3
    assert "ignored market 'MARS:1' from the link (markets: US, MX" in warnings[0]


def test_bad_query_params_fall_back_with_warnings(cset):
    params = {"sector": "<script>", "method": "topsis", "w": "logistics:-1,nope:2,logistics:x"}
    state, warnings = views.decode_view(params, cset)
    assert state.sector == "ems"
    assert state.weights == {}
    assert len(warnings) == 4


@given(st.text())
def test_md_escape_neutralises_markdown(text):
    out = views.md_escape(text)
    for ch in "[]()*_`<>$":
        assert ch not in out.replace("\\" + ch, "")


def test_comparison_table_shows_sources_and_imputation(result):
    table = views.comparison_table(result, ["PH-TEST-A", "US-TEST-C"])
    row = table.set_index("criterion").loc["Natural-hazard risk (WorldRiskIndex)"]
    assert row["Test site A · source"] == "test source"
    assert row["Test site A · year"] == "2024"
    logistics = table.set_index("criterion").loc["Logistics (LPI)"]
    assert logistics["Test site A"] == "3.3"
    duty = table.set_index("criterion").loc["Duty into the target markets"]
    assert "imputed: worst" in duty["Test site A"]
    assert "no row in tariffs.csv in force for PHL → USA" in duty["Test site A · how"]
    assert duty["Test site C · how"].startswith("markets US 100 %")


def test_contribution_frame_is_long_and_complete(result, cset):
    long = views.contribution_frame(result)
    assert len(long) == result.contributions.size
    assert set(long["group"]) <= {g.id for g in cset.groups}


def test_csv_export_neutralises_formulas(tiny, cset):
    from dataclasses import replace

    sites = tiny.sites.copy()
    sites.loc["PH-TEST-A", "name"] = '=HYPERLINK("http://evil","x")'
    res = evaluate(replace(tiny, sites=sites), cset, sector="ems", profile="investor")
    text = export.ranking_csv(res).decode()
    assert "'=HYPERLINK" in text
    book = openpyxl.load_workbook(io.BytesIO(export.ranking_xlsx(res)))
    names = [c.value for c in book["Ranking"]["B"]]
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert book.sheetnames == [
        "Ranking",
        "Contributions",
        "Weights",
        "Values and sources",
        "Settings",
    ]


def test_geojson_export_has_scores_and_points(result, tiny):
    doc = json.loads(export.sites_geojson(result, tiny.sites))
    assert len(doc["features"]) == len(tiny.sites)
    first = doc["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert {"site_id", "score", "rank"} <= set(first["properties"])


def test_decision_record_is_self_contained_and_escaped(result, tiny):
    from siteselect.report import decision_record

    record = decision_record(
        result,
        tiny.sites,
        meta={"Scenario": "<script>alert(1)</script>"},
        elicitation={"note": "<img src=x onerror=alert(2)>"},
    )
    assert "<script>alert(1)</script>" not in record
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in record
    assert "<img src=x" not in record
    assert "cdn.jsdelivr" not in record
    assert "Values used and their sources" in record
    assert "test source" in record


def test_sliders_from_effective_reproduce_the_weights(cset):
    effective = cset.weights("investor", "ai_servers").effective
    groups, criteria = views.sliders_from_effective(cset, effective.to_dict())
    overrides = {**groups, **criteria}
    again = cset.weights("investor", "ai_servers", overrides).effective
    np.testing.assert_allclose(again, effective, atol=2e-3)


def test_rank_changes_explain_moves(tiny, cset):
    a = evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")
    b = evaluate(
        tiny,
        cset,
        sector="ems",
        profile="investor",
        method="wsm",
        weights={"proximity": 10, "taiwan_transit": 50},
    )
    moves = views.rank_changes(a, b)
    assert moves.loc["PH-TEST-A", "rank B"] == 1
    assert moves.loc["PH-TEST-A", "moved up by"] > 0
    assert "Transit time from Taiwan +" in moves.loc["PH-TEST-A", "why (contribution change)"]


def test_weight_overrides_carry_whole_levels_that_differ_from_the_preset(cset):
    presets = views.preset_sliders(cset, "government_evaluator", "semiconductor_fab")
    assert set(presets) == {g.id for g in cset.groups} | set(cset.ids)
    assert views.weight_overrides(cset, "government_evaluator", "semiconductor_fab", presets) == {}
    changed = presets | views.rebalance(presets | {"proximity": 90.0}, "proximity", GROUPS)
    inside = views.level_of(cset, "water_stress")
    changed |= views.rebalance(changed | {"water_stress": 0.0}, "water_stress", inside)
    out = views.weight_overrides(cset, "government_evaluator", "semiconductor_fab", changed)
    assert set(out) == set(GROUPS) | set(inside)
    assert out["proximity"] == 90.0
    assert out["water_stress"] == 0.0
    # the overrides give back exactly the shares on screen
    again = views.shares_from_overrides(cset, "government_evaluator", "semiconductor_fab", out)
    assert again == pytest.approx(changed)


GROUPS = ["proximity", "market_access", "cost", "business_climate", "sector"]


@given(
    st.lists(st.floats(0, 100), min_size=2, max_size=6),
    st.integers(0, 5),
    st.floats(-10, 110),
)
def test_rebalance_keeps_the_level_at_100_and_the_others_in_proportion(values, which, new):
    members = [f"w{i}" for i in range(len(values))]
    changed = members[which % len(members)]
    shares = dict(zip(members, values, strict=True)) | {changed: new}
    out = views.rebalance(shares, changed, members)
    assert sum(out.values()) == pytest.approx(100.0)
    assert out[changed] == min(max(new, 0.0), 100.0)
    assert all(v >= 0 for v in out.values())
    others = [m for m in members if m != changed]
    base = sum(shares[m] for m in others)
    if base > 1e-9 and out[changed] < 100:
        for m in others:
            assert out[m] == pytest.approx(shares[m] * (100 - out[changed]) / base)


def test_rebalance_refuses_a_weight_of_another_level():
    with pytest.raises(SiteSelectError, match="unknown weight of this level 'x'"):
        views.rebalance({"a": 1.0, "x": 2.0}, "x", ["a", "b"])


@pytest.mark.parametrize("profile", ["industry_association", "government_evaluator", "investor"])
def test_preset_shares_sum_to_100_per_level_and_give_the_preset_weights(cset, profile):
    shares = views.preset_sliders(cset, profile, "semiconductor_fab")
    for members in views.weight_levels(cset).values():
        assert sum(shares[m] for m in members) == pytest.approx(100.0)
    effective = cset.weights(profile, "semiconductor_fab").effective
    for crit in cset.criteria:
        product = shares[crit.group] * shares[crit.id] / 100
        assert product == pytest.approx(100 * effective[crit.id])


def test_sliders_from_effective_land_on_the_effective_weights_exactly(cset):
    effective = {"operating_cost": 0.5, "logistics": 0.3, "governance": 0.2}
    groups, criteria = views.sliders_from_effective(cset, effective)
    again = cset.weights("investor", "ems", {**groups, **criteria}).effective
    np.testing.assert_allclose(again[list(effective)], list(effective.values()), atol=1e-12)
    assert again.drop(list(effective)).abs().max() == 0
    with pytest.raises(SiteSelectError, match="all zero"):
        views.sliders_from_effective(cset, {"logistics": 0.0})


def test_weights_in_use_renormalise_over_the_criteria_left_in(tiny, cset):
    left_out = evaluate(tiny, cset, sector="ems", profile="investor", missing="drop_criterion")
    table = views.weights_in_use(left_out)
    used = table[table["status"] == "used"]
    assert used["used"].sum() == pytest.approx(100.0)
    gone = table[table["status"] != "used"]
    assert len(gone)  # the tiny fixture has gaps: some criterion is left out
    assert (gone["used"] == 0).all()
    # the used shares are the weights the method ranked with
    from siteselect.robustness import evaluation_problem

    _, _, weights = evaluation_problem(left_out)
    total = sum(weights.values())
    for crit, w in weights.items():
        assert table.at[crit, "used"] == pytest.approx(100 * w / total)
    assert table["set"].sum() == pytest.approx(100.0)


def test_stability_in_percent_of_the_score():
    frame = pd.DataFrame({"low": [0.1], "high": [0.5], "current": [0.25], "exact": [True]})
    out = views.stability_shares(frame)
    assert out.loc[0, ["low", "high", "current"]].tolist() == [10.0, 50.0, 25.0]
    assert frame.loc[0, "low"] == 0.1  # the input is not changed


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("wsm", "(weighted value 0–1)"),
        ("topsis", "(closeness 0–1)"),
        ("vikor", "(1 − VIKOR S 0–1)"),
        ("promethee2", "(net flow −1…1)"),
    ],
)
def test_ranking_frame_names_subscores_by_the_method_in_use(tiny, cset, method, suffix):
    result = evaluate(tiny, cset, sector="ems", profile="investor", method=method)
    frame = views.ranking_frame(result)
    assert any(c.endswith(suffix) for c in frame.columns)
    assert not any(c.startswith("subscore_") for c in frame.columns)
    scale = views.subscore_scale(method)
    subs = frame[[c for c in frame.columns if c.endswith(suffix) and c != "score"]]
    assert subs.min().min() >= scale.low - 1e-9
    assert subs.max().max() <= scale.high + 1e-9


def test_ranking_frame_lists_excluded_sites_without_a_rank():
    result = evaluate(sector="semiconductor_fab", exclusion_rules={"water_stress": True})
    assert len(result.excluded)
    frame = views.ranking_frame(result)
    assert len(frame) == len(result.ranking) + len(result.excluded)
    out = frame.loc[result.excluded.index]
    assert out["rank"].isna().all()
    assert out["excluded because"].str.contains("water stress").all()
    assert (frame.loc[result.ranking.index, "excluded because"] == "").all()


def test_exclusion_rules_round_trip_and_only_departures_from_defaults_travel(cset):
    state = views.ViewState(
        "semiconductor_fab",
        exclusion_rules=views.rule_overrides(cset, "semiconductor_fab", {"water_stress": True}),
    )
    assert views.encode_view(state)["ex"] == "water_stress:1"
    back, warnings = views.decode_view(views.encode_view(state), cset)
    assert back == state
    assert warnings == []
    magnets = views.rule_overrides(cset, "rare_earth_magnets", {"water_stress": True})
    assert magnets == {}  # on by default: nothing to carry
    assert "ex" not in views.encode_view(views.ViewState("rare_earth_magnets"))


def test_a_shared_link_round_trips_the_whole_view(cset):
    view = views.SharedView(
        views.ViewState("ems", "investor", "wsm", "mean", {"cost": 50.0}, {"US": 1.0}),
        site="US-AZ-NPHX",
        compare=("PH-CLARK", "US-AZ-NPHX"),
        uploads="0123456789abcdef",
    )
    assert views.encode_link(view)["up"] == "0123456789abcdef"
    back, warnings = views.decode_link(views.encode_link(view), cset)
    assert back == view
    assert warnings == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"site": "<b>x</b>"}, "ignored site='<b>x</b>' from the link (not a site id)"),
        ({"cmp": "A,B,C,D"}, "the link compares 4 sites; the first 3 are kept"),
        ({"cmp": "A,$x"}, "ignored '$x' in the compared sites"),
        ({"zoom": "3"}, "ignored unknown parameter 'zoom' in the link"),
        ({"w": "x" * 5000}, "ignored w from the link (longer than 4000 characters)"),
        ({"w": "cost:0,proximity:0,market_access:0,business_climate:0,sector:0"}, "all weights"),
        ({"hc": "1e400"}, "ignored headcount '1e400'"),
        ({"m": "US:nan"}, "ignored market 'US:nan'"),
        ({"ex": "water_stress:1"}, "ignored exclusion rule 'water_stress:1' from the link"),
        (
            {"sector": "semiconductor_fab", "ex": "water_stress:yes"},
            "ignored exclusion rule 'water_stress:yes'",
        ),
        ({"up": "/etc/passwd"}, "ignored up='/etc/passwd' from the link (not a reference"),
        ({"up": "0123456789ABCDEF"}, "ignored up='0123456789ABCDEF'"),
    ],
    ids=[
        "site",
        "too-many",
        "bad-id",
        "unknown",
        "long",
        "zero-weights",
        "inf",
        "nan",
        "rule-of-another-sector",
        "rule-bad-state",
        "upload-path",
        "upload-uppercase",
    ],
)
def test_a_bad_link_part_is_ignored_with_a_clear_warning(cset, params, message):
    view, warnings = views.decode_link(params, cset)
    assert any(message in w for w in warnings), warnings
    assert isinstance(view.state, views.ViewState)


@given(st.dictionaries(st.sampled_from([*views.LINK_KEYS, "x"]), st.text(max_size=60)))
def test_decode_link_never_raises(params):
    from siteselect.ranking import default_criteria

    view, warnings = views.decode_link(params, default_criteria())
    assert isinstance(warnings, list)
    assert len(view.compare) <= views.MAX_COMPARE


def test_link_sites_not_ranked_are_dropped_with_warnings():
    view = views.SharedView(site="X", compare=("A", "X"))
    checked, warnings = views.check_link_sites(view, ["A", "B"])
    assert checked.site is None
    assert checked.compare == ("A",)
    assert len(warnings) == 2


def test_win_changes_are_in_percent_of_the_score(result, cset):
    in_use = views.weights_in_use(result)
    used = in_use[in_use["status"] == "used"]
    needed = pd.Series(0.0, index=used.index)
    needed.iloc[0] = 1.0
    frame = views.win_changes(needed, in_use, {c.id: c.label for c in cset.criteria})
    first = frame.iloc[0]
    assert first["needed"] == 100.0
    assert first["change"] == pytest.approx(100.0 - used["used"].iloc[0])


def test_acceptability_top_keeps_each_row_a_whole():
    acc = pd.DataFrame(
        [[0.5, 0.3, 0.2, 0.0], [0.5, 0.2, 0.2, 0.1], [0.0, 0.5, 0.4, 0.1], [0.0, 0.0, 0.2, 0.8]],
        index=["a", "b", "c", "d"],
        columns=[1, 2, 3, 4],
    )
    top = views.acceptability_top(acc, ["b", "a", "c", "d"], {"a": "A"}, k=2)
    assert top.columns.tolist() == ["site", "#1", "#2", "below #2"]
    assert top["site"].tolist() == ["b", "A", "c", "d"]
    np.testing.assert_allclose(top[["#1", "#2", "below #2"]].sum(axis=1), 1.0)
    assert top.loc[3, "below #2"] == pytest.approx(1.0)
