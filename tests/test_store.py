"""store: scenarios round-trip, refuse bad input, are audited, survive concurrency and kills."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest
import sqlalchemy as sa
from databases import BACKENDS, backend_of, counts, fresh_database, integrity, sql, tables
from hypothesis import given, settings
from hypothesis import strategies as st
from store_worker import make_scenario

from siteselect.errors import DataError, SiteSelectError, UnknownNameError
from siteselect.ranking import evaluate
from siteselect.store import (
    FORMAT_VERSION,
    MIGRATIONS,
    SCHEMA_VERSION,
    Scenario,
    ScenarioStore,
    compare,
    database_url,
    engine_for,
    migrate,
    scenario_evaluate_kwargs,
    scenario_from_json,
    scenario_to_json,
)

ROOT = Path(__file__).parent.parent
WORKER = Path(__file__).parent / "store_worker.py"


@pytest.fixture(autouse=True)
def _never_the_real_data_dir(tmp_path, monkeypatch):
    """Every test gets its own database file; the user's data folder is never touched."""
    monkeypatch.setenv("SITESELECT_DB", str(tmp_path / "scenarios.sqlite"))

    def refuse(*args, **kwargs):
        raise AssertionError("a test reached platformdirs.user_data_dir")

    monkeypatch.setattr(platformdirs, "user_data_dir", refuse)


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path, monkeypatch) -> Iterator[str]:
    """A new, empty database (a SQLite file, or a PostgreSQL database) set as $SITESELECT_DB."""
    with fresh_database(request.param, tmp_path) as target:
        monkeypatch.setenv("SITESELECT_DB", target)
        yield target


@pytest.fixture
def store(db):
    with ScenarioStore() as s:  # from $SITESELECT_DB
        yield s


def scenario(name="Base case", **changes) -> Scenario:
    base = Scenario(
        name="Base case",
        sector="ems",
        profile="investor",
        weights={"labour_cost": 2.0, "proximity": 0.5},
        method="vikor",
        params={"v": 0.3},
        missing="worst",
        uploaded_sites=(("sites.csv", base64.b64encode(b"site_id,name\nA,Alpha\n").decode()),),
        data_version="abc123",
        author_role="government_evaluator",
        comment="first look\nwith a second line",
        elicitation={
            "aggregation": "AIJ",
            "judgements": {"investor": [["proximity", "tax", 3.0]]},
        },
    )
    return dataclasses.replace(base, name=name, **changes)


def test_save_then_load_gives_the_same_scenario(store):
    saved = store.save(scenario())
    assert saved.id is not None
    assert saved.created_at.endswith("+00:00")
    assert dataclasses.replace(saved, id=None, created_at="") == scenario()
    assert store.load("Base case") == saved
    assert store.load("Base case").uploads() == [("sites.csv", b"site_id,name\nA,Alpha\n")]


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE scenarios;--",
        "  spaced name  ",
        "Ünïcödé 工业园 🚢",
        "<script>alert(1)</script>",
        "${constructor}`\\",
        "x" * 200,
    ],
    ids=["sql", "spaces", "unicode", "html", "template", "longest"],
)
def test_names_are_stored_verbatim(store, name):
    store.save(scenario(name))
    assert store.load(name).name == name
    assert store.list()["name"].tolist() == [name]


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    with ScenarioStore(tmp_path_factory.mktemp("shared") / "s.sqlite") as s:
        yield s


@settings(max_examples=25)
@given(
    name=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40
    ).filter(str.strip),
    comment=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\t"),
        max_size=40,
    ),
    weight=st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_any_text_round_trips(shared_store, name, comment, weight):
    original = scenario(name, comment=comment, weights={"tax": weight})
    saved = shared_store.save(original, overwrite=True)
    assert shared_store.load(name) == saved
    assert scenario_from_json(scenario_to_json(saved)) == dataclasses.replace(saved, id=None)


