"""The Streamlit app through AppTest: no browser, real script runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from siteselect.catalog import load_catalog
from ui.header import DATA_NOTICE_ICON

APP = str(Path(__file__).parent.parent / "app.py")
TIMEOUT = 180
N_SITES = len(load_catalog().sites)  # the bundled release
PAGES = {
    "Map & ranking": "ui/pages/map_ranking.py",
    "Why this rank": "ui/pages/why.py",
    "Compare sites": "ui/pages/compare.py",
    "Cost of operation": "ui/pages/cost.py",
    "Robustness": "ui/pages/robustness.py",
    "Stakeholders": "ui/pages/stakeholders.py",
    "Scenarios": "ui/pages/scenarios.py",
    "Data & sources": "ui/pages/sources.py",
}
VIEWS = list(PAGES)


def run_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def show(at: AppTest, view: str) -> AppTest:
    return at.switch_page(PAGES[view]).run()


def first_site(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "First")


def test_smoke_first_view():
    at = run_app()
    assert not at.exception
    assert at.metric[0].value == str(N_SITES)
    assert len(at.dataframe) == 2  # site subscores and the ranking
    assert len(at.get("download_button")) == 4


def test_changing_a_weight_changes_the_ranking_and_the_link():
    at = run_app()
    before = first_site(at)
    at.slider(key="wg_market_access").set_value(100.0).run()
    assert not at.exception
    # access to the (default, US) market is now all that counts: a US site overtakes Subic
    assert first_site(at) != before
    # the other groups' shares went to zero with it (the level sums to 100 %)
    assert at.query_params["w"] == (
        "business_climate:0,cost:0,market_access:100,proximity:0,sector:0"
    )
    assert at.slider(key="wg_proximity").value == 0.0


def test_moving_one_share_rescales_the_others_of_its_level_to_100():
    at = run_app()
    groups = ["proximity", "market_access", "cost", "business_climate", "sector"]
    before = {g: at.slider(key=f"wg_{g}").value for g in groups}
    at.slider(key="wg_cost").set_value(50.0).run()
    after = {g: at.slider(key=f"wg_{g}").value for g in groups}
    assert sum(after.values()) == pytest.approx(100.0)
    assert after["cost"] == 50.0
    rest = [g for g in groups if g != "cost"]
    ratio = {g: after[g] / before[g] for g in rest}
    assert max(ratio.values()) == pytest.approx(min(ratio.values()))  # proportions kept
    members = ["governance", "logistics", "hazard_risk", "water_stress"]
    at.slider(key="wc_logistics").set_value(70.0).run()
    inside = [at.slider(key=f"wc_{c}").value for c in members]
    assert sum(inside) == pytest.approx(100.0)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Groups: total 100.0 %" in captions
    # the criteria's captions (and their stability intervals) are drawn once their group's
    # expander is open
    assert "first place holds from" not in captions
    at.session_state["criteria_open_business_climate"] = True
    captions = " ".join(c.value for c in at.run().sidebar.caption)
    assert "of the score" in captions
    assert "first place holds from" in captions


def test_changing_the_sector_with_custom_weights_asks_first():
    at = run_app()
    at.slider(key="wg_cost").set_value(60.0).run()
    at.selectbox(key="sector").set_value("semiconductor_fab").run()
    assert not at.exception
    # not switched yet: the question is asked, the weights are still the user's
    assert at.selectbox(key="sector").value == "ems"
    assert any("You have set your own weights" in w.value for w in at.sidebar.warning)
    next(b for b in at.button if b.label == "Keep my weights").click().run()
    assert at.selectbox(key="sector").value == "semiconductor_fab"
    assert at.slider(key="wg_cost").value == 60.0
    assert at.query_params["sector"] == "semiconductor_fab"
    # again, now discarding them: the profile's preset for the new profile applies
    at.selectbox(key="profile").set_value("investor").run()
    assert at.selectbox(key="profile").value == "industry_association"
    next(b for b in at.button if b.label == "Use the preset").click().run()
    assert at.selectbox(key="profile").value == "investor"
    assert at.slider(key="wg_cost").value == pytest.approx(35.0)
    assert not any("You have set your own weights" in w.value for w in at.sidebar.warning)


def test_changing_the_sector_without_custom_weights_applies_at_once():
    at = run_app()
    at.selectbox(key="profile").set_value("investor").run()
    assert at.selectbox(key="profile").value == "investor"
    assert at.slider(key="wg_cost").value == pytest.approx(35.0)
    assert not any("You have set your own weights" in w.value for w in at.sidebar.warning)


def _sector_fit_values(at: AppTest):
    cells = at.dataframe[-1].value  # the current ranking's values, by label
    return cells[cells["criterion"] == "Sector fit"].set_index("site")["value"]


def test_changing_the_sector_changes_sector_fit_values():
    at = show(run_app(), "Data & sources")
    ems = _sector_fit_values(at)
    at.selectbox(key="sector").set_value("semiconductor_fab").run()
    assert not at.exception
    fab = _sector_fit_values(at)
    assert not ems.equals(fab)
    assert at.query_params["sector"] == "semiconductor_fab"


def test_query_params_restore_a_view():
    at = run_app(
        sector="ai_servers",
        profile="investor",
        method="wsm",
        missing="mean",
        w="logistics:4,proximity:0.6",
    )
    assert not at.exception
    assert at.selectbox(key="sector").value == "ai_servers"
    assert at.selectbox(key="profile").value == "investor"
    assert at.selectbox(key="method").value == "wsm"
    assert at.selectbox(key="missing").value == "mean"
    # a link's weights of any scale reopen as the shares they give (here an older link
    # with a 0-1 group weight and a 0-10 criterion weight)
    from siteselect import views
    from siteselect.ranking import default_criteria

    shares = views.shares_from_overrides(
        default_criteria(), "investor", "ai_servers", {"logistics": 4, "proximity": 0.6}
    )
    assert at.slider(key="wc_logistics").value == pytest.approx(shares["logistics"])
    assert at.slider(key="wg_proximity").value == pytest.approx(shares["proximity"])
    groups = [g.id for g in default_criteria().groups]
    assert sum(at.slider(key=f"wg_{g}").value for g in groups) == pytest.approx(100.0)


def test_bad_link_values_warn_and_fall_back():
    at = run_app(sector="[x](http://evil.example)", w="logistics:-3")
    assert not at.exception
    assert at.selectbox(key="sector").value == "ems"
    # the data notice is not about the link
    link = [w for w in at.warning if w.icon != DATA_NOTICE_ICON]
    assert len(link) == 2
    assert any("\\[x\\]\\(http://evil" in w.value for w in link)  # text, not a link


def test_the_data_notice_names_the_release_and_the_figures_in_use():
    import datetime as dt

    from siteselect import release
    from siteselect.catalog import load_catalog

    at = run_app()
    expected, report = release.data_notice(load_catalog(), on=dt.date.today())
    notices = [w.value for w in at.warning if w.icon == DATA_NOTICE_ICON]
    if report.findings:
        assert len(notices) == 1
        assert notices[0].startswith("Data release ")
        assert f"{len(report.findings) - len(report.open)} figure" in notices[0]
        assert notices[0].replace("\\", "")[:40] == expected[:40]
    else:
        assert notices == []


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("bad.csv", b"name,lat,lon,country\nX,95,10,PHL\n", "row 2, field 'lat'"),
        ("bad.geojson", b"{not json", "cannot read as GeoJSON"),
        ("bad.csv", b"\xff\xfe\x00garbage", "not a UTF-8 text file"),
    ],
    ids=["out-of-range", "broken-geojson", "binary"],
)
def test_invalid_upload_shows_an_error_and_the_app_survives(name, body, message):
    at = run_app()
    at.sidebar.file_uploader[0].set_value((name, body, "text/csv")).run()
    assert not at.exception
    # messages are markdown-escaped (user text stays text); compare without the escapes
    assert any(message in e.value.replace("\\", "") for e in at.error)
    assert at.metric[0].value == str(N_SITES)


def test_valid_upload_is_ranked_with_the_bundled_sites():
    at = run_app()
    csv = b"name,lat,lon,country\nBatangas candidate,13.78,121.06,PHL\n"
    at.sidebar.file_uploader[0].set_value(("mine.csv", csv, "text/csv")).run()
    assert not at.exception
    assert at.metric[0].value == str(N_SITES + 1)


def test_a_link_reopens_the_uploaded_sites_from_the_store():
    at = run_app()
    csv = b"name,lat,lon,country\nLinked candidate,13.78,121.06,PHL\n"
    at.sidebar.file_uploader[0].set_value(("linked.csv", csv, "text/csv")).run()
    ref = at.query_params["up"]
    assert ref == hashlib.sha256(csv).hexdigest()[:16]
    assert any("A link to this view reopens your sites" in c.value for c in at.sidebar.caption)
    assert "up" in at.query_params
    # a new visitor (new session) opening the link sees the same sites ranked
    again = run_app(**{k: at.query_params[k] for k in at.query_params})
    assert not again.exception
    assert again.metric[0].value == str(N_SITES + 1)
    assert again.query_params["up"] == ref
    assert not again.warning or all("uploaded" not in w.value for w in again.warning)
    # a reference the store does not keep is ignored with a warning naming it
    other = run_app(up="0123456789abcdef")
    assert other.metric[0].value == str(N_SITES)
    assert any("0123456789abcdef" in w.value for w in other.warning)
    assert "up" not in other.query_params
    bad = run_app(up="../../etc/passwd")
    assert any("not a reference to uploaded sites" in w.value for w in bad.warning)


def test_a_link_reopens_the_values_entered_for_uploaded_sites():
    from siteselect.store import ScenarioStore

    csv = b"name,lat,lon,country,site_id\nValued candidate,13.78,121.06,PHL,MY-VALUED\n"
    entry = ("MY-VALUED", "water_stress", 2.0, "an evaluator", "2026-12-02T03:00:00+00:00")
    unknown = ("MY-VALUED", "land_cost", 85.0, "an evaluator", "2026-12-02T03:00:00+00:00")
    with ScenarioStore() as store:  # the test session's store, as the app's
        ref = store.keep_site_file("valued.csv", csv, [entry])
        bad = store.keep_site_file("valued.csv", csv, [unknown])
    at = run_app(up=ref)
    assert not at.exception
    assert at.metric[0].value == str(N_SITES + 1)
    assert at.session_state["assumptions"] == {"MY-VALUED": {"water_stress": entry[2:]}}
    assert at.query_params["up"] == ref  # the same file and values: the same reference
    # a kept value for no criterion is reported and left out, the sites still ranked
    other = run_app(up=bad)
    assert not other.exception
    assert any("unknown criterion" in e.value for e in other.error)
    assert other.metric[0].value == str(N_SITES + 1)


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders(view):
    at = show(run_app(), view)
    assert not at.exception
    assert not at.error


def test_robustness_view_and_what_would_make_the_runner_up_win():
    from siteselect.ranking import evaluate

    # (for EMS the runner-up is dominated by the leader, so no weights can make it win)
    runner_up = evaluate(method="wsm", sector="chip_assembly_test").ranking["name"].iloc[1]
    at = show(run_app(method="wsm", sector="chip_assembly_test"), "Robustness")
    assert not at.exception
    assert any("ranks first in" in m.label for m in at.metric)
    next(b for b in at.button if b.label == "Apply these weights").click().run()
    assert not at.exception
    assert first_site(at) == runner_up
    assert at.query_params["w"]


def test_panel_weighting_can_be_applied():
    at = show(run_app(), "Stakeholders")
    at.select_slider(key="sh_0_business_climate_sector").set_value(0).run()
    at.select_slider(key="sh_1_business_climate_sector").set_value(2).run()
    assert not at.exception
    side_by_side = next(d.value for d in at.dataframe if "spread" in d.value.columns)
    assert {"Industry association", "Government evaluator", "Investor", "group"} <= set(
        side_by_side.columns
    )
    next(b for b in at.button if b.label == "Use the panel weighting").click().run()
    assert not at.exception
    assert "business_climate" in at.query_params["w"]


def test_scenario_save_open_compare_and_bad_import():
    at = show(run_app(profile="investor", m="US:0.7,ASEAN:0.3"), "Scenarios")
    at.text_input[0].input("Investor view <b>1</b>")
    at.text_area[0].input("first draft")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Saved" in s.value for s in at.success)
    # a second scenario to compare with
    at.selectbox(key="profile").set_value("government_evaluator").run()
    at.multiselect(key="markets").set_value(["JP"]).run()
    at.text_input[0].input("Evaluator view")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert any("Saved" in s.value for s in at.success)
    assert not at.exception
    listing = at.dataframe[0].value
    assert {"Investor view <b>1</b>", "Evaluator view"} <= set(listing["name"])
    # reopen the first: the sidebar follows the scenario
    at.selectbox(key="scenario_pick").set_value("Investor view <b>1</b>").run()
    next(b for b in at.button if b.label == "Open").click().run()
    assert not at.exception
    assert at.selectbox(key="profile").value == "investor"
    assert set(at.multiselect(key="markets").value) == {"US", "ASEAN"}
    assert at.query_params["m"] == "ASEAN:0.3,US:0.7"
    # delete needs the exact name
    at.text_input(key="confirm").input("wrong").run()
    next(b for b in at.button if b.label == "Delete scenario").click().run()
    assert any("confirm" in e.value.lower() or "name" in e.value.lower() for e in at.error)


def test_scenario_import_refuses_malformed_and_newer_files():
    at = show(run_app(), "Scenarios")
    before = len(at.dataframe[0].value) if at.dataframe else 0
    bad = b'{"format": "siteselect-scenario", "schema_version": 999, "scenario": {}}'
    at.file_uploader(key="import").set_value(("x.json", bad, "application/json")).run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    assert any("newer" in e.value for e in at.error)
    at.file_uploader(key="import").set_value(("y.json", b"{not json", "application/json")).run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert any("JSON" in e.value for e in at.error)
    after = len(at.dataframe[0].value) if at.dataframe else 0
    assert after == before


def test_a_panel_saved_as_a_scenario_reopens_unchanged_in_another_session():
    at = show(run_app(), "Stakeholders")
    at.select_slider(key="sh_0_business_climate_sector").set_value(2).run()
    at.select_slider(key="sh_2_proximity_business_climate").set_value(13).run()
    at.text_input(key="sh_name_1").input("Ministry <i>team</i>").run()
    next(b for b in at.button if b.label == "Use the panel weighting").click().run()
    weights = at.query_params["w"]
    show(at, "Scenarios")
    at.text_input[0].input("Panel agreement")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert any("Saved" in s.value for s in at.success)

    other = show(run_app(), "Scenarios")  # another user, a fresh session
    other.selectbox(key="scenario_pick").set_value("Panel agreement").run()
    next(b for b in other.button if b.label == "Open").click().run()
    assert not other.exception
    assert other.query_params["w"] == weights
    show(other, "Stakeholders")
    assert other.select_slider(key="sh_0_business_climate_sector").value == 2
    assert other.select_slider(key="sh_2_proximity_business_climate").value == 13
    assert other.text_input(key="sh_name_1").value == "Ministry <i>team</i>"


def test_quick_rank_order_weights_apply_to_the_sidebar():
    at = show(run_app(), "Stakeholders")
    at.radio[0].set_value("Rank order (ROC)").run()
    next(b for b in at.button if b.label == "Use these group weights").click().run()
    assert not at.exception
    # rank-order centroid weight of the first of five groups: (1 + 1/2 + 1/3 + 1/4 + 1/5) / 5
    assert at.slider(key="wg_proximity").value == pytest.approx(45.7, abs=0.1)


def test_robustness_with_uncertain_values():
    at = show(run_app(method="wsm"), "Robustness")
    spread = next(s for s in at.selectbox if s.label == "Uncertainty on values")
    spread.set_value(0.1).run()
    assert not at.exception
    assert any("ranks first in" in m.label for m in at.metric)
    assert any("within ±10% of themselves" in c.value for c in at.caption)
    next(r for r in at.radio if r.label == "Sample weights").set_value("uniform").run()
    assert not at.exception
    assert any("drawn uniformly" in c.value for c in at.caption)


def test_robustness_view_says_what_was_sampled_and_shows_gaia_under_promethee():
    at = show(run_app(method="promethee2"), "Robustness")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "around the current weights" in captions
    plain = captions.replace("\\", "")  # markdown escapes
    assert "a weight of 10% by ±3.0%" in plain  # κ = 100, stated with an example
    assert "flagged `lever` in criteria.yaml" in plain
    assert any("GAIA plane" in m.value for m in at.markdown)
    relation = next(d.value for d in at.dataframe if set(d.value.stack()) <= {"P", "P-", "I", "R"})
    assert relation.shape == (N_SITES, N_SITES)
    assert any("What change of values would make" in m.value for m in at.markdown)


def test_markets_and_headcount_from_the_link_reach_the_cost_page():
    at = show(run_app(m="US:0.7,ASEAN:0.3", hc="1500"), "Cost of operation")
    assert not at.exception
    assert at.multiselect(key="markets").value == ["US", "ASEAN"]
    assert at.number_input(key="headcount").value == 1500
    assert any("1,500 staff" in c.value and "US 70 %" in c.value for c in at.caption)
    assert any("target markets: US 70 %, ASEAN 30 %" in c.value for c in at.caption)
    assert at.query_params["m"] == "ASEAN:0.3,US:0.7"


def test_choosing_a_market_changes_the_link():
    at = run_app()
    at.multiselect(key="markets").set_value(["US", "JP"]).run()
    assert not at.exception
    # the new market starts at an even share (50 of 100 + 50 = one third)
    assert at.query_params["m"] == "JP:0.333333,US:0.666667"
    at.number_input(key="share_JP").set_value(100.0).run()
    assert at.query_params["m"] == "JP:0.5,US:0.5"


def test_the_link_carries_the_selected_site():
    at = run_app(site="US-AZ-NPHX")
    assert not at.exception
    assert at.selectbox(key="site_pick").value == "US-AZ-NPHX"
    assert at.query_params["site"] == "US-AZ-NPHX"
    at.selectbox(key="site_pick").set_value("MX-SON-TEEMA").run()
    assert at.query_params["site"] == "MX-SON-TEEMA"
    bad = run_app(site="<nope>")
    assert not bad.exception
    from siteselect.ranking import evaluate

    assert bad.selectbox(key="site_pick").value == evaluate().ranking.index[0]


def test_an_exclusion_rule_switch_excludes_sites_and_travels_in_the_link():
    at = run_app(sector="semiconductor_fab")
    assert not at.exception
    switch = at.toggle(key="exclusion_semiconductor_fab_water_stress")
    assert switch.value is False  # the fab rule is off by default
    ranked = int(at.metric[0].value)
    assert ranked == N_SITES
    at = switch.set_value(True).run()
    assert not at.exception
    assert int(at.metric[0].value) < ranked
    assert at.query_params["ex"] == "water_stress:1"
    reopened = run_app(sector="semiconductor_fab", ex="water_stress:1")
    assert reopened.toggle(key="exclusion_semiconductor_fab_water_stress").value is True
    assert int(reopened.metric[0].value) == int(at.metric[0].value)


def test_sites_from_a_link_can_be_removed():
    from siteselect.store import ScenarioStore

    csv = b"name,lat,lon,country\nRemovable candidate,13.78,121.06,PHL\n"
    with ScenarioStore() as store:
        ref = store.keep_site_file("removable.csv", csv)
    at = run_app(up=ref)
    assert at.metric[0].value == str(N_SITES + 1)
    captions = [c.value.replace("\\", "") for c in at.sidebar.caption]
    assert any("In use: removable.csv, from the link" in c for c in captions)
    at.button(key="drop_user_sites").click().run()
    assert not at.exception
    assert at.metric[0].value == str(N_SITES)
    assert "up" not in at.query_params
