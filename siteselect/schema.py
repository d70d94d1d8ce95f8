"""The scenario store's tables, one function per schema version, and the migrations.

Each ``tables_vN`` is frozen once released: a later version adds a migration, never edits
an older one. ``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``; the store
applies them in order, in one transaction, when it opens (:mod:`siteselect.store`).

Version 2 gives every scenario, upload (through its scenario) and audit entry a workspace
(an organisation), records who acted in each audit entry, and adds workspace members with
roles and read-only shares (with another workspace, or by a link whose token is stored only
as a SHA-256 digest), and local accounts (Argon2 hashes) with their sign-in attempts.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from siteselect.errors import SiteSelectError

ACTIONS_V1 = ("save", "update", "delete", "import")
ACTIONS = (*ACTIONS_V1, "share", "unshare", "open_link", "member")
ROLES = ("viewer", "evaluator", "admin")
DEFAULT_WORKSPACE = "default"


def tables_v1(metadata: sa.MetaData) -> None:
    """Schema version 1. Frozen: later versions add migrations, never edit this."""
    sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
    scenarios = sa.Table(
        "scenarios",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sector", sa.Text, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("missing", sa.Text, nullable=False),
        sa.Column("weights", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("elicitation", sa.Text, nullable=False),
        sa.Column("data_version", sa.Text, nullable=False),
        sa.Column("author_role", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("retired_at", sa.Text, nullable=True),
        sa.UniqueConstraint("name", "version", name="uq_scenarios_name_version"),
        sqlite_autoincrement=True,
    )
    live = scenarios.c.retired_at.is_(None)
    sa.Index(
        "uq_scenarios_live_name",
        scenarios.c.name,
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    sa.Table(
        "uploads",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.ForeignKey("scenarios.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("scenario_id", "position", name="uq_uploads_position"),
    )
    sa.Table(
        "audit",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("scenario_name", sa.Text, nullable=False, index=True),
        sa.Column("scenario_id", sa.ForeignKey("scenarios.id"), nullable=True),
        sa.Column("author_role", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.CheckConstraint(
            "action IN ({})".format(", ".join(f"'{a}'" for a in ACTIONS_V1)),
            name="ck_audit_action",
        ),
        sqlite_autoincrement=True,
    )


def _scenarios_v2(metadata: sa.MetaData, name: str = "scenarios") -> sa.Table:
    table = sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sector", sa.Text, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("missing", sa.Text, nullable=False),
        sa.Column("weights", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("elicitation", sa.Text, nullable=False),
        sa.Column("data_version", sa.Text, nullable=False),
        sa.Column("author_role", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("retired_at", sa.Text, nullable=True),
        sa.UniqueConstraint(
            "workspace", "name", "version", name="uq_scenarios_workspace_name_version"
        ),
        sqlite_autoincrement=True,
    )
    live = table.c.retired_at.is_(None)
    sa.Index(
        "uq_scenarios_live_workspace_name",
        table.c.workspace,
        table.c.name,
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    return table


def _audit_v2(metadata: sa.MetaData, name: str = "audit", parent: str = "scenarios") -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("scenario_name", sa.Text, nullable=False),
        sa.Column("scenario_id", sa.ForeignKey(f"{parent}.id"), nullable=True),
        sa.Column("author_role", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.CheckConstraint(
            "action IN ({})".format(", ".join(f"'{a}'" for a in ACTIONS)),
            name="ck_audit_action_v2",
        ),
        sa.Index("ix_audit_workspace_name", "workspace", "scenario_name"),
        sqlite_autoincrement=True,
    )


def _access_tables(metadata: sa.MetaData) -> None:
    sa.Table(
        "workspaces",
        metadata,
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
    )
    sa.Table(
        "members",
        metadata,
        sa.Column("workspace", sa.ForeignKey("workspaces.name"), primary_key=True),
        sa.Column("user", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("added_at", sa.Text, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.CheckConstraint(
            "role IN ({})".format(", ".join(f"'{r}'" for r in ROLES)), name="ck_members_role"
        ),
    )
    sa.Table(
        "shares",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("scenario_name", sa.Text, nullable=False),
        sa.Column("target_workspace", sa.Text, nullable=True),
        sa.Column("token_sha256", sa.Text, nullable=True, unique=True),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text, nullable=True),
        sa.CheckConstraint(
            "(target_workspace IS NULL) <> (token_sha256 IS NULL)", name="ck_shares_one_kind"
        ),
        sa.Index("ix_shares_target", "target_workspace"),
        sqlite_autoincrement=True,
    )


def _account_tables(metadata: sa.MetaData) -> None:
    sa.Table(
        "accounts",
        metadata,
        sa.Column("user", sa.Text, primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("disabled_at", sa.Text, nullable=True),
    )
    sa.Table(
        "signin_attempts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Index("ix_signin_attempts_user_at", "user", "at"),
        sqlite_autoincrement=True,
    )


def tables_v2(metadata: sa.MetaData) -> None:
    """Schema version 2: workspaces, members, shares; workspace and actor on every row."""
    sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
    _scenarios_v2(metadata)
    sa.Table(
        "uploads",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.ForeignKey("scenarios.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("scenario_id", "position", name="uq_uploads_position"),
    )
    _audit_v2(metadata)
    _access_tables(metadata)
    _account_tables(metadata)


def migrate_to_1(conn: Connection) -> None:
    metadata = sa.MetaData()
    tables_v1(metadata)
    clash = [t for t in metadata.tables if sa.inspect(conn).has_table(t)]
    if clash:
        raise SiteSelectError(
            f"the database already has table(s) {', '.join(clash)} that siteselect did not "
            "create; use another database for scenarios"
        )
    metadata.create_all(conn, checkfirst=False)


def _copy(conn: Connection, old: str, new: sa.Table) -> None:
    """Copy the rows of table ``old`` into ``new`` (new columns: workspace ``default``,
    actor empty)."""
    have = {c["name"] for c in sa.inspect(conn).get_columns(old)}
    added = {"workspace": f"'{DEFAULT_WORKSPACE}'", "actor": "''"}
    target = [c.name for c in new.columns if c.name in have or c.name in added]
    source = [added.get(c, f'"{c}"') if c not in have else f'"{c}"' for c in target]
    names = ", ".join(f'"{c}"' for c in target)
    conn.exec_driver_sql(
        f'INSERT INTO "{new.name}" ({names}) SELECT {", ".join(source)} FROM "{old}"'
    )


def _rebuild_sqlite(conn: Connection) -> None:
    """SQLite cannot change a constraint in place: copy scenarios, uploads and audit into
    new tables, drop the old ones (children first), and rename the copies. Renaming the
    new parent rewrites the children's references to it."""
    metadata = sa.MetaData()
    scenarios = _scenarios_v2(metadata, "scenarios__v2")
    uploads = sa.Table(
        "uploads__v2",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.ForeignKey("scenarios__v2.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("scenario_id", "position", name="uq_uploads_position"),
    )
    audit = _audit_v2(metadata, "audit__v2", parent="scenarios__v2")
    metadata.create_all(conn, checkfirst=False)
    for old, new in (("scenarios", scenarios), ("uploads", uploads), ("audit", audit)):
        _copy(conn, old, new)
    for old in ("audit", "uploads", "scenarios"):
        conn.exec_driver_sql(f'DROP TABLE "{old}"')
    for old in ("scenarios", "uploads", "audit"):
        conn.exec_driver_sql(f'ALTER TABLE "{old}__v2" RENAME TO "{old}"')
    conn.exec_driver_sql("CREATE INDEX ix_uploads_scenario_id ON uploads (scenario_id)")


def migrate_to_2(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        _rebuild_sqlite(conn)
    else:
        for statement in (
            f"ALTER TABLE scenarios ADD COLUMN workspace TEXT NOT NULL "
            f"DEFAULT '{DEFAULT_WORKSPACE}'",
            "ALTER TABLE scenarios ALTER COLUMN workspace DROP DEFAULT",
            "ALTER TABLE scenarios DROP CONSTRAINT uq_scenarios_name_version",
            "ALTER TABLE scenarios ADD CONSTRAINT uq_scenarios_workspace_name_version "
            "UNIQUE (workspace, name, version)",
            "DROP INDEX uq_scenarios_live_name",
            "CREATE UNIQUE INDEX uq_scenarios_live_workspace_name ON scenarios "
            "(workspace, name) WHERE retired_at IS NULL",
            f"ALTER TABLE audit ADD COLUMN workspace TEXT NOT NULL DEFAULT '{DEFAULT_WORKSPACE}'",
            "ALTER TABLE audit ALTER COLUMN workspace DROP DEFAULT",
            "ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE audit ALTER COLUMN actor DROP DEFAULT",
            "ALTER TABLE audit DROP CONSTRAINT ck_audit_action",
            "ALTER TABLE audit ADD CONSTRAINT ck_audit_action_v2 CHECK (action IN ({}))".format(
                ", ".join(f"'{a}'" for a in ACTIONS)
            ),
            "DROP INDEX ix_audit_scenario_name",
            "CREATE INDEX ix_audit_workspace_name ON audit (workspace, scenario_name)",
        ):
            conn.exec_driver_sql(statement)
    metadata = sa.MetaData()
    _access_tables(metadata)
    _account_tables(metadata)
    metadata.create_all(conn, checkfirst=False)


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (migrate_to_1, migrate_to_2)
"""``MIGRATIONS[i]`` takes a database from schema version ``i`` to ``i + 1``."""
SCHEMA_VERSION = len(MIGRATIONS)

METADATA = sa.MetaData()
tables_v2(METADATA)  # the current schema
VERSION_TABLE = METADATA.tables["schema_version"]
SCENARIOS = METADATA.tables["scenarios"]
UPLOADS = METADATA.tables["uploads"]
AUDIT = METADATA.tables["audit"]
WORKSPACES = METADATA.tables["workspaces"]
MEMBERS = METADATA.tables["members"]
SHARES = METADATA.tables["shares"]
ACCOUNTS = METADATA.tables["accounts"]
SIGNIN_ATTEMPTS = METADATA.tables["signin_attempts"]
