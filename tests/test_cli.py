"""The siteselect command line: outputs and every kind of bad input (exit code 2)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from siteselect.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rank_json_is_sorted_and_complete(capsys):
    code, out, _ = run(capsys, "rank", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    for key in ("site_id", "name", "country", "region", "score", "rank"):
        assert key in rows[0]
    ids = {r["site_id"] for r in rows}
    assert {"PH-CLARK-FZ", "MX-SON-TEEMA", "US-AZ-NPHX"} <= ids


def test_rank_options_change_the_result(capsys):
    _, a, _ = run(capsys, "rank", "--format", "json", "--method", "wsm")
    _, b, _ = run(
        capsys,
        "rank",
        "--format",
        "json",
        "--method",
        "wsm",
        "--weight",
        "taiwan_transit=20",
        "--weight",
        "proximity=5",
    )
    first = json.loads(b)[0]["site_id"]
    assert json.loads(a) != json.loads(b)
    assert first.startswith("PH-")


def test_rank_csv_and_table(capsys):
    code, out, err = run(
        capsys,
        "rank",
        "--format",
        "csv",
        "--sector",
        "ai_servers",
        "--profile",
        "government_evaluator",
        "--method",
        "vikor",
        "--param",
        "v=0.3",
    )
    assert code == 0
    assert out.splitlines()[0].startswith("site_id,name,country,region,score,rank")
    code, out, err = run(capsys, "rank")
    assert code == 0
    assert "Clark Freeport Zone" in out
    assert "note:" in err


@pytest.mark.parametrize("command", ["sites", "criteria", "sectors", "profiles"])
def test_listing_commands(capsys, command):
    code, out, _ = run(capsys, command, "--format", "json")
    assert code == 0
    assert len(json.loads(out)) >= 3


def test_user_sites_are_ranked_with_bundled_ones(capsys, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "name,lat,lon,country\nBatangas candidate,13.78,121.06,PHL\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "rank", "--format", "json", "--sites", str(path))
    assert code == 0
    rows = json.loads(out)
    assert any(r["name"] == "Batangas candidate" for r in rows)
    code, out, _ = run(capsys, "rank", "--format", "json", "--sites", str(path), "--only-sites")
    assert [r["name"] for r in json.loads(out)] == ["Batangas candidate"]


BAD = [
    (["--sector", "fabs"], r"unknown sector 'fabs'; valid sectors: .*semiconductor_fab"),
    (["--profile", "banker"], r"unknown profile 'banker'; valid profiles: .*investor"),
    (["--method", "ahp"], r"unknown method 'ahp'; valid methods: .*topsis"),
    (["--weight", "speed=2"], r"unknown criterion or group 'speed'"),
    (["--weight", "logistics=-1"], r"weight of 'logistics' is negative"),
    (["--weight", "logistics=abc"], r"weight of 'logistics' is not a number"),
    (
        [
            *("--weight", "proximity=0", "--weight", "business_climate=0", "--weight", "sector=0"),
            *("--weight", "market_access=0", "--weight", "cost=0"),
        ],
        r"all weights are zero",
    ),
    (["--missing", "guess"], r"unknown missing-value policy 'guess'"),
]


@pytest.mark.parametrize(
    ("args", "message"),
    BAD,
    ids=[
        "sector",
        "profile",
        "method",
        "criterion",
        "negative",
        "non-numeric",
        "all-zero",
        "policy",
    ],
)
def test_bad_options_exit_2_with_a_message(capsys, args, message):
    import re

    code, _, err = run(capsys, "rank", *args)
    assert code == 2
    assert re.search(message, err)
    assert "Traceback" not in err


BAD_FILES = [
    (
        "dup.csv",
        "site_id,name,lat,lon,country\nXX-A,A,10,10,PHL\nXX-A,B,11,11,PHL\n",
        r"dup\.csv, row 3, field 'site_id': duplicate",
    ),
    (
        "range.csv",
        "name,lat,lon,country\nA,10,200,PHL\n",
        r"range\.csv, row 2, field 'lon': longitude 200\.0 outside",
    ),
    (
        "broken.geojson",
        '{"type": "FeatureCollection", "features": [',
        r"broken\.geojson: cannot read",
    ),
]


@pytest.mark.parametrize(("name", "body", "message"), BAD_FILES, ids=["dup", "range", "broken"])
def test_bad_site_files_exit_2(capsys, tmp_path, name, body, message):
    import re

    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    code, _, err = run(capsys, "rank", "--sites", str(path))
    assert code == 2
    assert re.search(message, err), err


def test_file_without_crs_exits_2(capsys, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame({"name": ["A"], "country": ["PHL"]}, geometry=[Point(120, 15)]).to_file(
            path
        )
    code, _, err = run(capsys, "rank", "--sites", str(path))
    assert code == 2
    assert "no coordinate reference system" in err


def test_console_script_runs_as_a_process():
    proc = subprocess.run(
        [sys.executable, "-m", "siteselect", "rank", "--sector", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("siteselect: error: unknown sector 'nope'")
    assert "Traceback" not in proc.stderr


def test_screen_ranks_a_large_file_in_chunks(capsys, tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text("id,x,y\na,1,5\nb,3,1\nc,2,2\n", encoding="utf-8")
    code, out, _ = run(
        capsys,
        "screen",
        str(path),
        "--objective",
        "x=max",
        "--objective",
        "y=min",
        "--id-column",
        "id",
        "--chunksize",
        "1",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["b", "c", "a"]
    code, _, err = run(capsys, "screen", str(path), "--objective", "x=up")
    assert code == 2
    assert "objectives must be 'max' or 'min'" in err


def test_robustness_json(capsys):
    code, out, _ = run(
        capsys,
        "robustness",
        "--format",
        "json",
        "--samples",
        "500",
        "--method",
        "wsm",
        "--order",
        "business_climate>=proximity",
    )
    assert code == 0
    doc = json.loads(out)
    shares = [r["first_rank_acceptability"] for r in doc["acceptability"]]
    assert sum(shares) == pytest.approx(1.0)
    assert doc["weights_to_win"]["exact"] is True
    assert doc["stability_intervals"][0]["low"] <= doc["stability_intervals"][0]["current"]
    assert isinstance(doc["rank_reversal"]["notes"], list)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--target", "NOPE"], r"unknown site 'NOPE'"), (["--order", "proximity"], r"A>=B")],
    ids=["target", "order"],
)
def test_robustness_bad_input_exits_2(capsys, args, message):
    import re

    code, _, err = run(capsys, "robustness", "--samples", "100", *args)
    assert code == 2
    assert re.search(message, err)


# --- explain (methods helper) ----------------------------------------------------------


@pytest.mark.parametrize("method", ["topsis", "vikor", "promethee2", "wpm"])
def test_explain_json_recomputes_the_ranked_score(capsys, method):
    assert main(["rank", "--method", method, "--format", "json"]) == 0
    ranked = {r["site_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert main(["explain", "PH-SUBIC-FZ", "--method", method, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rank"] == ranked["PH-SUBIC-FZ"]["rank"]
    assert doc["score"] == pytest.approx(ranked["PH-SUBIC-FZ"]["score"], abs=1e-9)
    assert doc["reconstructed_score"] == pytest.approx(doc["score"], abs=1e-12)
    assert {c["criterion"] for c in doc["criteria"]} >= {"taiwan_transit", "sector_fit"}


def test_explain_table_by_name_and_unknown_site(capsys):
    assert main(["explain", "Subic Bay Freeport Zone"]) == 0
    out = capsys.readouterr().out
    assert "Recomputed from the terms above" in out
    assert "d- / (d+ + d-)" in out
    assert main(["explain", "Atlantis"]) == 2
    err = capsys.readouterr().err
    assert "unknown site 'Atlantis'; valid sites: " in err
    assert "MX-BCN-TIJ" in err


def test_per_criterion_method_parameters_on_the_command_line(capsys):
    args = ["rank", "--method", "promethee2", "--format", "json"]
    assert main(args) == 0
    base = json.loads(capsys.readouterr().out)
    per = [*args, "--param", "preference.taiwan_transit=usual", "--param", "q.taiwan_transit=0"]
    assert main(per) == 0
    changed = json.loads(capsys.readouterr().out)
    assert [r["score"] for r in changed] != [r["score"] for r in base]
    assert main([*args, "--param", "p.nowhere=2"]) == 2
    assert "'p' names unknown criteria nowhere" in capsys.readouterr().err
    assert main([*args, "--param", "p=1", "--param", "p.taiwan_transit=2"]) == 2
    assert "given both for all and per criterion" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "header", "pairs"),
    [
        ("criteria", "criterion,label,group,objective,unit,derived_as", None),
        ("sectors", "sector,label,relevance", r"[a-z_]+×[0-9.]+"),
        ("profiles", "profile,label,group_weights", r"[a-z_]+=[0-9.]+"),
    ],
    ids=["criteria", "sectors", "profiles"],
)
def test_listing_columns_and_pairs(capsys, command, header, pairs):
    code, out, _ = run(capsys, command, "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == header
    if pairs is not None:
        _, out, _ = run(capsys, command, "--format", "json")
        column = header.rsplit(",", 1)[1]
        for row in json.loads(out):
            assert re.fullmatch(rf"{pairs}(, {pairs})*", row[column]), row
