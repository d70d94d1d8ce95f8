"""The scenario records of a store: save, load, list, delete, audit, export and import.

:class:`ScenarioRecords` holds the connections and the scenario operations of
:class:`siteselect.store.ScenarioStore` (which adds workspaces, members and sharing, in
:mod:`siteselect.store.access`). Nothing is lost:

- every save, update, delete and import is one transaction that writes the scenario row,
  its uploaded files and its audit row together, or nothing;
- a save never overwrites a row: ``overwrite=True`` retires the live version and adds a
  new one, and ``delete`` retires it, so every version stays in ``scenarios`` and every
  change in ``audit``;
- every row is validated again when it is read (:class:`siteselect.scenario.Scenario`), so
  one bad record is reported, never breaks a listing.

Scenario names are user text: stored and compared verbatim (case-sensitive, no Unicode
normalisation), never interpreted.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, NoReturn, Self

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from siteselect.errors import DataError, Problem, SiteSelectError, UnknownNameError
from siteselect.scenario import (
    MODEL_FIELDS,
    Scenario,
    compare,
    now_utc,
    scenario_from_json,
    scenario_to_json,
    strict_json_loads,
    thaw,
)
from siteselect.schema import (
    AUDIT,
    DEFAULT_WORKSPACE,
    MIGRATIONS,
    ROLES,
    SCENARIOS,
    SHARES,
    UPLOADS,
)
from siteselect.store.database import (
    BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    database_problem,
    database_url,
    engine_for,
    migrate,
)

LIST_COLUMNS = ["name", "sector", "profile", "method", "author_role", "created_at", "comment"]
TEXT_COLUMNS: tuple[str, ...] = ("name", "sector", "profile", "method", "missing")
TEXT_COLUMNS += ("data_version", "author_role", "comment")
"""Scenario fields stored as they are, one column each (the rest is JSON text)."""
AUDIT_COLUMNS = ["at", "action", "name", "author_role", "scenario_id", "payload"]


class AccessError(SiteSelectError):
    """A user acts outside their workspace or beyond their role."""


def _dumps(value: Any) -> str:
    return json.dumps(thaw(value), ensure_ascii=False, allow_nan=False, sort_keys=True)


def _model(scenario: Scenario) -> dict[str, Any]:
    """The ``model`` column: the fields of :data:`MODEL_FIELDS` that are set."""
    return {k: getattr(scenario, k) for k in MODEL_FIELDS if getattr(scenario, k)}


def _upload_summary(scenario: Scenario) -> list[dict[str, Any]]:
    return [
        {"filename": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in scenario.uploads()
    ]


class ScenarioRecords:
    """The connections and scenario operations of a store (see
    :class:`siteselect.store.ScenarioStore`, which callers use)."""

    workspace: str = DEFAULT_WORKSPACE
    """The workspace this store acts in (see :meth:`for_user`)."""
    user: str = ""
    """Who acts (recorded in the audit trail); empty for the single-user store."""
    role: str = "admin"
    """The user's role in :attr:`workspace`: viewer, evaluator or admin."""

    def __init__(self, url: str | os.PathLike[str] | None = None) -> None:
        self.url = database_url(url)
        self._engine = engine_for(self.url)
        try:
            self.schema_version = migrate(self._engine, MIGRATIONS)
        except sa.exc.DBAPIError as exc:
            self._engine.dispose()
            problem = database_problem(exc, self.url)
            if problem is None:
                raise
            raise problem from exc
        except BaseException:
            self._engine.dispose()
            raise

    def __repr__(self) -> str:
        where = self.url.render_as_string(hide_password=True)
        if not self.user:
            return f"ScenarioStore({where!r})"
        return f"ScenarioStore({where!r}, user={self.user!r}, workspace={self.workspace!r})"

    def allows(self, role: str) -> bool:
        """Whether this store's user has ``role`` (or a higher one) in its workspace."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def _require(self, role: str, doing: str) -> None:
        if not self.allows(role):
            raise AccessError(
                f"{self.user or 'this user'} is {self.role} in workspace {self.workspace!r}; "
                f"{doing} needs the {role} role"
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def reading(self) -> contextlib.AbstractContextManager[Connection]:
        """A read transaction on the store's database (for siteselect's own modules)."""
        return self._reading()

    def writing(self) -> contextlib.AbstractContextManager[Connection]:
        """A write transaction on the store's database (for siteselect's own modules)."""
        return self._writing()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn, conn.begin():
                yield conn
        except sa.exc.DBAPIError as exc:
            problem = database_problem(exc, self.url)
            if problem is None:
                raise
            raise problem from exc

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
                    self._before_commit()
        except sa.exc.IntegrityError as exc:
            text = str(exc.orig)
            if "uq_scenarios" not in text and "scenarios.name" not in text:
                raise
            raise SiteSelectError(
                "another session saved a scenario of the same name at the same moment; "
                "reload the list and try again"
            ) from exc
        except sa.exc.DBAPIError as exc:
            text = str(exc.orig)
            if isinstance(exc, sa.exc.OperationalError) and ("locked" in text or "busy" in text):
                raise SiteSelectError(
                    f"the scenario database stayed locked by another process for "
                    f"{BUSY_TIMEOUT_MS // 1000} s; try again"
                ) from exc
            problem = database_problem(exc, self.url)
            if problem is None:
                raise
            raise problem from exc

    def _end_shares(self, conn: Connection, name: str, at: str) -> int:
        """End every live share of this workspace's ``name``; how many ended."""
        ended = conn.execute(
            sa.update(SHARES)
            .where(
                SHARES.c.workspace == self.workspace,
                SHARES.c.scenario_name == name,
                SHARES.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return int(ended.rowcount)

    def _before_commit(self) -> None:
        """Runs inside every write transaction, just before it commits (a seam for tests)."""

    def _live(
        self, conn: Connection, name: str, workspace: str | None = None
    ) -> sa.Row[Any] | None:
        query = sa.select(SCENARIOS).where(
            SCENARIOS.c.workspace == (workspace or self.workspace),
            SCENARIOS.c.name == name,
            SCENARIOS.c.retired_at.is_(None),
        )
        return conn.execute(query).first()

    def _unknown(self, conn: Connection, name: str) -> NoReturn:
        names = list(
            conn.execute(
                sa.select(SCENARIOS.c.name).where(
                    SCENARIOS.c.workspace == self.workspace, SCENARIOS.c.retired_at.is_(None)
                )
            ).scalars()
        )
        if len(names) <= 50:
            raise UnknownNameError("scenario", name, names)
        close = difflib.get_close_matches(str(name), names, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise SiteSelectError(f"no saved scenario named {name!r} ({len(names)} saved){hint}")

    def _scenario(self, conn: Connection, row: sa.Row[Any], *, uploads: bool = True) -> Scenario:
        """The stored row as a validated :class:`Scenario` (checked on every load).

        Raises
        ------
        DataError
            Naming the stored scenario and every field that is no longer valid (a record
            written by an older siteselect, or changed in the database by hand).
        """
        files: tuple[tuple[str, str], ...] = ()
        if uploads:
            found = conn.execute(
                sa.select(UPLOADS.c.filename, UPLOADS.c.content)
                .where(UPLOADS.c.scenario_id == row.id)
                .order_by(UPLOADS.c.position)
            ).all()
            files = tuple((u.filename, u.content) for u in found)
        source = f"stored scenario {row.name!r} (version {row.version})"
        decoded: dict[str, Any] = {}
        problems: list[Problem] = []
        for key in ("weights", "params", "elicitation"):
            try:
                decoded[key] = strict_json_loads(getattr(row, key))
            except (TypeError, ValueError, RecursionError):
                problems.append(Problem(source, None, key, "is not valid JSON in the database"))
                decoded[key] = {}
        try:
            model = strict_json_loads(row.model)
        except (TypeError, ValueError, RecursionError):
            problems.append(Problem(source, None, "model", "is not valid JSON in the database"))
            model = {}
        if not isinstance(model, dict):
            problems.append(Problem(source, None, "model", "must be a JSON object"))
            model = {}
        decoded.update({k: model[k] for k in MODEL_FIELDS if k in model})
        problems += [
            Problem(source, None, f"model.{k}", "unexpected field")
            for k in model
            if k not in MODEL_FIELDS
        ]
        try:
            scenario = Scenario(
                **{c: getattr(row, c) for c in TEXT_COLUMNS},
                uploaded_sites=files,
                created_at=row.created_at,
                id=row.id,
                **decoded,
            )
        except DataError as exc:
            problems += [replace(p, file=source) for p in exc.problems]
        if problems:
            raise DataError(problems)
        return scenario

    def _store(
        self, scenario: Scenario, *, overwrite: bool, action: str, created_at: str
    ) -> Scenario:
        if not isinstance(scenario, Scenario):
            raise SiteSelectError(f"expected a Scenario; got {type(scenario).__name__}")
        self._require("evaluator", "saving a scenario")
        at = now_utc()
        with self._writing() as conn:
            live = self._live(conn, scenario.name)
            if live is not None and not overwrite:
                raise SiteSelectError(
                    f"a scenario named {scenario.name!r} already exists; choose another name "
                    "or confirm that it should be replaced (overwrite)"
                )
            latest = conn.execute(
                sa.select(sa.func.max(SCENARIOS.c.version)).where(
                    SCENARIOS.c.workspace == self.workspace, SCENARIOS.c.name == scenario.name
                )
            ).scalar()
            version = int(latest or 0) + 1
            previous: Scenario | None = None
            if live is not None:
                try:
                    previous = self._scenario(conn, live)
                except DataError:
                    previous = None  # an invalid record is replaced whole
            if live is not None:
                conn.execute(
                    sa.update(SCENARIOS).where(SCENARIOS.c.id == live.id).values(retired_at=at)
                )
            inserted = conn.execute(
                sa.insert(SCENARIOS).values(
                    workspace=self.workspace,
                    **{c: getattr(scenario, c) for c in TEXT_COLUMNS},
                    version=version,
                    weights=_dumps(scenario.weights),
                    params=_dumps(scenario.params),
                    model=_dumps(_model(scenario)),
                    elicitation=_dumps(scenario.elicitation),
                    created_at=created_at,
                )
            )
            assert inserted.inserted_primary_key is not None
            new_id = int(inserted.inserted_primary_key[0])
            if scenario.uploaded_sites:
                conn.execute(
                    sa.insert(UPLOADS),
                    [
                        {"scenario_id": new_id, "position": i, "filename": f, "content": c}
                        for i, (f, c) in enumerate(scenario.uploaded_sites)
                    ],
                )
            saved = replace(scenario, id=new_id, created_at=created_at)
            payload: dict[str, Any] = {"version": version}
            if live is not None and previous is None:
                payload["replaced_id"] = live.id
            if previous is None:
                payload["scenario"] = {
                    **saved.to_dict(),
                    "uploaded_sites": _upload_summary(saved),
                }
            else:
                payload["replaced_id"] = previous.id
                payload["changes"] = compare(previous, saved).as_dict()
            self._audit(
                conn,
                at=at,
                action="update" if live is not None and action == "save" else action,
                name=scenario.name,
                scenario_id=new_id,
                author_role=scenario.author_role,
                payload=payload,
            )
        return saved

    def _audit(
        self,
        conn: Connection,
        *,
        at: str,
        action: str,
        name: str,
        scenario_id: int | None,
        author_role: str,
        payload: Mapping[str, Any],
    ) -> None:
        conn.execute(
            sa.insert(AUDIT).values(
                at=at,
                workspace=self.workspace,
                actor=self.user,
                action=action,
                scenario_name=name,
                scenario_id=scenario_id,
                author_role=author_role,
                payload=_dumps(payload),
            )
        )

    def save(self, scenario: Scenario, *, overwrite: bool = False) -> Scenario:
        """Save ``scenario`` in one transaction; return it with ``id`` and ``created_at``.

        Raises
        ------
        SiteSelectError
            If a scenario of that name exists and ``overwrite`` is false. With
            ``overwrite=True`` the old version is kept (retired) and the audit trail
            records what changed.
        """
        return self._store(scenario, overwrite=overwrite, action="save", created_at=now_utc())

    def _shared_with_me(self, conn: Connection, owner: str, name: str) -> bool:
        query = sa.select(SHARES.c.id).where(
            SHARES.c.workspace == owner,
            SHARES.c.scenario_name == name,
            SHARES.c.target_workspace == self.workspace,
            SHARES.c.revoked_at.is_(None),
        )
        return conn.execute(query).first() is not None

    def load(
        self, name: str, *, version: int | None = None, workspace: str | None = None
    ) -> Scenario:
        """The live scenario called ``name`` (or an older ``version`` of it).

        ``workspace`` names another workspace that shared ``name`` with this one
        (read-only); by default, this store's own workspace.

        Raises
        ------
        UnknownNameError
            Listing the saved names (or the closest ones when there are many).
        AccessError
            For another workspace's scenario that is not shared with this workspace (the
            message is the same whether or not it exists).
        """
        with self._reading() as conn:
            if workspace is not None and workspace != self.workspace:
                if not self._shared_with_me(conn, workspace, name):
                    raise AccessError(
                        f"workspace {workspace!r} has shared no scenario named {name!r} "
                        f"with workspace {self.workspace!r}"
                    )
                row = self._live(conn, name, workspace)
                if row is None or version is not None:
                    raise AccessError(
                        f"workspace {workspace!r} shares only the live version of {name!r}"
                        if row is not None
                        else f"the shared scenario {name!r} was deleted by its workspace"
                    )
                return self._scenario(conn, row)
            query = sa.select(SCENARIOS).where(
                SCENARIOS.c.workspace == self.workspace, SCENARIOS.c.name == name
            )
            if version is None:
                query = query.where(SCENARIOS.c.retired_at.is_(None))
            else:
                query = query.where(SCENARIOS.c.version == version)
            row = conn.execute(query).first()
            if row is None:
                if version is not None and self._live(conn, name) is not None:
                    raise SiteSelectError(f"scenario {name!r} has no version {version}")
                self._unknown(conn, name)
            return self._scenario(conn, row)

    def list(self) -> pd.DataFrame:
        """The live scenarios of this workspace, newest first, then those other workspaces
        shared with it: name, sector, profile, method, author_role, created_at, comment,
        ``problem`` (empty for a valid record, else why it cannot be opened: one bad record
        is listed, never breaks the listing), ``workspace`` (the owner) and ``access``
        (``owner`` or ``read-only``)."""
        mine = SCENARIOS.c.workspace == self.workspace
        shared = (
            sa.select(SHARES.c.id)
            .where(
                SHARES.c.workspace == SCENARIOS.c.workspace,
                SHARES.c.scenario_name == SCENARIOS.c.name,
                SHARES.c.target_workspace == self.workspace,
                SHARES.c.revoked_at.is_(None),
            )
            .exists()
        )
        query = (
            sa.select(SCENARIOS)
            .where(SCENARIOS.c.retired_at.is_(None), sa.or_(mine, shared))
            .order_by(
                sa.case((mine, 0), else_=1),
                SCENARIOS.c.created_at.desc(),
                SCENARIOS.c.id.desc(),
            )
        )
        out = []
        with self._reading() as conn:
            for row in conn.execute(query).all():
                try:
                    self._scenario(conn, row, uploads=False)
                    problem = ""
                except DataError as exc:
                    problem = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
                access = "owner" if row.workspace == self.workspace else "read-only"
                out.append(
                    (*(getattr(row, c) for c in LIST_COLUMNS), problem, row.workspace, access)
                )
        return pd.DataFrame(out, columns=[*LIST_COLUMNS, "problem", "workspace", "access"])

    def delete(self, name: str, *, confirm: str, author_role: str = "") -> None:
        """Delete the scenario ``name`` of this workspace (admins only); ``confirm`` must
        repeat the name exactly.

        The rows are kept (retired) and the audit trail records who deleted it; its
        shares end with it.
        """
        self._require("admin", "deleting a scenario")
        if confirm != name:
            raise SiteSelectError(
                f"not deleted: type the scenario's name exactly to confirm ({name!r}); "
                f"got {confirm!r}"
            )
        at = now_utc()
        with self._writing() as conn:
            live = self._live(conn, name)
            if live is None:
                self._unknown(conn, name)
            conn.execute(
                sa.update(SCENARIOS).where(SCENARIOS.c.id == live.id).values(retired_at=at)
            )
            self._end_shares(conn, name, at)
            self._audit(
                conn,
                at=at,
                action="delete",
                name=name,
                scenario_id=live.id,
                author_role=author_role,
                payload={"version": live.version},
            )

    def audit_trail(self, name: str | None = None) -> pd.DataFrame:
        """Every change in this workspace, oldest first: at, action, name, author_role,
        scenario_id, payload (JSON text: the saved scenario, or what changed), actor (who,
        when signed in) and workspace."""
        query = (
            sa.select(
                AUDIT.c.at,
                AUDIT.c.action,
                AUDIT.c.scenario_name,
                AUDIT.c.author_role,
                AUDIT.c.scenario_id,
                AUDIT.c.payload,
                AUDIT.c.actor,
                AUDIT.c.workspace,
            )
            .where(AUDIT.c.workspace == self.workspace)
            .order_by(AUDIT.c.id)
        )
        if name is not None:
            query = query.where(AUDIT.c.scenario_name == name)
        with self._reading() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=[*AUDIT_COLUMNS, "actor", "workspace"]
        )

    def export_json(self, name: str, *, workspace: str | None = None) -> str:
        """The live scenario ``name`` as an exchange document (see :func:`scenario_to_json`);
        ``workspace`` as in :meth:`load`."""
        return scenario_to_json(self.load(name, workspace=workspace))

    def import_json(self, text: str | bytes, *, overwrite: bool = False) -> Scenario:
        """Validate an exchange document completely, then save it (keeping its ``created_at``).

        Nothing is written when the document has any problem or the name is taken and
        ``overwrite`` is false.
        """
        self._require("evaluator", "importing a scenario")
        scenario = scenario_from_json(text)
        return self._store(
            scenario,
            overwrite=overwrite,
            action="import",
            created_at=scenario.created_at or now_utc(),
        )
