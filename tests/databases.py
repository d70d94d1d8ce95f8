"""The databases the store's tests run against: SQLite files, and PostgreSQL when configured.

``SITESELECT_TEST_POSTGRESQL`` holds a SQLAlchemy URL of a PostgreSQL server on which the
role may create databases (``.ci/start-postgres`` starts one and prints it); every test
gets a new, empty database there, dropped afterwards. Without it the PostgreSQL variants
are skipped, with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_ENV = "SITESELECT_TEST_POSTGRESQL"
BACKENDS = ("sqlite", "postgresql")
TABLES = ("scenarios", "uploads", "audit")


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of ``backend`` as a URL (or a SQLite file path)."""
    if backend == "sqlite":
        yield str(tmp_path / "scenarios.sqlite")
        return
    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(f"no PostgreSQL server configured (set {PG_ENV}; .ci/run starts one)")
    with postgresql_database(server) as url:
        yield url


@contextmanager
def postgresql_database(server: str, prefix: str = "siteselect_test") -> Iterator[str]:
    """A new, empty database named ``prefix_<random>`` on the PostgreSQL ``server`` (a
    SQLAlchemy URL of a role that may create databases), as a URL; dropped afterwards.
    The load benchmark (benchmarks/load.py) makes its databases with it too."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def backend_of(db: str | Path) -> str:
    return "postgresql" if str(db).startswith("postgresql") else "sqlite"


def _url(db: str | Path) -> str:
    return str(db) if backend_of(db) == "postgresql" else f"sqlite:///{db}"


def sql(db: str | Path, *statements: str) -> list[tuple]:
    """Run statements on the database directly (not through the store); rows of the last."""
    engine = sa.create_engine(_url(db), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            results = [conn.exec_driver_sql(s) for s in statements]
            last = results[-1]
            return [tuple(r) for r in last] if last.returns_rows else []
    finally:
        engine.dispose()


def tables(db: str | Path) -> list[str]:
    engine = sa.create_engine(_url(db), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return sorted(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def counts(db: str | Path) -> dict[str, int]:
    return {t: sql(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def integrity(db: str | Path) -> str:
    """SQLite's integrity check; on PostgreSQL, that no row points at a missing scenario."""
    if backend_of(db) == "sqlite":
        return str(sql(db, "PRAGMA integrity_check")[0][0])
    orphans = sql(
        db,
        "SELECT count(*) FROM uploads u LEFT JOIN scenarios s ON s.id = u.scenario_id "
        "WHERE s.id IS NULL",
    )[0][0]
    return "ok" if orphans == 0 else f"{orphans} orphaned uploads"
