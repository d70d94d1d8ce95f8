"""The scenario store's tables, one function per schema version, and the migrations.

Each ``tables_vN`` is frozen once released: a later version adds a migration, never edits
an older one. ``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``; the store
applies them in order, in one transaction, when it opens (:mod:`siteselect.store`).

Version 2 gives every scenario, upload (through its scenario) and audit entry a workspace
(an organisation), records who acted in each audit entry, and adds workspace members with
roles and read-only shares (with another workspace, or by a link whose token is stored only
as a SHA-256 digest), and local accounts (Argon2 hashes) with their sign-in attempts.
Version 3 keeps the rest of a scenario's decision model (target markets, headcount, an
edited reference project) in a JSON column of its own.
Version 4 keeps the site files users upload outside any scenario, with the values they
entered for those sites, one per workspace and digest, so that a link to a view can name
them (``up=``) and reopen them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from siteselect.errors import SiteSelectError

ACTIONS_V1 = ("save", "update", "delete", "import")
ACTIONS = (*ACTIONS_V1, "share", "unshare", "open_link", "member")
ROLES = ("viewer", "evaluator", "admin")
DEFAULT_WORKSPACE = "default"


def _scenario_columns() -> list[sa.Column[Any]]:
    """The columns of a scenario row in schema versions 1 and 2 (frozen with them)."""
    text = [*("sector", "profile", "method", "missing", "weights", "params", "elicitation")]
    text += ["data_version", "author_role", "comment", "created_at"]
    return [
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        *(sa.Column(c, sa.Text, nullable=False) for c in text),
        sa.Column("retired_at", sa.Text, nullable=True),
    ]


def _uploads(
    metadata: sa.MetaData, name: str = "uploads", parent: str = "scenarios", *, index: bool = True
) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.ForeignKey(f"{parent}.id"), nullable=False, index=index),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("scenario_id", "position", name="uq_uploads_position"),
    )


def tables_v1(metadata: sa.MetaData) -> None:
    """Schema version 1. Frozen: later versions add migrations, never edit this."""
    sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
    scenarios = sa.Table(
        "scenarios",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_scenario_columns(),
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
    _uploads(metadata)
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
        *_scenario_columns(),
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
    _uploads(metadata)
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
    uploads = _uploads(metadata, "uploads__v2", "scenarios__v2", index=False)
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


def tables_v3(metadata: sa.MetaData) -> None:
    """Schema version 3: the scenario's decision model beyond the method (target markets,
    headcount, edited reference project) in its own JSON column ``model``."""
    tables_v2(metadata)
    metadata.tables["scenarios"].append_column(
        sa.Column("model", sa.Text, nullable=False, server_default="{}")
    )


def migrate_to_3(conn: Connection) -> None:
    """Add ``scenarios.model``; move target markets out of ``params`` (where version 2 kept
    them under the reserved key ``markets``) into it."""
    conn.exec_driver_sql("ALTER TABLE scenarios ADD COLUMN model TEXT NOT NULL DEFAULT '{}'")
    table = sa.table("scenarios", sa.column("id"), sa.column("params"), sa.column("model"))
    rows = conn.execute(
        sa.select(table.c.id, table.c.params).where(table.c.params.like('%"markets"%'))
    ).all()
    for ident, text in rows:
        try:
            params = json.loads(text)
        except ValueError:
            continue  # an invalid record stays as it is; loading it reports the problem
        if not isinstance(params, dict) or "markets" not in params:
            continue
        model = {"markets": params.pop("markets")}
        conn.execute(
            sa.update(table)
            .where(table.c.id == ident)
            .values(params=_dumps(params), model=_dumps(model))
        )


def _site_files(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "site_files",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),  # base64, as scenario uploads
        # values the user entered for these sites: JSON [[site, criterion, value, who, when]]
        sa.Column("entries", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.UniqueConstraint("workspace", "sha256", name="uq_site_files_workspace_sha256"),
        sqlite_autoincrement=True,
    )


def tables_v4(metadata: sa.MetaData) -> None:
    """Schema version 4: uploaded site files kept per workspace and content digest."""
    tables_v3(metadata)
    _site_files(metadata)


def migrate_to_4(conn: Connection) -> None:
    metadata = sa.MetaData()
    _site_files(metadata).create(conn, checkfirst=False)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    migrate_to_1,
    migrate_to_2,
    migrate_to_3,
    migrate_to_4,
)
"""``MIGRATIONS[i]`` takes a database from schema version ``i`` to ``i + 1``."""
SCHEMA_VERSION = len(MIGRATIONS)

METADATA = sa.MetaData()
tables_v4(METADATA)  # the current schema
VERSION_TABLE = METADATA.tables["schema_version"]
SCENARIOS = METADATA.tables["scenarios"]
UPLOADS = METADATA.tables["uploads"]
AUDIT = METADATA.tables["audit"]
WORKSPACES = METADATA.tables["workspaces"]
MEMBERS = METADATA.tables["members"]
SHARES = METADATA.tables["shares"]
ACCOUNTS = METADATA.tables["accounts"]
SIGNIN_ATTEMPTS = METADATA.tables["signin_attempts"]
SITE_FILES = METADATA.tables["site_files"]
