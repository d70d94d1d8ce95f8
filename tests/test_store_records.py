"""store: every record is validated on import and on load; a bad one never breaks a listing;
a misconfigured database gives a clear error naming SITESELECT_DB."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from siteselect.errors import DataError, SiteSelectError, UnknownNameError
from siteselect.store import (
    DatabaseSettingError,
    Scenario,
    ScenarioStore,
    database_url,
    method_problems,
    scenario_from_json,
    scenario_to_json,
)


def make(name: str = "Base", **changes: object) -> Scenario:
    fields: dict[str, object] = {
        "name": name,
        "sector": "ems",
        "profile": "investor",
        "weights": {"labour_cost": 2.0},
        "method": "vikor",
        "params": {"v": 0.3},
        "missing": "worst",
    }
    fields.update(changes)
    return Scenario(**fields)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "scenarios.sqlite"


@pytest.fixture
def store(db: Path):
    with ScenarioStore(db) as s:
        yield s


def tamper(db: Path, statement: str, *args: object) -> None:
    """Change a stored row behind the store's back (an older release, a hand edit)."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(statement, args)


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("vikor", {"vv": 0.5}, r"field 'params': method 'vikor' takes no parameter\(s\) vv"),
        ("topsis", {"v": 0.5}, r"method 'topsis' takes no parameter\(s\) v; valid parameters"),
        ("magic", {}, r"field 'method': unknown method 'magic'; valid methods: .*topsis"),
    ],
    ids=["unknown-param", "param-of-another-method", "unknown-method"],
)
def test_a_scenario_whose_method_cannot_rank_is_refused(method, params, message):
    with pytest.raises(DataError, match=message):
        make(method=method, params=params)
    document = json.loads(scenario_to_json(make()))
    document["scenario"].update(method=method, params=params)
    with pytest.raises(DataError, match=message.replace("field", r"scenario JSON, field")):
        scenario_from_json(json.dumps(document))


def test_a_parameter_of_the_wrong_type_is_refused_on_import():
    """The issue's example: vikor with v = "abc" imported, then broke every listing."""
    document = json.loads(scenario_to_json(make()))
    document["scenario"]["params"] = {"v": "abc"}
    with pytest.raises(DataError, match=r"field 'params': .*'v'"):
        scenario_from_json(json.dumps(document))


def test_method_problems_are_empty_for_a_valid_method():
    assert method_problems("vikor", {"v": 0.5}) == []
    assert method_problems("wsm", {}) == []


def test_a_bad_stored_record_is_listed_with_its_reason_and_others_still_open(store, db):
    store.save(make("Good"))
    store.save(make("Broken"))
    tamper(db, "UPDATE scenarios SET params = ? WHERE name = 'Broken'", '{"vv": 1}')
    store.save(make("Later"))
    listing = store.list()
    assert listing["name"].tolist() == ["Later", "Broken", "Good"]
    problems = dict(zip(listing["name"], listing["problem"], strict=True))
    assert problems["Good"] == problems["Later"] == ""
    assert "params: method 'vikor' takes no parameter(s) vv" in problems["Broken"]
    with pytest.raises(
        DataError, match=r"stored scenario 'Broken' \(version 1\), field 'params': method"
    ):
        store.load("Broken")
    with pytest.raises(DataError, match=r"stored scenario 'Broken'"):
        store.export_json("Broken")
    assert store.load("Good").params == {"v": 0.3}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("weights", "{not json", r"field 'weights': is not valid JSON in the database"),
        ("weights", '{"tax": -1}', r"field 'weights.tax': must be a finite, non-negative"),
        ("params", '{"v": NaN}', r"field 'params': is not valid JSON in the database"),
        ("name", "bad\x00name", r"field 'name': contains control characters \(U\+0000\)"),
        ("created_at", "yesterday", r"field 'created_at': is not an ISO-8601 time"),
        ("method", "magic", r"field 'method': unknown method 'magic'"),
    ],
    ids=["json", "weight", "nan", "nul", "time", "method"],
)
def test_every_kind_of_bad_stored_field_is_reported_not_raised_raw(
    store, db, column, value, message
):
    store.save(make("Broken"))
    tamper(db, f"UPDATE scenarios SET {column} = ?", value)
    listing = store.list()
    assert len(listing) == 1
    assert listing["problem"].iloc[0] != ""
    with pytest.raises(DataError, match=message):
        store.load(listing["name"].iloc[0])


