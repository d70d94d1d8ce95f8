"""The decision record: content in words and labels, human numbers, escaping, the PDF."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siteselect import record
from siteselect.cli import main
from siteselect.errors import SiteSelectError
from siteselect.ranking import evaluate
from siteselect.record import content as rc
from siteselect.record.formatting import number, with_unit
from siteselect.record.html import record_html
from siteselect.store import Scenario, ScenarioStore

E_NOTATION = re.compile(r"\d[eE][+-]?\d")
RAW_MISSING = re.compile(r"<NA>|\bNone\b|\bnan\b|\bNaN\b|\bNaT\b")
HOSTILE_NAME = "Plan <script>alert(1)</script> *bold* [x](http://evil)"
HOSTILE_COMMENT = "Chosen by the board.\n<img src=x onerror=alert(2)> # not a heading"


@pytest.fixture(scope="module")
def tiny_eval(tiny, cset):
    return evaluate(tiny, cset, sector="ems", profile="investor", method="wsm")


@pytest.fixture(scope="module")
def tiny_content(tiny_eval):
    return record.build_content(tiny_eval, scenario_name="Tiny", author="Investor")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def _tags(doc: str) -> _Tags:
    parser = _Tags()
    parser.feed(doc)
    return parser


def test_the_summary_speaks_in_labels_and_shares(tiny_eval, tiny_content, cset):
    c = tiny_content
    facts = dict(c.facts)
    assert facts["Scenario"] == "Tiny"
    assert facts["Sector"] == cset.sector("ems").label
    assert facts["Stakeholder profile"] == cset.profile("investor").label
    # weights: one row per group, shares in %, criteria by label, summing to 100 %
    assert [r[0] for r in c.weights.rows] == [g.label for g in cset.groups]
    shares = [float(r[1].rstrip(" %")) for r in c.weights.rows]
    assert sum(shares) == pytest.approx(100.0, abs=0.3)
    assert all(lab.label in " ".join(r[2] for r in c.weights.rows) for lab in cset.criteria)
    assert "taiwan_transit" not in " ".join(r[2] for r in c.weights.rows)
    # top sites: the ranking's first, with a rank and a reason
    first = tiny_eval.ranking.sort_values("rank").iloc[0]
    assert c.top_sites.rows[0][:2] == ("1", first["name"])
    assert all(row[0] and row[4] for row in c.top_sites.rows)
    assert "ranks" not in c.question
    assert cset.sector("ems").label in c.question


def test_the_full_ranking_has_every_rank_and_group_labels(tiny_eval, tiny_content, cset):
    table = tiny_content.ranking
    assert [r[0] for r in table.rows] == [str(i) for i in range(1, len(tiny_eval.ranking) + 1)]
    assert {g.label for g in cset.groups} <= set(table.columns)
    assert not any(col.startswith("subscore_") for col in table.columns)


def test_used_weights_drop_criteria_left_out(tiny, cset):
    ev = evaluate(
        tiny, cset, sector="ems", profile="investor", method="wsm", missing="drop_criterion"
    )
    used = rc.used_weights(ev)
    assert used.sum() == pytest.approx(1.0)
    assert set(used.index) == set(ev.policy.matrix.columns)
    if ev.policy.dropped_criteria:
        text = " ".join(r[2] for r in rc.weights_table(ev).rows)
        label = cset.criterion(ev.policy.dropped_criteria[0]).label
        assert f"{label} left out" in text


def test_the_ahp_panel_is_a_table_not_json(tiny_eval):
    panel = {
        "method": "ahp_panel",
        "version": 1,
        "stakeholders": [
            {
                "name": "Ana <b>",
                "role": "investor",
                "profile": "investor",
                "cr": 0.04,
                "group_priorities": {"cost": 0.5, "proximity": 0.3, "sector": 0.2},
            },
            {
                "name": "Ben",
                "role": "government",
                "profile": "government",
                "cr": 0.18,
                "group_priorities": {"cost": 0.2, "proximity": 0.6, "sector": 0.2},
            },
        ],
        "influence": [0.5, 0.5],
        "aggregation": "weighted geometric mean of the judgements",
        "consensus": 0.82,
    }
    lines, table = rc.elicitation_text(tiny_eval, panel, {"cost": 0.4})
    assert table is not None
    assert [r[0] for r in table.rows] == ["Ana <b>", "Ben"]
    assert table.rows[0][3].startswith("Cost of operation 50 %")
    assert [r[5] for r in table.rows] == ["yes", "no"]  # CR ≤ 0.10
    text = " ".join(lines)
    assert "AHP panel of 2 stakeholder(s)" in text
    assert "{" not in text
    assert "Cost of operation 0.4" in text


def test_numbers_read_as_people_write_them():
    assert with_unit(13650.2, "km") == "13,650 km"
    assert with_unit(float("nan"), "km") == "—"
    assert number(1.365e4) == "13,650"


@given(st.floats(allow_nan=True, allow_infinity=True, width=64))
def test_no_number_is_printed_in_e_notation(value):
    text = number(value)
    assert not E_NOTATION.search(text)
    assert RAW_MISSING.search(text) is None
    if text != "—" and abs(value) >= 1e-12:
        assert float(text.replace(",", "")) == pytest.approx(value, rel=6e-3, abs=1e-12)


@settings(max_examples=40)
@given(
    name=st.text(max_size=60),
    comment=st.text(max_size=500),
    author=st.text(max_size=30),
)
def test_user_text_stays_text_in_the_html(tiny_content, name, comment, author):
    def doc(n: str, c: str, a: str) -> str:
        facts = (("Scenario", n), ("Author", a), *tiny_content.facts[2:])
        return record_html(dataclasses.replace(tiny_content, comment=c, facts=facts))

    hostile = _tags(doc(name, comment, author))
    placeholder = _tags(doc("N", "C" * len(comment), "A"))
    assert hostile.tags == placeholder.tags  # the user's text adds no element
    text = "".join(hostile.text)
    assert name in text
    assert author in text
    assert comment in text


def test_the_html_record_is_self_contained_with_a_map(tiny_eval, tiny):
    doc = record.render_record(
        tiny_eval, tiny.sites, fmt="html", scenario_name=HOSTILE_NAME, comment=HOSTILE_COMMENT
    ).decode("utf-8")
    assert "<script>alert(1)</script>" not in doc
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "<img src=x" not in doc
    assert "src='data:image/png;base64," in doc
    assert not re.search(r"src=['\"]https?:", doc)
    assert "<iframe" not in doc
    body = "".join(_tags(doc).text)
    assert not E_NOTATION.search(body), E_NOTATION.search(body)
    assert not RAW_MISSING.search(body), RAW_MISSING.search(body)


def test_an_unknown_format_is_refused(tiny_eval, tiny):
    with pytest.raises(SiteSelectError, match="unknown record format 'docx'"):
        record.render_record(tiny_eval, tiny.sites, fmt="docx")


# --- the PDF, made once by the CLI from a saved scenario, with a planted stale notice ---


@pytest.fixture(scope="module")
def pdf_record(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("record") / "record.pdf"
    with ScenarioStore() as store:
        store.save(
            Scenario(
                HOSTILE_NAME,
                "ems",
                "investor",
                {"cost": 0.4},
                "topsis",
                {},
                "worst",
                author_role="Government evaluator",
                comment=HOSTILE_COMMENT,
            ),
            overwrite=True,
        )
    # 2031: figures past their validity by then, so the stale-data notice must show
    code = main(
        [
            "record",
            "--scenario",
            HOSTILE_NAME,
            "--format",
            "pdf",
            "--out",
            str(out),
            "--as-of",
            "2031-01-01",
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def pdf_pages(pdf_record) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(pdf_record).pages]


def _flat(text: str) -> str:
    """Text without any whitespace (a PDF breaks lines wherever the layout wraps)."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_opens_with_a_summary_page_then_annexes(pdf_pages, cset):
    assert 3 <= len(pdf_pages) <= 80
    first = _flat(pdf_pages[0])
    assert _flat(HOSTILE_NAME) in first  # escaped, so shown literally
    assert _flat("Government evaluator") in first
    assert _flat(cset.sector("ems").label) in first
    assert _flat("Data notice.") in first
    assert "stale" in first
    for heading in ("The question", "Top sites", "Robustness", "Weights", "Caveats"):
        assert _flat(heading) in first
    assert _flat("Annex 1") not in first
    assert _flat(f"page 1 of {len(pdf_pages)}") in first
    assert _flat("Annex 1. Map") in _flat(pdf_pages[1])