def test_scenarios_are_frozen_hashable_and_picklable():
    s = scenario()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.weights["tax"] = 1.0  # type: ignore[index]
    assert hash(s) == hash(scenario())
    assert pickle.loads(pickle.dumps(s)) == s
    assert scenario(elicitation={"a": [1, 2]}).elicitation["a"] == (1, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, r"field 'name': must not be empty"),
        ({"name": "x" * 201}, r"field 'name': is 201 characters long; at most 200"),
        ({"name": "bell\a"}, r"field 'name': contains control characters \(U\+0007\)"),
        ({"name": "a\ud800"}, r"field 'name': contains unpaired surrogates"),
        ({"name": 42}, r"field 'name': must be text; got int"),
        ({"weights": {"tax": -1}}, r"field 'weights\.tax': must be a finite, non-negative"),
        ({"weights": {"tax": True}}, r"field 'weights\.tax': must be a number; got True"),
        ({"weights": [1, 2]}, r"field 'weights': must be a mapping; got list"),
        ({"params": {"sector": "x"}}, r"field 'params': uses reserved names sector"),
        ({"params": {"v": float("nan")}}, r"field 'params\.v': must be a finite number"),
        ({"elicitation": {"x": object}}, r"field 'elicitation\.x': must be JSON data"),
        ({"uploaded_sites": (("a.csv", "***"),)}, r"'uploaded_sites\[0\]\.content'.*base64"),
        ({"uploaded_sites": "a.csv"}, r"field 'uploaded_sites': must be a list"),
        ({"created_at": "2025-01-01T00:00:00"}, r"field 'created_at': must give its UTC"),
        ({"comment": "x" * 5001}, r"field 'comment': is 5001 characters long"),
        ({"id": 0}, r"field 'id': must be a positive whole number"),
    ],
    ids=[
        "empty-name",
        "long-name",
        "control",
        "surrogate",
        "not-text",
        "negative-weight",
        "bool-weight",
        "weights-list",
        "reserved-param",
        "nan-param",
        "not-json",
        "bad-base64",
        "uploads-string",
        "naive-time",
        "long-comment",
        "zero-id",
    ],
)
def test_bad_scenarios_name_the_field(changes, message):
    with pytest.raises(DataError, match=message):
        scenario(**changes)


def test_every_problem_is_reported_at_once():
    with pytest.raises(DataError, match=r"3 problems") as info:
        scenario(name="", method="", weights={"tax": -1})
    for field in ("name", "method", "weights.tax"):
        assert f"field '{field}'" in str(info.value)


def test_created_at_is_normalised_to_utc():
    s = scenario(created_at="2025-03-01T10:00:00+02:00")
    assert s.created_at == "2025-03-01T08:00:00.000000+00:00"
    assert scenario(created_at="2025-03-01T08:00:00Z").created_at == s.created_at


def test_duplicate_name_is_refused_and_nothing_changes(store, db):
    store.save(scenario())
    before = counts(db)
    with pytest.raises(SiteSelectError, match=r"a scenario named 'Base case' already exists"):
        store.save(scenario(method="topsis", params={}))
    assert counts(db) == before
    assert store.load("Base case").method == "vikor"


def test_overwrite_keeps_the_old_version_and_audits_the_change(store):
    first = store.save(scenario())
    second = store.save(scenario(method="topsis", params={}, weights={"tax": 1.0}), overwrite=True)
    assert second.id != first.id
    assert store.load("Base case") == second
    assert store.load("Base case", version=1) == first
    assert len(store.list()) == 1
    trail = store.audit_trail("Base case")
    assert trail["action"].tolist() == ["save", "update"]
    changes = json.loads(trail["payload"].iloc[1])["changes"]
    assert changes["settings"]["method"] == ["vikor", "topsis"]
    assert changes["weights"]["tax"] == [None, 1.0]
    assert changes["weights"]["labour_cost"] == [2.0, None]
    with pytest.raises(SiteSelectError, match=r"has no version 7"):
        store.load("Base case", version=7)


def test_delete_needs_the_name_typed_exactly(store, db):
    store.save(scenario())
    for wrong in ("base case", "Base case ", ""):
        with pytest.raises(SiteSelectError, match=r"not deleted: type the scenario's name"):
            store.delete("Base case", confirm=wrong)
    assert len(store.list()) == 1
    store.delete("Base case", confirm="Base case", author_role="investor")
    assert store.list().empty
    with pytest.raises(UnknownNameError, match=r"unknown scenario 'Base case'"):
        store.load("Base case")
    assert store.load("Base case", version=1).name == "Base case"  # kept, retired
    again = store.save(scenario())
    assert store.load("Base case") == again
    trail = store.audit_trail()
    assert trail["action"].tolist() == ["save", "delete", "save"]
    assert trail["author_role"].tolist() == [
        "government_evaluator",
        "investor",
        "government_evaluator",
    ]
    assert integrity(db) == "ok"