def test_an_invalid_record_can_be_deleted_and_replaced(store, db):
    store.save(make("Broken"))
    tamper(db, "UPDATE scenarios SET params = ? WHERE name = 'Broken'", '{"vv": 1}')
    replaced = store.save(make("Broken", params={"v": 0.9}), overwrite=True)
    assert store.load("Broken") == replaced
    store.delete("Broken", confirm="Broken")
    assert store.list().empty
    assert store.audit_trail("Broken")["action"].tolist() == ["save", "update", "delete"]


def test_a_read_only_database_names_the_setting(db):
    ScenarioStore(db).close()
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"  # as on a read-only mount
    with pytest.raises(
        DatabaseSettingError, match=r"\(set by SITESELECT_DB\) is read-only; siteselect must"
    ):
        ScenarioStore(read_only).save(make())


def test_a_file_that_is_not_a_database_names_the_setting(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(
        DatabaseSettingError,
        match=r"notes\.sqlite \(set by SITESELECT_DB\) is not a SQLite database file",
    ):
        ScenarioStore(path)
    assert path.read_text(encoding="utf-8").startswith("these are my notes")


def test_a_full_disk_names_the_setting(store, db):
    store.save(make("Before"))
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]

    def no_room(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(store._engine, "connect", no_room)  # the file may not grow: SQLITE_FULL
    store._engine.dispose()
    with pytest.raises(DatabaseSettingError, match=r"\(set by SITESELECT_DB\) is on a full disk"):
        store.save(make("After", comment="x" * 5000, weights={f"w{i}": 1.0 for i in range(500)}))
    assert store.list()["name"].tolist() == ["Before"]


def test_a_folder_as_database_names_the_setting(tmp_path):
    with pytest.raises(DatabaseSettingError, match=r"SITESELECT_DB is a folder"):
        database_url(tmp_path)


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("postgresql://u@h/db", DatabaseSettingError, r"SITESELECT_DB must name the PostgreSQL"),
        (
            "postgresql+psycopg2://u@h/db",
            UnknownNameError,
            r"unknown postgresql driver 'psycopg2'; valid postgresql drivers: psycopg",
        ),
        ("postgresql+psycopg://u@h:x/db", DatabaseSettingError, r"not a valid database URL in"),
        ("://nothing", DatabaseSettingError, r"not a valid database URL in SITESELECT_DB"),
    ],
    ids=["no-driver", "other-driver", "bad-port", "empty-scheme"],
)
def test_bad_database_urls_name_the_setting(url, error, message):
    with pytest.raises(error, match=message):
        database_url(url)


def test_a_missing_driver_names_the_setting(monkeypatch):
    import sqlalchemy.dialects.postgresql.psycopg as dialect

    def missing(cls):
        raise ModuleNotFoundError("No module named 'psycopg'")

    monkeypatch.setattr(dialect.PGDialect_psycopg, "import_dbapi", classmethod(missing))
    with pytest.raises(
        DatabaseSettingError, match=r"SITESELECT_DB asks for postgresql\+psycopg but its driver"
    ):
        database_url("postgresql+psycopg://u@127.0.0.1/db")


def test_an_unreachable_server_names_the_setting(tmp_path):
    socket_dir = tmp_path / "nothing-listens-here"
    socket_dir.mkdir()
    url = f"postgresql+psycopg://nobody@/db?host={socket_dir}&connect_timeout=2"
    with pytest.raises(
        DatabaseSettingError, match=r"\(set by SITESELECT_DB\) does not answer"
    ) as info:
        ScenarioStore(url)
    assert isinstance(info.value, SiteSelectError)
