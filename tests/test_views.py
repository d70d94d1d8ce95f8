"""View helpers: shareable state, comparison tables, markdown escaping; exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from siteselect import export, views
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


def test_weight_overrides_are_the_slider_values_that_differ_from_the_preset(cset):
    presets = views.preset_sliders(cset, "government_evaluator", "semiconductor_fab")
    assert set(presets) == {g.id for g in cset.groups} | set(cset.ids)
    assert views.weight_overrides(cset, "government_evaluator", "semiconductor_fab", presets) == {}
    changed = presets | {"proximity": 0.9, "water_stress": 0.0}
    assert views.weight_overrides(cset, "government_evaluator", "semiconductor_fab", changed) == {
        "proximity": 0.9,
        "water_stress": 0.0,
    }