def test_the_pdf_names_the_leader_on_page_one(pdf_pages):
    with ScenarioStore() as store:
        scenario = store.load(HOSTILE_NAME)
    ev, _, _ = record.evaluate_scenario(scenario)
    leader = ev.ranking.sort_values("rank").iloc[0]["name"]
    assert _flat(leader) in _flat(pdf_pages[0])


def test_the_pdf_has_no_raw_missing_values_or_e_notation(pdf_pages):
    for i, text in enumerate(pdf_pages, start=1):
        assert not RAW_MISSING.search(text), (i, RAW_MISSING.search(text))
        assert not E_NOTATION.search(text), (i, E_NOTATION.search(text))


def test_the_pdf_carries_the_comment_as_text(pdf_pages):
    first = _flat(pdf_pages[0])
    assert _flat("<img src=x onerror=alert(2)>") in first


def test_a_missing_scenario_is_a_clear_cli_error(tmp_path, capsys):
    code = main(["record", "--scenario", "no such plan", "--out", str(tmp_path / "x.html")])
    assert code == 2
    assert "no such plan" in capsys.readouterr().err


def test_provenance_cites_shared_inputs_once(tiny_eval):
    sources, refs = rc.sources_table(tiny_eval)
    table, shared = rc.provenance_tables(tiny_eval, refs)
    used = tiny_eval.policy.matrix
    assert len(table.rows) == used.shape[0] * used.shape[1]
    keys = {r[0] for r in sources.rows}
    for row in table.rows:
        ref = row[3].split(" ", 1)[0]
        assert row[3] == "—" or ref in keys or not ref.startswith("S")
    if shared is not None:
        for key, part in shared.rows:
            assert sum(key in r[6] for r in table.rows) >= 3
            assert all(part not in r[6] for r in table.rows)