def test_unknown_name_lists_names_or_the_closest(store):
    store.save(scenario("Alpha"))
    with pytest.raises(
        UnknownNameError, match=r"unknown scenario 'Alpah'; valid scenarios: Alpha"
    ):
        store.load("Alpah")
    with pytest.raises(UnknownNameError, match=r"unknown scenario"):
        store.delete("Nope", confirm="Nope")
    for i in range(51):
        store.save(scenario(f"Option {i:02d}"))
    with pytest.raises(SiteSelectError, match=r"52 saved\); did you mean 'Option 07'"):
        store.load("option 07")


def test_list_is_newest_first_with_the_listed_columns(store):
    assert store.list().columns.tolist() == [
        "name",
        "sector",
        "profile",
        "method",
        "author_role",
        "created_at",
        "comment",
        "problem",
        "workspace",
        "access",
    ]
    assert store.list().empty
    for name in ("one", "two", "three"):
        store.save(scenario(name))
    listing = store.list()
    assert listing["name"].tolist() == ["three", "two", "one"]
    assert listing["created_at"].is_monotonic_decreasing


def test_audit_trail_records_every_change(store):
    store.save(scenario("a"))
    store.save(scenario("b"))
    store.save(scenario("a", comment="revised"), overwrite=True)
    text = store.export_json("b")
    store.delete("b", confirm="b")
    store.import_json(text)
    trail = store.audit_trail()
    assert trail.columns.tolist() == [
        "at",
        "action",
        "name",
        "author_role",
        "scenario_id",
        "payload",
        "actor",
        "workspace",
    ]
    assert list(zip(trail["action"], trail["name"], strict=True)) == [
        ("save", "a"),
        ("save", "b"),
        ("update", "a"),
        ("delete", "b"),
        ("import", "b"),
    ]
    assert trail["at"].is_monotonic_increasing
    saved = json.loads(trail["payload"].iloc[0])["scenario"]
    assert saved["uploaded_sites"][0]["filename"] == "sites.csv"
    assert len(saved["uploaded_sites"][0]["sha256"]) == 64  # a digest, not the file again
    assert store.audit_trail("a")["action"].tolist() == ["save", "update"]


def test_export_then_import_gives_the_same_scenario(store, tmp_path):
    saved = store.save(scenario())
    text = store.export_json("Base case")
    document = json.loads(text)
    assert document["format"] == "siteselect-scenario"
    assert document["schema_version"] == FORMAT_VERSION
    assert "id" not in document["scenario"]
    with ScenarioStore(tmp_path / "other.sqlite") as other:
        imported = other.import_json(text)
        assert dataclasses.replace(imported, id=None) == dataclasses.replace(saved, id=None)
        assert other.load("Base case") == imported
        assert other.audit_trail()["action"].tolist() == ["import"]
    assert scenario_from_json(text.encode("utf-8")) == dataclasses.replace(saved, id=None)


def test_import_of_an_existing_name_needs_overwrite(store, db):
    store.save(scenario())
    text = scenario_to_json(scenario(method="wsm", params={}))
    before = counts(db)
    with pytest.raises(SiteSelectError, match=r"already exists"):
        store.import_json(text)
    assert counts(db) == before
    assert store.import_json(text, overwrite=True).method == "wsm"


def _document(**changes) -> str:
    body = scenario().to_dict()
    document = {"format": "siteselect-scenario", "schema_version": 1, "scenario": body}
    for key, value in changes.items():
        target, _, field = key.partition("__")
        if target == "top":
            document[field] = value
        elif value is _DROP:
            body.pop(field)
        else:
            body[field] = value
    return json.dumps(document)


