"""Workspaces, members and read-only sharing: :class:`ScenarioStore`.

Every scenario, upload and audit entry belongs to a workspace (an organisation). A store
bound to a user (:meth:`ScenarioStore.for_user`) acts in one workspace with that user's
role there: viewers read; evaluators also save, import and share; admins also delete and
manage members. A scenario can be shared read-only with another workspace, or by a link
whose token is shown once and stored only as its SHA-256 digest. The checks live here and
in :mod:`siteselect.store.scenarios`, so every caller (app, CLI, API) is held to them.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from siteselect.errors import DataError, SiteSelectError, UnknownNameError
from siteselect.scenario import MAX_ID, FieldChecker, Scenario, now_utc
from siteselect.schema import DEFAULT_WORKSPACE, MEMBERS, ROLES, SHARES, WORKSPACES
from siteselect.store.scenarios import AccessError
from siteselect.store.site_files import SiteFileRecords


class ScenarioStore(SiteFileRecords):
    """Saved scenarios in a SQL database, with versions, an audit trail, workspaces, roles
    and read-only sharing.

    Parameters
    ----------
    url
        A SQLite file path or a SQLAlchemy URL (SQLite or PostgreSQL); default
        ``$SITESELECT_DB``, else ``scenarios.sqlite`` in
        ``platformdirs.user_data_dir("siteselect")``.

    Raises
    ------
    SiteSelectError
        If the database was made by a newer siteselect, or holds tables of the same names
        that siteselect did not create.
    """

    def for_user(self, user: str, workspace: str | None = None) -> ScenarioStore:
        """This store as ``user`` acting in ``workspace`` with their role there.

        Every call of the returned store is confined to that workspace (plus what other
        workspaces shared with it, read-only) and checked against the role: viewers read,
        evaluators also save, import and share, admins also delete and manage members.
        It shares this store's connections (closing either closes both).

        Raises
        ------
        AccessError
            If ``user`` is not a member of ``workspace`` (or, with no workspace given, of
            exactly one workspace).
        """
        user = _identity("user", user)
        roles = self.workspaces_of(user)
        if workspace is None:
            if len(roles) != 1:
                raise AccessError(
                    f"{user!r} is a member of {len(roles)} workspaces"
                    + (f" ({', '.join(sorted(roles))}); choose one" if roles else "")
                )
            workspace = next(iter(roles))
        if workspace not in roles:
            raise AccessError(f"{user!r} is not a member of workspace {workspace!r}")
        bound = copy.copy(self)
        bound.user, bound.workspace, bound.role = user, workspace, roles[workspace]
        return bound

    def workspaces_of(self, user: str) -> dict[str, str]:
        """The workspaces ``user`` belongs to, with their role in each (by workspace name)."""
        with self._reading() as conn:
            rows = conn.execute(
                sa.select(MEMBERS.c.workspace, MEMBERS.c.role)
                .where(MEMBERS.c.user == user)
                .order_by(MEMBERS.c.workspace)
            ).all()
        return {r.workspace: r.role for r in rows}

    def shares(self) -> pd.DataFrame:
        """This workspace's live shares: scenario, with (a workspace, or ``link``),
        created_by, created_at."""
        self._require("viewer", "listing shares")
        with self._reading() as conn:
            rows = conn.execute(
                sa.select(
                    SHARES.c.scenario_name,
                    SHARES.c.target_workspace,
                    SHARES.c.created_by,
                    SHARES.c.created_at,
                )
                .where(SHARES.c.workspace == self.workspace, SHARES.c.revoked_at.is_(None))
                .order_by(SHARES.c.id)
            ).all()
        return pd.DataFrame(
            [(r[0], r[1] if r[1] is not None else "link", r[2], r[3]) for r in rows],
            columns=["scenario", "with", "created_by", "created_at"],
        )

    def share(self, name: str, *, with_workspace: str | None = None) -> str | None:
        """Share this workspace's scenario ``name`` read-only (evaluators and admins).

        With ``with_workspace``, members of that workspace can list, open and export it;
        without, a link token is returned (shown once; only its SHA-256 is stored) that
        opens it read-only through :meth:`open_link`. Audited.
        """
        self._require("evaluator", "sharing a scenario")
        token = None if with_workspace is not None else secrets.token_urlsafe(24)
        at = now_utc()
        with self._writing() as conn:
            live = self._live(conn, name)
            if live is None:
                self._unknown(conn, name)
            if with_workspace is not None:
                if (
                    conn.execute(
                        sa.select(WORKSPACES.c.name).where(WORKSPACES.c.name == with_workspace)
                    ).first()
                    is None
                    or with_workspace == self.workspace
                ):
                    raise UnknownNameError("workspace to share with", with_workspace, [])
                if self._shares_to(conn, name, with_workspace):
                    return None
            conn.execute(
                sa.insert(SHARES).values(
                    workspace=self.workspace,
                    scenario_name=name,
                    target_workspace=with_workspace,
                    token_sha256=None if token is None else _digest(token),
                    created_by=self.user,
                    created_at=at,
                )
            )
            self._audit(
                conn,
                at=at,
                action="share",
                name=name,
                scenario_id=live.id,
                author_role="",
                payload={"with_workspace": with_workspace} if token is None else {"link": True},
            )
        return token

    def _shares_to(self, conn: Connection, name: str, target: str) -> bool:
        query = sa.select(SHARES.c.id).where(
            SHARES.c.workspace == self.workspace,
            SHARES.c.scenario_name == name,
            SHARES.c.target_workspace == target,
            SHARES.c.revoked_at.is_(None),
        )
        return conn.execute(query).first() is not None

    def unshare(self, name: str) -> int:
        """End every share of ``name`` (workspaces and links); how many ended. Audited."""
        self._require("evaluator", "ending a share")
        at = now_utc()
        with self._writing() as conn:
            ended = self._end_shares(conn, name, at)
            live = self._live(conn, name)
            self._audit(
                conn,
                at=at,
                action="unshare",
                name=name,
                scenario_id=None if live is None else live.id,
                author_role="",
                payload={"ended": ended},
            )
        return int(ended)

    def open_link(self, token: str) -> Scenario:
        """The scenario a share link opens, read-only; the opening is audited in the
        owner's workspace.

        Raises
        ------
        AccessError
            For a token that is unknown, revoked or whose scenario was deleted.
        """
        if not isinstance(token, str) or not 8 <= len(token) <= 200:
            raise AccessError("this share link is not valid")
        at = now_utc()
        with self._writing() as conn:
            share = conn.execute(
                sa.select(SHARES).where(
                    SHARES.c.token_sha256 == _digest(token), SHARES.c.revoked_at.is_(None)
                )
            ).first()
            row = None if share is None else self._live(conn, share.scenario_name, share.workspace)
            if share is None or row is None:
                raise AccessError("this share link is not valid or was revoked")
            scenario = self._scenario(conn, row)
            owner = copy.copy(self)
            owner.workspace = share.workspace
            owner._audit(
                conn,
                at=at,
                action="open_link",
                name=row.name,
                scenario_id=row.id,
                author_role="",
                payload={"by_workspace": self.workspace if self.user else ""},
            )
        return scenario

    def create_workspace(self, name: str, *, admin: str) -> None:
        """Create workspace ``name`` with ``admin`` as its first admin (deployment operator
        only: the store that is not bound to a user)."""
        if self.user:
            raise AccessError("only the deployment's operator creates workspaces")
        name, admin = _identity("workspace", name), _identity("user", admin)
        at = now_utc()
        with self._writing() as conn:
            if conn.execute(sa.select(WORKSPACES).where(WORKSPACES.c.name == name)).first():
                raise SiteSelectError(f"workspace {name!r} already exists")
            conn.execute(sa.insert(WORKSPACES).values(name=name, created_at=at, created_by=""))
            conn.execute(
                sa.insert(MEMBERS).values(
                    workspace=name, user=admin, role="admin", added_at=at, added_by=""
                )
            )

    def set_member(self, user: str, role: str | None) -> None:
        """Give ``user`` ``role`` in this workspace, or remove them with ``None`` (admins).

        Raises
        ------
        SiteSelectError
            When the workspace would be left without an admin.
        """
        self._require("admin", "managing members")
        user = _identity("user", user)
        if role is not None and role not in ROLES:
            raise UnknownNameError("role", role, ROLES)
        at = now_utc()
        with self._writing() as conn:
            where = sa.and_(MEMBERS.c.workspace == self.workspace, MEMBERS.c.user == user)
            before = conn.execute(sa.select(MEMBERS.c.role).where(where)).scalar()
            conn.execute(sa.delete(MEMBERS).where(where))
            if role is not None:
                conn.execute(
                    sa.insert(MEMBERS).values(
                        workspace=self.workspace,
                        user=user,
                        role=role,
                        added_at=at,
                        added_by=self.user,
                    )
                )
            admins = conn.execute(
                sa.select(sa.func.count()).where(
                    MEMBERS.c.workspace == self.workspace, MEMBERS.c.role == "admin"
                )
            ).scalar()
            if self.workspace != DEFAULT_WORKSPACE and not admins:
                raise SiteSelectError(f"workspace {self.workspace!r} must keep an admin")
            self._audit(
                conn,
                at=at,
                action="member",
                name="",
                scenario_id=None,
                author_role="",
                payload={"user": user, "role": role, "before": before},
            )

    def members(self) -> pd.DataFrame:
        """This workspace's members: user, role, added_at, added_by."""
        self._require("viewer", "listing members")
        with self._reading() as conn:
            rows = conn.execute(
                sa.select(MEMBERS.c.user, MEMBERS.c.role, MEMBERS.c.added_at, MEMBERS.c.added_by)
                .where(MEMBERS.c.workspace == self.workspace)
                .order_by(MEMBERS.c.user)
            ).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["user", "role", "added_at", "added_by"]
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _identity(kind: str, value: Any) -> str:
    check = FieldChecker(kind)
    text = check.text(kind, value, MAX_ID)
    if check.problems:
        raise DataError(check.problems)
    return text