def test_split_parts_keeps_parentheses_together():
    assert rc.split_parts("a (x; y); b; c [1; 2]") == ["a (x; y)", "b", "c [1; 2]"]
    assert rc.shared_inputs(["x; " + "p" * 60] * 3) == {"p" * 60: "N1"}
    assert rc.shared_inputs(["x; " + "p" * 60] * 2) == {}


def test_cost_annex_is_in_usd_millions(tiny_eval):
    note, table = rc.cost_table(tiny_eval)
    if table is None:
        pytest.skip("the tiny catalogue has no cost of operation")
    cells = [v for row in table.rows for v in row[2:]]
    assert all(v == "—" or v.startswith("USD ") for v in cells)
    assert "staff" in note


def test_robustness_verdict_says_what_was_run(tiny_eval):
    verdict = rc.robustness_verdict(tiny_eval)
    assert "stability intervals" in verdict.ran
    assert verdict.headline.startswith("First place is")
    smaa = pd.DataFrame(
        {1: [0.9] + [0.1 / (len(tiny_eval.ranking) - 1)] * (len(tiny_eval.ranking) - 1)},
        index=tiny_eval.ranking.sort_values("rank").index,
    )
    with_smaa = rc.robustness_verdict(tiny_eval, acceptability=smaa)
    assert "SMAA" in with_smaa.ran
    assert "ranks first in 90 % of the sampled weightings" in with_smaa.headline
