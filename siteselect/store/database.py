"""Where the scenario store lives: the database URL, the engine and schema migrations.

``SITESELECT_DB`` holds a SQLite file path or a SQLAlchemy URL (SQLite or PostgreSQL with
the psycopg driver); a misconfigured setting gives a :class:`DatabaseSettingError` naming
it. SQLite runs in WAL mode with ``synchronous=FULL`` (each commit is fsynced, so a
committed save survives a power cut, not only a crash), ``busy_timeout`` (concurrent
writers wait instead of failing) and foreign keys on; writes begin with ``BEGIN IMMEDIATE``
so two processes never deadlock on a lock upgrade. The schema is versioned (table
``schema_version``); :func:`migrate` applies :data:`siteselect.schema.MIGRATIONS` in order,
in one transaction, when a store opens.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.schema import VERSION_TABLE

DB_ENV = "SITESELECT_DB"
BUSY_TIMEOUT_MS = 30_000
MIGRATION_LOCK = 0x5172_5E1E
"""PostgreSQL advisory-lock key held while a store migrates its schema."""
BACKENDS = ("sqlite", "postgresql")
WRITE_OPTION = "siteselect_write"
"""Execution option of a connection whose transaction writes (``BEGIN IMMEDIATE`` on SQLite)."""


class DatabaseSettingError(SiteSelectError):
    """The scenario database (``SITESELECT_DB``) cannot be used as configured."""


def _setting(where: str) -> str:
    return f"{where} (set by {DB_ENV})"


def database_problem(exc: BaseException, url: sa.URL) -> DatabaseSettingError | None:
    """A clear error for a database that is misconfigured, or ``None`` for other failures."""
    where = _setting(url.render_as_string(hide_password=True))
    text = str(getattr(exc, "orig", None) or exc).lower()
    reasons = (
        (("readonly", "read-only", "read only"), "is read-only; siteselect must write to it"),
        (("disk is full", "no space left", "disk full"), "is on a full disk; free some space"),
        (("not a database", "file is encrypted"), "is not a SQLite database file"),
        (("unable to open database",), "cannot be opened (check the path and permissions)"),
        (
            (
                "connection refused",
                "could not connect",
                "connection failed",
                "connection is bad",
                "is the server running",
                "connection timeout",
                "could not translate host name",
            ),
            "does not answer: no database server is reachable there",
        ),
        (("password authentication", "authentication failed"), "refused the credentials"),
        (("does not exist",), "names a database or role that does not exist on the server"),
        (("permission denied",), "denies access to this user"),
    )
    for needles, reason in reasons:
        if any(n in text for n in needles):
            return DatabaseSettingError(f"the scenario database {where} {reason}")
    return None


def database_url(url: str | os.PathLike[str] | None = None) -> sa.URL:
    """The database to use: ``url``, else ``$SITESELECT_DB``, else the user's data folder.

    A value containing ``://`` is a SQLAlchemy URL; anything else is a SQLite file path.
    """
    raw = url if url is not None else (os.environ.get(DB_ENV) or None)
    if raw is None:
        folder = Path(platformdirs.user_data_dir("siteselect"))
        folder.mkdir(parents=True, exist_ok=True)
        return sa.URL.create("sqlite", database=str(folder / "scenarios.sqlite"))
    text = os.fspath(raw)
    if "://" in text:
        try:
            parsed = sa.make_url(text)
        except (sa.exc.ArgumentError, ValueError):
            raise DatabaseSettingError(
                f"not a valid database URL in {DB_ENV} (expected e.g. "
                "postgresql+psycopg://user@host/db or a file path)"
            ) from None
        if parsed.get_backend_name() not in BACKENDS:
            raise UnknownNameError("database backend", parsed.get_backend_name(), BACKENDS)
        _check_driver(parsed)
        return parsed
    path = Path(text).expanduser()
    if not path.parent.is_dir():
        raise DatabaseSettingError(
            f"folder for the scenario database ({DB_ENV}) does not exist: {path.parent}"
        )
    if path.is_dir():
        raise DatabaseSettingError(
            f"the scenario database path in {DB_ENV} is a folder, not a file: {path}"
        )
    return sa.URL.create("sqlite", database=str(path.resolve()))


DRIVERS = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}
"""The SQLAlchemy drivers siteselect supports per backend (psycopg is version 3)."""


def _check_driver(url: sa.URL) -> None:
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend == "postgresql" and "+" not in url.drivername:
        raise DatabaseSettingError(
            f"{DB_ENV} must name the PostgreSQL driver: postgresql+psycopg://... "
            f"(got {url.drivername}://...)"
        )
    if driver not in DRIVERS[backend]:
        raise UnknownNameError(f"{backend} driver", driver, DRIVERS[backend])
    try:
        url.get_dialect().import_dbapi()
    except ImportError:
        raise DatabaseSettingError(
            f"{DB_ENV} asks for {url.drivername} but its driver is not installed "
            "(install siteselect with its pinned dependencies: psycopg)"
        ) from None


def _use_wal(cursor: Any) -> None:
    """Switch a SQLite file to WAL (it stays so); retry while another process holds a lock.

    SQLite answers "database is locked" at once, without its busy handler, when two
    processes open a new file together and both try to change the journal mode.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def engine_for(url: sa.URL) -> Engine:
    """A SQLAlchemy engine for ``url`` (on SQLite: WAL, full sync, busy timeout, foreign keys)."""
    engine = sa.create_engine(url)
    if url.get_backend_name() != "sqlite":
        return engine
    in_memory = url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below); pysqlite's own transaction handling is off
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not in_memory:
            _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _schema_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.select(sa.func.max(VERSION_TABLE.c.version))).scalar()
    return int(value or 0)


def _check_version(found: int, readable: int) -> None:
    if found > readable:
        raise SiteSelectError(
            f"the scenario database was made by a newer siteselect (schema version {found}); "
            f"this one reads up to {readable}"
        )


def migrate(engine: Engine, migrations: Sequence[Callable[[Connection], None]]) -> int:
    """Bring the database to ``len(migrations)``, all steps in one transaction."""
    target = len(migrations)
    with engine.connect() as conn, conn.begin():
        found = _schema_version(conn)
    _check_version(found, target)
    if found == target:
        return found
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # SQLite's BEGIN IMMEDIATE serialises migrations; on a server, a lock
                # held until this transaction ends does (two replicas starting together)
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            found = _schema_version(conn)  # again, now that we hold the write lock
            _check_version(found, target)
            for step in migrations[found:]:
                step(conn)
            conn.execute(sa.delete(VERSION_TABLE))
            conn.execute(sa.insert(VERSION_TABLE).values(version=target))
    return target
