"""The 'Screen a region' page through AppTest (real script runs, real screen)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parent.parent / "app.py")
PAGE = "ui/pages/region.py"
METHOD_PREFIX = "topsis"  # the default method's explanation text starts with its name


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    return at.switch_page(PAGE).run()


def test_central_luzon_screen_shows_cells_candidates_and_downloads():
    at = _page()
    assert not at.exception
    assert at.info[0].value.startswith("Choose an area")
    assert at.selectbox(key="rs_region_PHL").value == "PH-03"
    at.number_input(key="rs_cell_km").set_value(10.0).run()
    at.button(key="rs_run").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Cells screened"].replace(",", "")) > 100
    assert metrics["Best listed candidate"] != "none"
    assert 0 <= int(metrics["Top cells beating every candidate"]) <= 20
    top, candidates = (d.value for d in at.dataframe)
    assert len(top) == 20
    assert {"cell_id", "score", "beats_all"} <= set(top.columns)
    assert top["score"].is_monotonic_decreasing
    assert int(metrics["Top cells beating every candidate"]) == int(top["beats_all"].sum())
    assert "Clark Freeport Zone" in set(candidates["name"])
    assert {b.label for b in at.get("download_button")} >= {
        "Top cells (GeoParquet)",
        "Score raster (GeoTIFF)",
    }
    assert at.selectbox(key="rs_explain").value == top["cell_id"].iloc[0]
    assert at.text[0].value.startswith(METHOD_PREFIX)  # the explanation, as plain text


def test_a_grid_above_the_app_limit_is_refused_before_running():
    at = _page()
    at.radio(key="rs_kind").set_value("Country").run()
    at.selectbox(key="rs_country").set_value("USA").run()
    at.number_input(key="rs_cell_km").set_value(1.0).run()
    assert not at.exception
    assert any("more than max_cells=200,000" in w.value.replace("\\", "") for w in at.warning)
    assert at.button(key="rs_run").disabled
