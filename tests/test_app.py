"""The Streamlit app through AppTest: no browser, real script runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parent.parent / "app.py")
TIMEOUT = 180


def run_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def first_site(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "First")


def test_smoke_every_tab_renders():
    at = run_app()
    assert not at.exception
    assert [t.label for t in at.tabs][:4] == [
        "Map & ranking",
        "Why this rank",
        "Compare sites",
        "Data & sources",
    ]
    assert at.metric[0].value == "16"
    assert len(at.dataframe) >= 4
    assert len(at.get("download_button")) == 4


def test_changing_a_weight_changes_the_ranking_and_the_link():
    at = run_app()
    before = first_site(at)
    at.slider(key="wg_proximity").set_value(1.0).run()
    assert not at.exception
    assert first_site(at) != before
    assert at.query_params["w"] == "proximity:1"


def _sector_fit_values(at: AppTest):
    cells = at.dataframe[-1].value
    return cells[cells["criterion"] == "sector_fit"].set_index("site_id")["value"]


def test_changing_the_sector_changes_sector_fit_values():
    at = run_app()
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
        w="labour_cost:4,proximity:0.6",
    )
    assert not at.exception
    assert at.selectbox(key="sector").value == "ai_servers"
    assert at.selectbox(key="profile").value == "investor"
    assert at.selectbox(key="method").value == "wsm"
    assert at.selectbox(key="missing").value == "mean"
    assert at.slider(key="wc_labour_cost").value == 4.0
    assert at.slider(key="wg_proximity").value == 0.6


def test_bad_link_values_warn_and_fall_back():
    at = run_app(sector="nope", w="labour_cost:-3")
    assert not at.exception
    assert at.selectbox(key="sector").value == "ems"
    assert len(at.warning) == 2


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
    assert any(message in e.value for e in at.error)
    assert at.metric[0].value == "16"


def test_valid_upload_is_ranked_with_the_bundled_sites():
    at = run_app()
    csv = b"name,lat,lon,country\nBatangas candidate,13.78,121.06,PHL\n"
    at.sidebar.file_uploader[0].set_value(("mine.csv", csv, "text/csv")).run()
    assert not at.exception
    assert at.metric[0].value == "17"