_DROP = object()
GOOD = _document()


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("{not json", SiteSelectError, r"not valid JSON: .*\(line 1, column 2\)"),
        ("[1, 2]", SiteSelectError, r"must be an object with format"),
        (_document(top__format="other"), SiteSelectError, r"'format' is 'other'"),
        (
            _document(top__schema_version=2),
            SiteSelectError,
            r"made by a newer siteselect \(schema_version 2\); this one reads up to 1",
        ),
        (_document(top__schema_version="1"), SiteSelectError, r"'schema_version' must be a"),
        (_document(top__extra=1), DataError, r"field 'extra': unexpected field"),
        (_document(body__method=_DROP), DataError, r"field 'method': missing"),
        (_document(body__colour="red"), DataError, r"field 'colour': unexpected field"),
        (_document(body__id=3), DataError, r"field 'id': unexpected field"),
        (_document(body__weights="heavy"), DataError, r"field 'weights': must be a mapping"),
        (_document(body__sector=["ems"]), DataError, r"field 'sector': must be text; got list"),
        (_document(body__name="x" * 201), DataError, r"field 'name': .* at most 200"),
        (
            _document(body__uploaded_sites=[["a.csv", "%%%"]]),
            DataError,
            r"field 'uploaded_sites\[0\]\.content': is not valid base64",
        ),
        (GOOD.replace('"v": 0.3', '"v": NaN'), SiteSelectError, r"NaN is not valid JSON"),
        (
            GOOD.replace('"method": "vikor"', '"method": "vikor", "method": "wsm"'),
            SiteSelectError,
            r"duplicate key\(s\) 'method'",
        ),
        ("[" * 100_000, SiteSelectError, r"not valid"),
        (b"\xff\xfe", SiteSelectError, r"not UTF-8"),
        (
            json.dumps({"format": "siteselect-scenario", "schema_version": 1}),
            DataError,
            r"field 'scenario': must be an object",
        ),
    ],
    ids=[
        "malformed",
        "array",
        "format",
        "newer",
        "version-text",
        "extra-top",
        "missing",
        "extra",
        "id",
        "weights-type",
        "sector-type",
        "long-name",
        "base64",
        "nan",
        "duplicate-key",
        "deep",
        "not-utf8",
        "no-scenario",
    ],
)
def test_bad_imports_change_nothing(store, db, text, error, message):
    store.save(scenario("kept"))
    before = counts(db)
    with pytest.raises(error, match=message):
        store.import_json(text)
    assert counts(db) == before
    assert store.list()["name"].tolist() == ["kept"]


def test_bad_import_lists_every_field():
    text = _document(body__method=_DROP, body__colour="red", body__weights="heavy")
    with pytest.raises(DataError, match=r"3 problems") as info:
        scenario_from_json(text)
    message = str(info.value)
    assert "scenario JSON, field 'method': missing" in message
    assert "field 'colour': unexpected field" in message
    assert "field 'weights': must be a mapping" in message


def test_compare_lists_the_settings_that_differ():
    a = scenario()
    assert not compare(a, dataclasses.replace(a, name="other", comment="other"))
    csv = base64.b64encode(b"x").decode()
    b = dataclasses.replace(
        a,
        sector="semiconductor_fab",
        method="topsis",
        params={},
        missing="mean",
        weights={"labour_cost": 2.0, "tax": 1.0},
        uploaded_sites=(("sites.csv", csv), ("more.geojson", csv)),
        data_version="def456",
        elicitation={},
    )
    diff = compare(a, b)
    assert diff
    assert set(diff.settings) == {"sector", "method", "params", "missing", "data_version"}
    assert dict(diff.weights) == {"proximity": (0.5, None), "tax": (None, 1.0)}
    assert diff.sites_added == ("more.geojson",)
    assert diff.sites_changed == ("sites.csv",)
    assert diff.sites_removed == ()
    assert diff.elicitation_changed
    assert "sector: 'ems' → 'semiconductor_fab'" in diff.lines()
    assert "weight of tax: (not set) → 1" in diff.lines()
    json.dumps(diff.as_dict())


def test_evaluate_kwargs_reproduce_the_scenario(tiny, cset):
    s = scenario(
        weights={"hazard_risk": 0.0},
        method="vikor",
        params={"v": 0.3},
        markets={"US": 0.7, "ASEAN": 0.3},
    )
    kwargs = scenario_evaluate_kwargs(s)
    assert kwargs == {
        "sector": "ems",
        "profile": "investor",
        "weights": {"hazard_risk": 0.0},
        "method": "vikor",
        "missing": "worst",
        "markets": {"US": 0.7, "ASEAN": 0.3},
        "v": 0.3,
    }
    result = evaluate(tiny, cset, **kwargs)
    assert result.method == "vikor"
    assert result.params == {"v": 0.3}
    assert result.weights.effective["hazard_risk"] == 0.0
    assert result.markets == {"US": 0.7, "ASEAN": 0.3}


