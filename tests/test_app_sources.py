"""The Data & sources page and the decision-record downloads, through Streamlit's AppTest."""

from __future__ import annotations

from test_app import run_app, show


def test_data_and_sources_shows_a_readable_searchable_table():
    at = show(run_app(), "Data & sources")
    assert not at.exception
    table = at.dataframe[0].value
    assert {"indicator", "scope", "value", "as_of", "source", "link", "status"} <= set(
        table.columns
    )
    assert "Philippines (PHL)" in set(table["scope"])
    total = len(table)
    at.text_input(key="src_text").input("Aqueduct").run()
    assert not at.exception
    found = at.dataframe[0].value
    assert 0 < len(found) < total
    assert found.apply(lambda r: "aqueduct" in " ".join(map(str, r)).lower(), axis=1).all()
    at.multiselect(key="src_country").set_value(["MEX"]).run()
    assert set(at.dataframe[0].value["scope"].str.extract(r"\((\w\w)")[0]) <= {"MX", "ME"}
    # the release's own texts are shown, not a file path
    shown = " ".join(m.value for m in at.markdown)
    assert "Sources of the bundled data" in shown
    assert "![" not in shown


def test_the_scenarios_page_offers_the_record_as_pdf_and_html():
    at = show(run_app(), "Scenarios")
    assert not at.exception
    labels = [d.label for d in at.get("download_button")]
    assert "Decision record (PDF)" in labels
    assert "Decision record (HTML)" in labels
    assert at.text_input(key="record_name") is not None
