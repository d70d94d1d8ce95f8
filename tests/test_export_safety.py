"""Every CSV the command line writes keeps hostile text as text in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from siteselect.cli import main
from siteselect.export import safe_cell, safe_frame

HOSTILE = ['=HYPERLINK("http://x")', "+1+cmd", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", HOSTILE, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_formula_starts_are_prefixed(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Clark " + text) == "Clark " + text
    assert safe_cell(-1.5) == -1.5


def test_safe_frame_covers_cells_and_column_names_and_leaves_numbers():
    frame = pd.DataFrame({"=bad": ["=1+1", "ok"], "score": [-1.0, 2.0]})
    out = safe_frame(frame)
    assert out.columns.tolist() == ["'=bad", "score"]
    assert out["'=bad"].tolist() == ["'=1+1", "ok"]
    pd.testing.assert_series_equal(out["score"], frame["score"])
    assert frame.columns.tolist() == ["=bad", "score"]  # the input is not changed


def test_rank_csv_neutralises_a_hostile_site_name(capsys, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        'name,lat,lon,country\n"=HYPERLINK(""http://x"",""y"")",13.78,121.06,PHL\n',
        encoding="utf-8",
    )
    assert main(["rank", "--format", "csv", "--sites", str(path), "--only-sites"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://x","y")']
    assert 0.0 <= float(rows[0]["score"]) <= 1.0  # numbers stay numbers


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "out-file"])
def test_screen_csv_neutralises_hostile_ids(capsys, tmp_path, to_file):
    path = tmp_path / "grid.csv"
    path.write_text("id,x,y\n=cmd|' /C calc'!A0,1,5\n@b,3,1\nc,2,2\n", encoding="utf-8")
    out = tmp_path / "ranked.csv"
    args = ["screen", str(path), "--objective", "x=max", "--objective", "y=min"]
    args += ["--id-column", "id"]
    args += ["--out", str(out)] if to_file else ["--format", "csv"]
    assert main(args) == 0
    text = out.read_text(encoding="utf-8") if to_file else capsys.readouterr().out
    ids = [r["id"] for r in csv.DictReader(io.StringIO(text))]
    assert ids == ["'@b", "c", "'=cmd|' /C calc'!A0"]