def test_markets_survive_save_load_and_json(tmp_path):
    s = scenario(markets={"US": 0.7, "ASEAN": 0.3})
    with ScenarioStore(tmp_path / "m.sqlite") as store:
        store.save(s)
        loaded = store.load(s.name)
    assert dict(loaded.markets) == {"US": 0.7, "ASEAN": 0.3}
    assert dict(loaded.params) == dict(s.params)
    assert dict(scenario_from_json(scenario_to_json(s)).markets) == {"US": 0.7, "ASEAN": 0.3}
    assert compare(s, dataclasses.replace(s, markets={"JP": 1.0})).settings["markets"]


def test_bad_market_share_in_a_scenario_names_the_field():
    with pytest.raises(DataError, match=r"markets\.US.*positive share"):
        scenario(markets={"US": -1})


def test_a_failed_save_writes_nothing(db):
    class Failing(ScenarioStore):
        def _before_commit(self):
            raise RuntimeError("disk unplugged")

    with ScenarioStore() as store:
        store.save(scenario("kept"))
    before = counts(db)
    with Failing() as failing, pytest.raises(RuntimeError, match="disk unplugged"):
        failing.save(scenario("lost"))
    assert counts(db) == before


def test_sqlite_settings(store, db):
    if backend_of(db) != "sqlite":
        pytest.skip("SQLite's own settings")
    with store._engine.connect() as conn:
        pragma = {
            p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 30000,
    }
    assert sql(db, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


def test_database_location(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("SITESELECT_DB", str(path))
    with ScenarioStore() as store:
        store.save(scenario())
    assert path.exists()
    url = f"sqlite:///{tmp_path / 'by-url.sqlite'}"
    assert database_url(url).database == str(tmp_path / "by-url.sqlite")
    monkeypatch.delenv("SITESELECT_DB")
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / "data" / app))
    assert database_url().database == str(tmp_path / "data" / "siteselect" / "scenarios.sqlite")
    assert (tmp_path / "data" / "siteselect").is_dir()


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("mysql://u@h/db", UnknownNameError, r"unknown database backend 'mysql'.*postgresql"),
        ("sqlite+nope://:x", SiteSelectError, r"not a valid database URL"),
        ("/no/such/folder/s.sqlite", SiteSelectError, r"folder .* does not exist: /no/such"),
    ],
    ids=["backend", "bad-url", "missing-folder"],
)
def test_bad_database_locations(url, error, message):
    with pytest.raises(error, match=message):
        database_url(url)


def test_upgrade_from_a_version_0_database(db):
    """A hand-built "version 0" file: another tool's table, no siteselect schema yet."""
    sql(
        db,
        "CREATE TABLE notes (text TEXT)",
        "INSERT INTO notes (text) VALUES ('keep me')",
    )
    with ScenarioStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 4
        store.save(scenario())
    with ScenarioStore(db) as store:  # opening again is a no-op
        assert store.load("Base case").name == "Base case"
    assert sql(db, "SELECT text FROM notes") == [("keep me",)]
    assert sql(db, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    assert counts(db) == {"scenarios": 1, "uploads": 1, "audit": 1}


def test_a_failing_migration_leaves_version_0(db):
    def broken(conn):
        raise RuntimeError("migration 2 failed")

    engine = engine_for(database_url(db))
    try:
        with pytest.raises(RuntimeError, match="migration 2 failed"):
            migrate(engine, [*MIGRATIONS, broken])
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_table("scenarios")
            assert not sa.inspect(conn).has_table("schema_version")
    finally:
        engine.dispose()


def test_a_newer_database_is_refused(db):
    sql(
        db,
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION + 1})",
    )
    with pytest.raises(
        SiteSelectError,
        match=rf"made by a newer siteselect \(schema version {SCHEMA_VERSION + 1}\); "
        rf"this one reads up to {SCHEMA_VERSION}",
    ):
        ScenarioStore(db)
    assert tables(db) == ["schema_version"]
    assert sql(db, "SELECT version FROM schema_version") == [(SCHEMA_VERSION + 1,)]


def test_foreign_tables_of_the_same_name_are_not_reused(db):
    sql(db, "CREATE TABLE scenarios (title TEXT)")
    with pytest.raises(SiteSelectError, match=r"already has table\(s\) scenarios"):
        ScenarioStore(db)


