"""The decision model: target markets, transit, cost of operation, value functions, exclusions."""

from __future__ import annotations

import itertools
import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from siteselect import attribution, markets
from siteselect.catalog import Catalog, load_catalog
from siteselect.cli import main
from siteselect.cost import COMPONENTS, Figure, annual_cost, load_projects, with_headcount
from siteselect.criteria import CriteriaSet, parse_value_function
from siteselect.errors import DataError, SiteSelectError, UnknownNameError
from siteselect.ranking import evaluate
from siteselect.table import decision_table, default_context

FIXTURES = Path(__file__).parent / "fixtures"
TARIFFS = FIXTURES / "model" / "trade" / "tariffs.csv"
MIX = {"US": 0.7, "ASEAN": 0.3}


@pytest.fixture(scope="session")
def mset() -> markets.MarketSet:
    return markets.load_markets()


@pytest.fixture(scope="session")
def tariffs(mset: markets.MarketSet) -> pd.DataFrame:
    return markets.load_tariffs(TARIFFS, mset)


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The tiny synthetic catalogue plus synthetic cost indicators (not real data)."""
    target = tmp_path_factory.mktemp("model") / "data"
    shutil.copytree(FIXTURES / "tiny", target)
    extra = (FIXTURES / "model" / "cost_indicators.csv").read_text(encoding="utf-8")
    with (target / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write("".join(extra.splitlines(keepends=True)[1:]))
    return load_catalog(target)


# --- markets and tariffs -----------------------------------------------------------------


def test_market_shares_are_validated_and_normalised(mset):
    assert markets.parse_market_shares({"US": 7, "ASEAN": 3}, mset) == MIX
    assert markets.parse_market_shares(None, mset) == {"US": 1.0}
    with pytest.raises(UnknownNameError, match=r"unknown market 'MARS'; valid markets: .*ASEAN"):
        markets.parse_market_shares({"MARS": 1}, mset)
    with pytest.raises(SiteSelectError, match=r"share of market 'US' must be a positive"):
        markets.parse_market_shares({"US": 0}, mset)
    with pytest.raises(SiteSelectError, match=r"share of market 'JP' is not a number"):
        markets.parse_market_shares({"JP": "lots"}, mset)


def test_every_required_market_has_a_port_and_the_road_markets_a_point(mset):
    assert {"US", "MX", "ASEAN", "JP", "EU", "CN", "TW"} <= set(mset.ids)
    for m in mset.markets:
        assert len(m.port) == 5
        assert (m.point is not None) == bool(m.road_from)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("regime", "Made-up FTA"), r"row 2, field 'regime': unknown regime 'Made-up FTA'"),
        (("valid_until", "2020-01-01"), r"row 2, field 'valid_until': is before as_of"),
        (("as_of", ""), r"row 2, field 'as_of': required ISO date"),
        (("rate_pct", "abc"), r"row 2, field 'rate_pct': not a rate"),
        (("source", ""), r"row 2, field 'source': required"),
    ],
    ids=["regime", "valid-until", "as-of", "rate", "source"],
)
def test_tariff_loader_names_file_line_and_field(tmp_path, mset, edit, message):
    frame = pd.read_csv(TARIFFS, dtype=str, keep_default_na=False)
    frame.loc[0, edit[0]] = edit[1]
    path = tmp_path / "tariffs.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"tariffs\.csv, " + message):
        markets.load_tariffs(path, mset)


def test_duplicate_tariff_rows_are_refused(tmp_path, mset):
    text = TARIFFS.read_text(encoding="utf-8")
    path = tmp_path / "tariffs.csv"
    path.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"field 'regime': duplicates the row on line 2"):
        markets.load_tariffs(path, mset)


def test_a_missing_tariff_file_makes_every_duty_missing_not_zero(tmp_path, mset):
    empty = markets.load_tariffs(tmp_path / "none.csv", mset)
    duty = markets.applicable_duty(empty, mset, "PHL", mset.market("US"), "telecom_equipment")
    assert math.isnan(duty.rate_pct)
    assert duty.how.startswith("missing: no row in tariffs.csv in force for PHL → USA")


def test_duty_rules(mset, tariffs):
    us, mx, asean = mset.market("US"), mset.market("MX"), mset.market("ASEAN")
    duty = markets.applicable_duty
    assert duty(tariffs, mset, "USA", us, "telecom_equipment").regime == "domestic"
    # the general duty is the highest stacked total: MFN 0 + Section 301 12.5
    ph = duty(tariffs, mset, "PHL", us, "telecom_equipment")
    assert (ph.rate_pct, ph.regime) == (12.5, "Section 301 forced labor")
    assert "tariffs.csv line 5" in ph.how
    # a claimed preference replaces it, unless the exporter does not claim it
    assert duty(tariffs, mset, "MEX", us, "telecom_equipment").regime == "USMCA"
    unclaimed = duty(tariffs, mset, "MEX", us, "telecom_equipment", claim_preferences=False)
    assert unclaimed.rate_pct == 10
    # PHL belongs to ASEAN, and its ATIGA row applies
    assert duty(tariffs, mset, "PHL", asean, "telecom_equipment").rate_pct == 0
    # a zone regime needs the site's zone regime
    home = replace(mx, destination="MEX", members=("MEX",))
    assert duty(tariffs, mset, "TWN", home, "semiconductors").rate_pct == 15
    assert duty(tariffs, mset, "TWN", home, "semiconductors", zone_regime="IMMEX").rate_pct == 0


def test_rows_out_of_force_and_conditional_layers(mset, tariffs):
    from datetime import date

    us = mset.market("US")
    home = replace(us, destination="PHL", members=("PHL",))
    duty = markets.applicable_duty
    # the MFN row ended on 2026-06-30 and Section 122 is an expired regime
    assert duty(tariffs, mset, "TWN", home, "telecom_equipment").rate_pct == 3
    late = duty(tariffs, mset, "TWN", home, "telecom_equipment", on=date(2026, 12, 1))
    assert math.isnan(late.rate_pct)
    assert "in force" in late.how
    # a conditional layer applies only when the project says it does
    assert duty(tariffs, mset, "PHL", us, "computers_servers").rate_pct == 0
    covered = duty(
        tariffs, mset, "PHL", us, "computers_servers", conditional=("Section 232 semiconductors",)
    )
    assert (covered.rate_pct, covered.regime) == (25, "Section 232 semiconductors")


def test_ai_server_project_states_why_the_chip_layer_applies():
    project = load_projects()["ai_servers"]
    assert "note 39" in project.conditional_regimes["Section 232 semiconductors"]
    assert not load_projects()["ems"].conditional_regimes


# --- proximity and market access properties ------------------------------------------------


@given(t=st.floats(0.0, 1.0))
def test_moving_a_site_towards_its_port_never_lengthens_the_transit_from_taiwan(mset, t):
    lon0, lat0 = 120.90, 15.60  # inland Luzon, gateway Subic
    plon, plat = -0.0, 0.0
    from siteselect.geo import port_location

    plon, plat = port_location("PHSFS")
    moved = (lon0 + t * (plon - lon0), lat0 + t * (plat - lat0))
    sites = gpd.GeoDataFrame(
        {"gateway_port": ["PHSFS", "PHSFS"], "country": ["PHL", "PHL"]},
        geometry=[Point(lon0, lat0), Point(*moved)],
        index=["far", "near"],
        crs="EPSG:4326",
    )
    days = markets.taiwan_transit_days(sites, mset)["days"]
    assert days["near"] <= days["far"] + 1e-12


def test_transit_from_taiwan_grows_with_the_sea_route(mset, model):
    days = markets.taiwan_transit_days(model.sites, mset)["days"]
    # Luzon is closer to Kaohsiung than the Pacific coast of Mexico, itself closer than Houston
    assert days["PH-TEST-A"] < days["US-TEST-C"] < days["US-TEST-D"]


@given(share=st.floats(0.01, 0.99))
def test_adding_asean_never_raises_the_duty_where_asean_is_cheaper(model, tariffs, cset, share):
    us_only = decision_table(
        model, cset, "ems", default_context("ems", {"US": 1}, tariffs=tariffs)
    )
    mixed = decision_table(
        model,
        cset,
        "ems",
        default_context("ems", {"US": 1 - share, "ASEAN": share}, tariffs=tariffs),
    )
    asean = decision_table(
        model, cset, "ems", default_context("ems", {"ASEAN": 1}, tariffs=tariffs)
    )
    for sid in model.sites.index:
        t_us, t_asean = (
            us_only.values.at[sid, "market_tariff"],
            asean.values.at[sid, "market_tariff"],
        )
        if t_asean < t_us:
            assert mixed.values.at[sid, "market_tariff"] <= t_us + 1e-12


# --- cost of operation ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def ems_cost(model, mset, tariffs):
    project = load_projects()["ems"]
    return annual_cost(model, project, markets=MIX, mset=mset, tariffs=tariffs)


def test_cost_breakdown_sums_to_the_total(ems_cost):
    wide = ems_cost.wide()
    assert wide["total"].notna().all()
    np.testing.assert_allclose(wide[list(COMPONENTS)].sum(axis=1), wide["total"])
    np.testing.assert_allclose(
        wide[[c for c in COMPONENTS if c != "output_duties"]].sum(axis=1), wide["scored_cost"]
    )


def test_labour_cost_is_headcount_times_wage_with_on_costs(ems_cost, model):
    labour = ems_cost.wide().at["US-TEST-C", "labour"]
    staff = 1200 * 1.0 + 200 * 2.0 + 100 * 1.8
    assert labour == pytest.approx(24.08 * 2080 * staff * 1.10)
    ph = ems_cost.wide().at["PH-TEST-A", "labour"]
    assert ph == pytest.approx(19711 * 0.016915 * 12 * staff * 1.20)


def test_every_cost_input_is_sourced_or_flagged_an_assumption(ems_cost):
    for row in ems_cost.breakdown.itertuples():
        assert row.inputs, f"{row.site_id} {row.component} has no provenance"
        sourced = "test source" in row.inputs
        assert sourced or row.assumption or row.component.endswith("duties"), row
    assert ems_cost.project.assumptions()
    assert all("assumption:" in a for a in ems_cost.project.assumptions())


def test_a_missing_cost_input_is_visible_and_makes_the_total_missing(tiny, mset, tariffs):
    result = annual_cost(tiny, load_projects()["ems"], markets=MIX, mset=mset, tariffs=tariffs)
    gaps = result.breakdown[result.breakdown["amount_usd"].isna()]
    assert len(gaps)
    assert (gaps["missing"] != "").all()
    assert "no manufacturing_wage" in gaps["missing"].iloc[0]
    assert result.total.isna().all()


FIGURES = (
    "floor_area_m2",
    "power_mwh_per_year",
    "water_m3_per_year",
    "output_value_usd",
    "containers_in_per_year",
    "taxable_margin",
)


@given(name=st.sampled_from(FIGURES), factor=st.floats(1.0, 5.0))
def test_raising_a_cost_input_never_lowers_the_cost(ems_cost, model, mset, tariffs, name, factor):
    project = ems_cost.project
    figs = dict(project.figures)
    figs[name] = Figure(figs[name].value * factor, True, "test")
    raised = annual_cost(
        model, replace(project, figures=figs), markets=MIX, mset=mset, tariffs=tariffs
    )
    assert (raised.scored >= ems_cost.scored - 1e-6).all()


@given(total=st.floats(100, 10_000))
def test_a_bigger_plant_never_costs_less_in_labour(ems_cost, model, mset, tariffs, total):
    small = with_headcount(ems_cost.project, total)
    big = with_headcount(ems_cost.project, total * 1.5)
    a = annual_cost(model, small, markets=MIX, mset=mset, tariffs=tariffs).wide()["labour"]
    b = annual_cost(model, big, markets=MIX, mset=mset, tariffs=tariffs).wide()["labour"]
    assert (b >= a).all()


def test_project_file_errors_name_the_field(tmp_path):
    from siteselect.cost import project_from_file

    path = tmp_path / "mine.yaml"
    path.write_text(
        "projects:\n  - sector: ems\n    product_class: telecom_equipment\n"
        "    headcount:\n      - {category: production, count: 1500, "
        "wage_multiple: {value: 1, assumption: true, why: x}}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        DataError, match=r"mine\.yaml, row 1, field 'headcount\.production\.count'"
    ):
        project_from_file(path, "ems")


# --- criteria: one fact each, value functions, exclusions ------------------------------------


def test_cost_replaces_its_components_and_retired_criteria_are_gone(cset: CriteriaSet):
    ids = set(cset.ids)
    assert "operating_cost" in ids
    assert not ids & {
        "labour_cost",
        "electricity_price",
        "corporate_tax",
        "us_tariff",
        "us_market_access",
        "sea_distance",
        "air_distance",
        "tz_offset",
    }
    assert set(cset.retired) >= {"us_market_access", "us_tariff", "labour_cost"}
    assert [c.id for c in cset.criteria if c.group == "proximity"] == ["taiwan_transit"]


def test_no_two_scored_criteria_encode_the_same_fact_without_a_reason(cset):
    """Over the bundled decision table, every pair of criteria with |r| > 0.9 needs a reason
    in criteria.yaml (`correlated`)."""
    for sector in ("ems", "semiconductor_fab"):
        values = decision_table_bundled(cset, sector)
        known = values.loc[:, values.notna().mean() >= 0.5]
        known = known.loc[:, known.std() > 0]
        corr = known.corr()
        for a, b in itertools.combinations(corr.columns, 2):
            if abs(corr.at[a, b]) > 0.9:
                assert cset.correlation_reason(a, b), f"{a} and {b}: r = {corr.at[a, b]:.2f}"


def decision_table_bundled(cset, sector):
    from siteselect.ranking import default_catalog

    return decision_table(default_catalog(), cset, sector).values


@pytest.mark.parametrize(
    ("spec", "x", "objective", "expected"),
    [
        (
            {"kind": "piecewise", "points": [[0, 1], [10, 0]], "why": "w"},
            [0, 5, 20],
            "min",
            [1, 0.5, 0],
        ),
        ({"kind": "threshold", "target": 4, "why": "w"}, [3, 4, 4.5], "min", [1, 1, 0]),
        ({"kind": "threshold", "target": 2, "below": 0.2, "why": "w"}, [1, 2], "max", [0.2, 1]),
        (
            {"kind": "step", "steps": [[1, 0.5], [2, 1]], "why": "w"},
            [0, 1, 1.5, 3],
            "max",
            [0, 0.5, 0.5, 1],
        ),
    ],
    ids=["piecewise", "threshold-min", "threshold-max", "step"],
)
def test_value_functions(spec, x, objective, expected):
    problems: list = []
    vf = parse_value_function(spec, "f", 1, "value_function", problems)
    assert not problems
    np.testing.assert_allclose(vf.value(np.array(x, float), objective), expected)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "curvy"}, "needs a kind"),
        ({"kind": "piecewise", "points": [[0, 1], [0, 0]], "why": "w"}, "x must increase"),
        ({"kind": "piecewise", "points": [[0, 2], [1, 0]], "why": "w"}, "v in \\[0, 1\\]"),
        ({"kind": "threshold", "target": 1}, "needs a reason"),
    ],
    ids=["kind", "order", "range", "why"],
)
def test_bad_value_functions_are_reported(spec, message):
    problems: list = []
    parse_value_function(spec, "criteria.yaml", 3, "value_function", problems)
    assert any(message.replace("\\", "") in str(p) or message in str(p) for p in problems) or any(
        __import__("re").search(message, str(p)) for p in problems
    )


def test_value_functions_change_wsm_but_not_topsis(model, tariffs):
    wsm = evaluate(model, sector="ems", method="wsm", markets=MIX, tariffs=tariffs)
    topsis = evaluate(model, sector="ems", method="topsis", markets=MIX, tariffs=tariffs)
    assert "market_transit" in wsm.value_functions
    assert not topsis.value_functions
    assert any("topsis uses the raw values" in n for n in topsis.notes)
    raw = wsm.table.values.loc[wsm.policy.matrix.index, "market_transit"]
    assert not np.allclose(wsm.policy.matrix["market_transit"], raw)


@pytest.mark.parametrize("method", ["wsm", "wpm", "topsis", "vikor", "promethee2"])
def test_an_excluded_site_is_never_ranked_and_says_why(model, tariffs, method):
    result = evaluate(
        model,
        sector="semiconductor_fab",
        method=method,
        tariffs=tariffs,
        exclusion_rules={"water_stress": True},
    )
    assert result.exclusion_rules == {"water_stress": True}
    assert list(result.excluded.index) == ["MX-TEST-B"]
    assert "MX-TEST-B" not in result.ranking.index
    assert "is above 3: Aqueduct category 4" in result.excluded.at["MX-TEST-B", "reason"]
    assert any(n.startswith("excluded: Test site B") for n in result.notes)


def test_an_exclusion_rule_off_by_default_ranks_the_site_and_says_the_rule_is_off(model, tariffs):
    result = evaluate(model, sector="semiconductor_fab", tariffs=tariffs)
    assert result.exclusion_rules == {"water_stress": False}
    assert result.excluded.empty
    assert "MX-TEST-B" in result.ranking.index
    assert "exclusion rule water_stress: off (default off)" in result.notes


def test_a_rule_on_by_default_can_be_switched_off(model, tariffs):
    on = evaluate(model, sector="rare_earth_magnets", tariffs=tariffs)
    off = evaluate(
        model,
        sector="rare_earth_magnets",
        tariffs=tariffs,
        exclusion_rules={"water_stress": False},
    )
    assert on.exclusion_rules == {"water_stress": True}
    assert "MX-TEST-B" in on.excluded.index
    assert "MX-TEST-B" not in on.ranking.index
    assert off.excluded.empty
    assert "MX-TEST-B" in off.ranking.index


def test_an_unknown_exclusion_rule_is_refused_by_name(model, tariffs):
    with pytest.raises(SiteSelectError, match=r"unknown exclusion rule 'nope' for sector 'ems'"):
        evaluate(model, sector="ems", tariffs=tariffs, exclusion_rules={"nope": True})


# --- end to end ------------------------------------------------------------------------------


def test_ems_for_us_and_asean_customers_with_1500_staff(model, tariffs):
    result = evaluate(model, sector="ems", markets=MIX, headcount=1500, tariffs=tariffs)
    assert result.markets == MIX
    assert sorted(result.ranking["rank"]) == [1, 2, 3, 4]
    assert result.cost is not None
    assert result.cost.project.headcount_total == pytest.approx(1500)
    assert result.cost.total.notna().all()
    assert "operating_cost" in result.policy.matrix.columns
    split = attribution.country_vs_site(result)
    np.testing.assert_allclose(split["country"] + split["site"] + split["imputed"], split["total"])
    chart = attribution.cost_quality(result)
    assert chart["pareto"].any()
    cheapest = chart["cost_usd"].idxmin()
    assert chart.at[cheapest, "pareto"]  # the cheapest site is never dominated


def test_pareto_front_flags_the_undominated():
    cost = pd.Series([1.0, 2.0, 3.0, np.nan], index=list("abcd"))
    quality = pd.Series([0.5, 0.9, 0.4, 1.0], index=list("abcd"))
    assert attribution.pareto_front(cost, quality).to_dict() == {
        "a": True,
        "b": True,
        "c": False,
        "d": False,
    }


def test_cli_cost_and_rank_take_markets_and_headcount(capsys):
    argv = ["--market", "US=0.7", "--market", "ASEAN=0.3", "--headcount", "1500"]
    assert main(["cost", *argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["markets"] == MIX
    assert doc["headcount"] == pytest.approx(1500)
    assert {r["component"] for r in doc["breakdown"]} == set(COMPONENTS)
    assert main(["rank", *argv]) == 0
    assert "target markets: US 70 %, ASEAN 30 %" in capsys.readouterr().err


def test_cli_unknown_market_lists_the_valid_ones(capsys):
    assert main(["rank", "--market", "MARS=1"]) == 2
    assert "unknown market 'MARS'; valid markets: ASEAN, CN, EU, JP, MX, TW, US" in (
        capsys.readouterr().err
    )


def test_cli_switches_an_exclusion_rule(capsys):
    assert main(["rank", "--sector", "semiconductor_fab", "--format", "json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert (
        main(
            [
                "rank",
                "--sector",
                "semiconductor_fab",
                "--exclude",
                "water_stress=on",
                "--format",
                "json",
            ]
        )
        == 0
    )
    strict = json.loads(capsys.readouterr().out)
    assert len(strict) < len(default)
    assert "US-AZ-NPHX" in {r["site_id"] for r in default}
    assert "US-AZ-NPHX" not in {r["site_id"] for r in strict}
    with pytest.raises(SystemExit, match="2"):
        main(["rank", "--exclude", "water_stress=maybe"])
    assert "expected RULE=on or RULE=off; got 'water_stress=maybe'" in capsys.readouterr().err


# --- missing cost components, filled by the evaluation's policy ---------------------------


@pytest.mark.parametrize(("policy", "stat"), [("worst", max), ("mean", np.mean)])
def test_missing_cost_components_follow_the_policy_and_are_flagged(
    model, mset, tariffs, policy, stat
):
    project = load_projects()["ems"]
    plain = annual_cost(model, project, markets=MIX, mset=mset, tariffs=tariffs)
    gone = plain.breakdown.index[
        (plain.breakdown["component"] == "power") & (plain.breakdown["site_id"] == "US-TEST-C")
    ]
    broken = plain.breakdown.copy()
    broken.loc[gone, "amount_usd"] = math.nan
    broken.loc[gone, "missing"] = "no electricity_price_industrial"
    from siteselect.cost import impute_components

    filled = impute_components(broken, policy)
    power = filled[filled["component"] == "power"].set_index("site_id")
    observed = power.drop(index="US-TEST-C")["amount_usd"]
    assert power.at["US-TEST-C", "amount_usd"] == pytest.approx(stat(observed))
    assert f"policy '{policy}'" in power.at["US-TEST-C", "imputed"]
    assert power.at["US-TEST-C", "missing"] == "no electricity_price_industrial"
    assert (power.drop(index="US-TEST-C")["imputed"] == "").all()  # observed values untouched
    pd.testing.assert_series_equal(power.drop(index="US-TEST-C")["amount_usd"], observed)


def test_a_component_observed_nowhere_is_not_imputed():
    from siteselect.cost import impute_components

    rows = pd.DataFrame(
        {
            "site_id": ["A", "B"],
            "component": "water",
            "amount_usd": [math.nan, math.nan],
            "missing": ["x", "y"],
            "imputed": "",
        }
    )
    assert impute_components(rows, "worst")["amount_usd"].isna().all()
    with pytest.raises(UnknownNameError, match=r"unknown cost imputation policy 'median'"):
        impute_components(rows, "median")


def test_bundled_cost_is_known_for_every_site_and_its_imputations_are_stated():
    result = evaluate()
    assert result.table.values["operating_cost"].notna().all()
    assert not any("Annual cost of operation" in n for n in result.policy.notes)
    assert any(n.startswith("cost of operation: ") for n in result.notes)
    cells = result.table.cells.query("criterion == 'operating_cost'")
    filled = result.cost.breakdown[result.cost.breakdown["imputed"] != ""]["site_id"].unique()
    for sid in filled:
        assert "imputed" in cells.set_index("site_id").at[sid, "derivation"]
    dropped = evaluate(missing="drop_site")
    assert len(dropped.ranking) < len(result.ranking)
