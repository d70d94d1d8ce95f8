"""Data & sources: the readable table of sourced figures, its filters, SOURCES.md texts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from siteselect import sources_view as sv
from siteselect.catalog import DATA_DIR, load_catalog
from siteselect.release import load_indicator_meta

RELEASE_DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def frame(catalog):
    return sv.sources_frame(catalog, on=RELEASE_DAY)


def test_every_figure_is_listed_with_labels_names_and_links(catalog, frame):
    assert len(frame) == len(catalog.indicators) + len(catalog.fx)
    meta = load_indicator_meta(DATA_DIR)
    row = frame[frame["indicator_id"] == "corporate_tax_rate"].set_index("scope_id").loc["PHL"]
    assert row["indicator"] == meta["corporate_tax_rate"].label
    assert row["scope"] == "Philippines (PHL)"
    assert row["value"] == "25 %"
    assert row["link"].startswith("https://")
    # regions and sites by name, not only by code
    scopes = set(frame["scope"])
    assert "Calabarzon (PH-40)" in scopes
    site = catalog.sites.index[0]
    assert f"{catalog.sites.at[site, 'name']} ({site})" in scopes or site not in set(
        frame["scope_id"]
    )
    for col in ("year", "as_of", "valid_until", "edition", "source", "why stale"):
        assert not frame[col].isin(["None", "nan", "<NA>", "NaT"]).any(), col
    assert frame["value"].str.contains(r"\de[+-]?\d").sum() == 0


def test_stale_flags_follow_the_day_checked(catalog, frame):
    assert not frame["stale"].any()  # the release is clean on its own date
    later = sv.sources_frame(catalog, on=dt.date(2031, 1, 1))
    stale = later[later["stale"]]
    assert len(stale) > 0
    assert (stale["status"] == "stale").all()
    assert stale["why stale"].str.len().gt(0).all()
    until = later[(later["valid_until"] != "") & (later["valid_until"] < "2031-01-01")]
    assert until["stale"].all()
    assert until["why stale"].str.contains("past its valid_until").all()


def test_accepted_findings_show_their_reason(frame):
    kept = frame[frame["status"] == "kept: documented reason"]
    assert not kept["stale"].any()
    assert kept["why stale"].str.contains("accepted: ").all()


def test_filters_by_country_indicator_and_words(frame):
    mex = sv.filter_sources(frame, countries=["MEX"])
    assert len(mex) > 0
    assert set(mex["country"]) == {"MEX"}
    label = frame["indicator"].iloc[0]
    one = sv.filter_sources(frame, indicators=[label])
    assert set(one["indicator"]) == {label}
    hits = sv.filter_sources(frame, text="world bank WGI")
    assert len(hits) > 0
    assert hits["source"].str.contains("World Bank").all()
    assert sv.filter_sources(frame, text="no-such-word-anywhere").empty
    # the search is literal: regex metacharacters match themselves
    assert sv.filter_sources(frame, text="(").index.isin(frame.index).all()
    assert sv.filter_sources(frame, stale_only=True).empty


def test_the_sources_texts_are_shown_without_images_or_file_links():
    texts = sv.sources_texts()
    assert [t.title for t in texts][:4] == ["Overview", "Philippines", "Mexico", "United States"]
    overview = texts[0].markdown
    assert "### Sources of the bundled data" in overview
    for doc in texts:
        assert "![" not in doc.markdown
        assert not re.search(r"\]\((?!https?://|mailto:)[^)]*\)", doc.markdown), doc.path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("![logo](https://x/y.png)", "logo"),
        ("a ![](http://x) b", "a  b"),
        ("![alt [nested]](x.png)", "alt [nested]"),
        ("![ref][img]\n\n[img]: https://x/y.png", "ref\n\n"),
        ('<img src="https://x/y.png"> text', " text"),
        ("[WB](https://worldbank.org)", "[WB](https://worldbank.org)"),
        ("see [the file](PHL/SOURCES.md)", "see the file"),
    ],
    ids=["inline", "empty-alt", "nested", "reference", "html", "web-link", "file-link"],
)
def test_strip_images(text, expected):
    assert sv.strip_images(text) == expected


@given(st.text(alphabet="![]()<>img :/.axs\n", max_size=80))
def test_no_image_survives_stripping(text):
    out = sv.strip_images(text)
    assert not re.search(r"!\[[^\]]*\]\([^)]*\)", out)
    assert not re.search(r"<\s*img\b", out, re.I)


def test_scope_names_cover_every_scope(catalog):
    names = sv.scope_names(catalog)
    missing = set(catalog.indicators["scope"]) - set(names)
    assert not missing
    assert sv.country_name("MEX") == "Mexico"


def test_cells_frame_reads_in_labels(catalog):
    from siteselect.ranking import evaluate

    ev = evaluate(catalog)
    cells = sv.cells_frame(ev)
    assert len(cells) == len(ev.table.cells)
    assert set(cells["criterion"]) <= {c.label for c in ev.criteria.criteria}
    assert not cells["year"].isin(["None", "nan", "<NA>"]).any()