@pytest.fixture
def spawn():
    """Start ``tests/store_worker.py`` processes; any still running at teardown is killed."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: object) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if k != "SITESELECT_DB"}
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), *map(str, args)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"{path.name} did not appear"
        time.sleep(0.005)


def test_two_processes_saving_at_once_lose_nothing(db, tmp_path, spawn):
    """4 OS processes × 100 saves into one new database, started together."""
    go = tmp_path / "go"
    prefixes = ("one", "two", "three", "four")
    workers = {prefix: spawn("save", db, prefix, 100, go) for prefix in prefixes}
    for prefix, worker in workers.items():
        _wait_for(tmp_path / f"go.{prefix}.ready", worker)  # both imported, at the barrier
    start = time.perf_counter()
    go.touch()
    outputs = [w.communicate(timeout=120) for w in workers.values()]
    elapsed = time.perf_counter() - start
    spans = []
    for worker, (out, err) in zip(workers.values(), outputs, strict=True):
        assert worker.returncode == 0, err
        assert err == ""
        lines = [line.split() for line in out.splitlines()]
        assert sum(word == "saved" for word, _ in lines) == 100
        spans.append({word: float(value) for word, value in lines if word != "saved"})
    # all were saving at the same time (SQLite lets one writer in at a time; others wait)
    assert max(s["started"] for s in spans) < min(s["finished"] for s in spans)
    assert integrity(db) == "ok"
    assert counts(db) == {"scenarios": 400, "uploads": 400, "audit": 400}
    with ScenarioStore(db) as store:
        assert len(store.list()) == 400
        for name in ("one-000000", "four-000099"):
            loaded = store.load(name)
            assert dataclasses.replace(loaded, id=None, created_at="") == make_scenario(name)
    backend = backend_of(db)
    print(f"\nconcurrency ({backend}): 4 processes x 100 saves -> 400 stored in {elapsed:.2f} s")


def _check_after_kill(db: Path, before: list[Scenario], reported: list[str], prefix: str):
    assert integrity(db) == "ok"
    with ScenarioStore(db) as store:
        for s in before:
            assert store.load(s.name) == s
        names = [n for n in store.list()["name"] if n.startswith(prefix)]
        assert set(reported) <= set(names)  # every save reported as committed is there
        assert len(names) - len(reported) in (0, 1)  # the one in flight: all there or absent
        for name in names:
            loaded = store.load(name)
            assert dataclasses.replace(loaded, id=None, created_at="") == make_scenario(name)
        trail = store.audit_trail()
    assert len(trail) == len(before) + len(names)  # one audit row per stored save
    counted = counts(db)
    assert counted["scenarios"] == counted["uploads"] == counted["audit"]
    return names


@pytest.fixture
def committed(db):
    with ScenarioStore(db) as store:
        return [store.save(make_scenario(f"before-{i}")) for i in range(5)]


def test_kill_inside_the_transaction_leaves_the_save_absent(db, tmp_path, committed, spawn):
    ready = tmp_path / "ready"
    worker = spawn("hold", db, "held-1", ready)
    _wait_for(ready, worker)  # every row of the save is written; the commit has not happened
    with ScenarioStore(db) as reader:  # WAL: readers are not blocked by the open write
        assert "held-1" not in reader.list()["name"].tolist()
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    names = _check_after_kill(db, committed, [], "held")
    assert names == []  # written but never committed: absent


def test_kill_during_a_save_loop_keeps_every_commit(db, committed, spawn):
    worker = spawn("loop", db, "loop")
    reported = []
    assert worker.stdout is not None
    while len(reported) < 40:
        line = worker.stdout.readline()
        assert line, worker.communicate()[1]
        reported.append(line.split()[1])
    time.sleep(0.013)
    worker.send_signal(signal.SIGKILL)
    out, _ = worker.communicate(timeout=30)
    reported += [line.split()[1] for line in out.splitlines()]
    assert worker.returncode == -signal.SIGKILL
    names = _check_after_kill(db, committed, reported, "loop")
    print(
        f"\nkill test ({backend_of(db)}): {len(reported)} saves reported, "
        f"{len(names)} stored, integrity ok"
    )


def test_a_same_name_race_is_reported_clearly(db):
    """On a server database two sessions can both find a name free; the index decides."""

    class Blind(ScenarioStore):
        def _live(self, conn, name):
            return None  # as if another session had not committed yet when we looked

    with ScenarioStore() as store:
        store.save(scenario())
    before = counts(db)
    with Blind() as blind, pytest.raises(SiteSelectError, match=r"at the same moment"):
        blind.save(scenario())
    assert counts(db) == before
