"""Saved scenarios: a user's settings, uploaded sites and elicitation, kept to reopen the same.

A :class:`Scenario` is a frozen record validated when it is built. A
:class:`ScenarioStore` keeps scenarios with SQLAlchemy Core in SQLite (one file in the
user's data directory) or in PostgreSQL, chosen by the ``SITESELECT_DB`` environment
variable (a file path or a SQLAlchemy URL such as ``postgresql+psycopg://host/db``).

Nothing is lost:

- every save, update, delete and import is one transaction that writes the scenario row,
  its uploaded files and its audit row together, or nothing;
- a save never overwrites a row: ``overwrite=True`` retires the live version and adds a
  new one, and ``delete`` retires it, so every version stays in ``scenarios`` and every
  change in ``audit``;
- SQLite runs in WAL mode with ``synchronous=FULL`` (each commit is fsynced, so a
  committed save survives a power cut, not only a crash; NORMAL could lose the last
  commits), ``busy_timeout`` (concurrent writers wait instead of failing) and foreign
  keys on; writes begin with ``BEGIN IMMEDIATE`` so two processes never deadlock on a
  lock upgrade.

The schema is versioned (table ``schema_version``); :data:`MIGRATIONS` are applied in
order when a store opens, all in one transaction. Scenario names are user text: stored
and compared verbatim (case-sensitive, no Unicode normalisation), never interpreted; only
control characters, unpaired surrogates and over-long names are refused.

>>> store = ScenarioStore("sqlite://")  # in memory, for the example
>>> saved = store.save(
...     Scenario("Base case", "ems", "investor", {"labour_cost": 2.0}, "topsis", {}, "worst")
... )
>>> store.load("Base case") == saved
True
>>> store.close()
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import difflib
import hashlib
import json
import math
import os
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from siteselect import schema
from siteselect.errors import DataError, Problem, SiteSelectError, UnknownNameError
from siteselect.schema import (
    AUDIT,
    DEFAULT_WORKSPACE,
    MEMBERS,
    ROLES,
    SCENARIOS,
    SHARES,
    UPLOADS,
    VERSION_TABLE,
    WORKSPACES,
)

MIGRATIONS = schema.MIGRATIONS
SCHEMA_VERSION = schema.SCHEMA_VERSION
DB_ENV = "SITESELECT_DB"
FORMAT = "siteselect-scenario"
FORMAT_VERSION = 1
"""Version of the JSON exchange format (``schema_version`` in an exported document)."""

BUSY_TIMEOUT_MS = 30_000
MIGRATION_LOCK = 0x5172_5E1E
"""PostgreSQL advisory-lock key held while a store migrates its schema."""
MAX_NAME = 200
MAX_ID = 100
MAX_COMMENT = 5_000
MAX_FILENAME = 255
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # decoded, all files together (as catalog uploads)
MAX_ELICITATION_CHARS = 1_000_000
MAX_JSON_CHARS = 32 * 1024 * 1024
LIST_COLUMNS = ["name", "sector", "profile", "method", "author_role", "created_at", "comment"]
AUDIT_COLUMNS = ["at", "action", "name", "author_role", "scenario_id", "payload"]
RESERVED_PARAMS = frozenset(
    {"catalog", "criteria", "sector", "profile", "weights", "method", "missing", "table"}
    | {"markets", "project", "headcount", "tariffs"}
)
"""Keyword names of :func:`siteselect.ranking.evaluate` that a method parameter may not take."""
BACKENDS = ("sqlite", "postgresql")


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable, picklable mapping: safe to share between app sessions."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FrozenMap({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    """Plain JSON-ready data (dicts and lists) from frozen data."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    return value


def now_utc() -> str:
    """The current time as ISO-8601 UTC with microseconds (the store's timestamp format)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Checker:
    """Collects the problems of one scenario, each naming its field."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, name, message))

    def text(
        self,
        name: str,
        value: Any,
        limit: int,
        *,
        required: bool = True,
        multiline: bool = False,
    ) -> str:
        if not isinstance(value, str):
            self.add(name, f"must be text; got {type(value).__name__}")
            return ""
        if required and not value.strip():
            self.add(name, "must not be empty")
        if len(value) > limit:
            self.add(name, f"is {len(value)} characters long; at most {limit} are allowed")
        allowed = "\n\r\t" if multiline else ""
        bad = sorted(
            {f"U+{ord(c):04X}" for c in value if unicodedata.category(c) == "Cc"}
            - {f"U+{ord(c):04X}" for c in allowed}
        )
        if bad:
            self.add(name, f"contains control characters ({', '.join(bad)})")
        if not _utf8(value):
            self.add(name, "contains unpaired surrogates (not valid Unicode text)")
        return value

    def json_value(self, name: str, value: Any, depth: int = 0) -> Any:
        """``value`` if it is JSON data (finite numbers, text without NUL, str keys)."""
        if depth > 32:
            self.add(name, "is nested too deeply")
        elif value is None or isinstance(value, bool | int):
            return value
        elif isinstance(value, float):
            if math.isfinite(value):
                return value
            self.add(name, f"must be a finite number; got {value}")
        elif isinstance(value, str):
            if "\x00" not in value and _utf8(value):
                return value
            self.add(name, "contains a NUL character or unpaired surrogates")
        elif isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str) or "\x00" in key or not _utf8(key):
                    self.add(name, f"has a key that is not valid text: {key!r}")
                    continue
                out[key] = self.json_value(f"{name}.{key}", item, depth + 1)
            return out
        elif isinstance(value, list | tuple):
            return [self.json_value(f"{name}[{i}]", v, depth + 1) for i, v in enumerate(value)]
        else:
            self.add(name, f"must be JSON data (text, number, list, mapping); got {value!r}")
        return None

    def mapping(self, name: str, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.add(name, f"must be a mapping; got {type(value).__name__}")
            return {}
        return value


def method_problems(method: str, params: Mapping[str, Any]) -> list[str]:
    """Why ``method`` with ``params`` cannot rank (the method's own checks), or nothing.

    >>> method_problems("vikor", {"v": 0.5}), method_problems("topsis", {"v": 0.5})[0][:24]
    ([], "method 'topsis' takes no")
    """
    from siteselect import methods  # kept out of the store's import time
    from siteselect.ranking import default_criteria

    try:
        methods.check_params(methods.get_method(method), params, default_criteria().ids)
    except UnknownNameError as exc:
        return [str(exc)]
    except SiteSelectError as exc:
        text = str(exc)
        return [text if text.startswith("method ") else f"method {method!r}: {text}"]
    return []


def _clean(
    data: Mapping[str, Any], source: str, *, check_method: bool = True
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate scenario fields; return them in canonical frozen form, and the problems.

    The method name and its parameters are checked by the method itself
    (:func:`method_problems`), so a stored scenario always ranks.
    """
    check = _Checker(source)
    out: dict[str, Any] = {
        "name": check.text("name", data["name"], MAX_NAME),
        "sector": check.text("sector", data["sector"], MAX_ID),
        "profile": check.text("profile", data["profile"], MAX_ID),
        "method": check.text("method", data["method"], MAX_ID),
        "missing": check.text("missing", data["missing"], MAX_ID),
        "data_version": check.text("data_version", data["data_version"], MAX_ID, required=False),
        "author_role": check.text("author_role", data["author_role"], MAX_ID, required=False),
        "comment": check.text(
            "comment", data["comment"], MAX_COMMENT, required=False, multiline=True
        ),
    }
    weights = {}
    for key, value in check.mapping("weights", data["weights"]).items():
        label = f"weights.{key}"
        if not isinstance(key, str):
            check.add("weights", f"has a non-text key {key!r}")
            continue
        check.text(label, key, MAX_ID)
        if isinstance(value, bool) or not isinstance(value, int | float):
            check.add(label, f"must be a number; got {value!r}")
        elif not math.isfinite(value) or value < 0:
            check.add(label, f"must be a finite, non-negative number; got {value}")
        else:
            weights[key] = float(value)
    out["weights"] = FrozenMap(weights)
    markets = {}
    for key, value in check.mapping("markets", data.get("markets") or {}).items():
        if not isinstance(key, str):
            check.add("markets", f"has a non-text key {key!r}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            check.add(f"markets.{key}", f"must be a number; got {value!r}")
        elif not math.isfinite(value) or value <= 0:
            check.add(f"markets.{key}", f"must be a positive share; got {value}")
        else:
            markets[check.text(f"markets.{key}", key, MAX_ID)] = float(value)
    out["markets"] = FrozenMap(markets)
    params = check.mapping("params", data["params"])
    clash = sorted(k for k in params if k in RESERVED_PARAMS)
    if clash:
        check.add("params", f"uses reserved names {', '.join(clash)}")
    out["params"] = _freeze(check.json_value("params", params))
    if check_method and not any(p.field in ("method", "params") for p in check.problems):
        for message in method_problems(out["method"], _thaw(out["params"])):
            check.add("params" if message.startswith("method ") else "method", message)
    elicitation = check.json_value(
        "elicitation", check.mapping("elicitation", data["elicitation"])
    )
    if len(json.dumps(elicitation, ensure_ascii=False)) > MAX_ELICITATION_CHARS:
        check.add("elicitation", f"is larger than {MAX_ELICITATION_CHARS} characters as JSON")
    out["elicitation"] = _freeze(elicitation)
    out["uploaded_sites"] = _clean_uploads(check, data["uploaded_sites"])
    out["created_at"] = _clean_time(check, data["created_at"])
    ident = data["id"]
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, int) or ident < 1):
        check.add("id", f"must be a positive whole number or None; got {ident!r}")
    out["id"] = ident
    return out, check.problems


def _clean_uploads(check: _Checker, value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        check.add("uploaded_sites", "must be a list of [filename, base64 text] pairs")
        return ()
    out: list[tuple[str, str]] = []
    total = 0
    seen: set[str] = set()
    for i, item in enumerate(value):
        label = f"uploaded_sites[{i}]"
        if not isinstance(item, list | tuple) or len(item) != 2:
            check.add(label, "must be a [filename, base64 text] pair")
            continue
        filename = check.text(f"{label}.filename", item[0], MAX_FILENAME)
        content = item[1]
        if filename in seen:
            check.add(f"{label}.filename", f"{filename!r} is listed twice")
        seen.add(filename)
        if not isinstance(content, str):
            check.add(f"{label}.content", f"must be base64 text; got {type(content).__name__}")
            continue
        try:
            total += len(base64.b64decode(content, validate=True))
        except (binascii.Error, ValueError):
            check.add(f"{label}.content", "is not valid base64")
            continue
        out.append((filename, content))
    if total > MAX_UPLOAD_BYTES:
        check.add("uploaded_sites", f"holds {total} bytes; at most {MAX_UPLOAD_BYTES} are allowed")
    return tuple(out)


def _clean_time(check: _Checker, value: Any) -> str:
    if value == "":
        return ""
    if not isinstance(value, str):
        check.add("created_at", f"must be ISO-8601 text; got {type(value).__name__}")
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        check.add("created_at", f"is not an ISO-8601 time: {value!r}")
        return ""
    if moment.utcoffset() is None:
        check.add("created_at", f"must give its UTC offset (e.g. +00:00 or Z): {value!r}")
        return ""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Scenario:
    """A saved analysis: everything needed to reopen it and rank the same way.

    ``weights`` are :func:`siteselect.ranking.evaluate` overrides (group or criterion id →
    weight); ``params`` the method's parameters; ``missing`` the missing-value policy;
    ``uploaded_sites`` the user's uploaded files as (filename, base64 text);
    ``data_version`` the catalogue version hash it was made with; ``elicitation`` how the
    weights were obtained (e.g. AHP judgements per stakeholder and the aggregation used),
    as JSON data. ``created_at`` (ISO-8601 UTC) and ``id`` are set by the store.

    Sector, profile, method and policy names are checked when the scenario is evaluated,
    not here, so a scenario saved under older criteria still opens. Mappings and lists are
    frozen on construction (so a scenario can be cached and shared).

    Raises
    ------
    DataError
        Naming every field that is missing, too long, of the wrong type or not JSON data.
    """

    name: str
    sector: str
    profile: str
    weights: Mapping[str, float]
    method: str
    params: Mapping[str, Any]
    missing: str
    uploaded_sites: tuple[tuple[str, str], ...] = ()
    data_version: str = ""
    author_role: str = ""
    comment: str = ""
    elicitation: Mapping[str, Any] = field(default_factory=FrozenMap)
    created_at: str = ""
    markets: Mapping[str, float] = field(default_factory=FrozenMap)
    id: int | None = None

    def __post_init__(self) -> None:
        values, problems = _clean(
            {f.name: getattr(self, f.name) for f in fields(self)}, "scenario"
        )
        if problems:
            raise DataError(problems)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def uploads(self) -> list[tuple[str, bytes]]:
        """The uploaded files as (filename, bytes), e.g. for ``catalog.sites_from_file``."""
        return [(name, base64.b64decode(text)) for name, text in self.uploaded_sites]

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON data, without the store's ``id``."""
        return {f.name: _thaw(getattr(self, f.name)) for f in fields(self) if f.name != "id"}


SCENARIO_FIELDS = tuple(f.name for f in fields(Scenario) if f.name != "id")


def scenario_to_json(scenario: Scenario) -> str:
    """The exchange document: ``{"format", "schema_version", "scenario"}`` as JSON text."""
    document = {"format": FORMAT, "schema_version": FORMAT_VERSION, "scenario": scenario.to_dict()}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"duplicate key(s) {', '.join(map(repr, dup))}")
    return dict(pairs)


_PLACEHOLDERS: dict[str, Any] = {
    # valid stand-ins for missing fields, so the present ones are still checked
    **dict.fromkeys(("name", "sector", "profile", "method", "missing"), "x"),
    **dict.fromkeys(("data_version", "author_role", "comment", "created_at"), ""),
    **{k: {} for k in ("weights", "params", "elicitation")},
    "uploaded_sites": [],
}


def scenario_from_json(text: str | bytes) -> Scenario:
    """Read an exchange document; every problem is reported before anything is used.

    Raises
    ------
    SiteSelectError
        For text that is not JSON, is not a scenario document, or was written by a newer
        siteselect.
    DataError
        Naming every missing, extra or invalid field of the scenario.
    """
    source = "scenario JSON"
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise SiteSelectError(f"{source} is not UTF-8 text") from None
    if not isinstance(text, str):
        raise SiteSelectError(f"{source} must be text; got {type(text).__name__}")
    if len(text) > MAX_JSON_CHARS:
        raise SiteSelectError(f"{source} is larger than {MAX_JSON_CHARS} characters")
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SiteSelectError(
            f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SiteSelectError(f"{source} is not valid: {exc}") from None
    if not isinstance(document, dict):
        raise SiteSelectError(f"{source} must be an object with format, schema_version, scenario")
    if document.get("format") != FORMAT:
        raise SiteSelectError(
            f"not a siteselect scenario: field 'format' is {document.get('format')!r}, "
            f"expected {FORMAT!r}"
        )
    version = document.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SiteSelectError(
            f"field 'schema_version' must be a whole number ≥ 1; got {version!r}"
        )
    if version > FORMAT_VERSION:
        raise SiteSelectError(
            f"this scenario was made by a newer siteselect (schema_version {version}); "
            f"this one reads up to {FORMAT_VERSION}"
        )
    problems = [
        Problem(source, None, key, "unexpected field")
        for key in document
        if key not in ("format", "schema_version", "scenario")
    ]
    body = document.get("scenario")
    if not isinstance(body, dict):
        problems.append(Problem(source, None, "scenario", "must be an object"))
        raise DataError(problems)
    problems += [
        Problem(source, None, k, "missing")
        for k in SCENARIO_FIELDS
        if k not in body and k != "markets"  # optional: documents from before markets
    ]
    problems += [
        Problem(source, None, k, "unexpected field") for k in body if k not in SCENARIO_FIELDS
    ]
    given = {k: v for k, v in body.items() if k in SCENARIO_FIELDS}
    values, found = _clean(
        {**_PLACEHOLDERS, **given, "id": None}, source, check_method="method" in given
    )
    problems += found
    if problems:
        raise DataError(problems)
    return Scenario(**values)


@dataclass(frozen=True)
class ScenarioDiff:
    """What differs between two scenarios' settings, each as (value in a, value in b).

    ``weights`` maps each override that differs to (a, b), ``None`` where a side has no
    override; ``settings`` covers sector, profile, method, params, missing and
    data_version; uploaded files are compared by name and content.
    """

    settings: Mapping[str, tuple[Any, Any]]
    weights: Mapping[str, tuple[float | None, float | None]]
    sites_added: tuple[str, ...]
    sites_removed: tuple[str, ...]
    sites_changed: tuple[str, ...]
    elicitation_changed: bool

    def __bool__(self) -> bool:
        return bool(
            self.settings
            or self.weights
            or self.sites_added
            or self.sites_removed
            or self.sites_changed
            or self.elicitation_changed
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON data (for the audit trail or an API)."""
        return {
            "settings": {k: _thaw(list(v)) for k, v in self.settings.items()},
            "weights": {k: list(v) for k, v in self.weights.items()},
            "sites_added": list(self.sites_added),
            "sites_removed": list(self.sites_removed),
            "sites_changed": list(self.sites_changed),
            "elicitation_changed": self.elicitation_changed,
        }

    def lines(self) -> list[str]:
        """One readable line per difference."""
        out = [f"{k}: {_show(a)} → {_show(b)}" for k, (a, b) in self.settings.items()]
        out += [f"weight of {k}: {_show(a)} → {_show(b)}" for k, (a, b) in self.weights.items()]
        out += [f"site file added: {n}" for n in self.sites_added]
        out += [f"site file removed: {n}" for n in self.sites_removed]
        out += [f"site file changed: {n}" for n in self.sites_changed]
        if self.elicitation_changed:
            out.append("elicitation (how the weights were obtained) changed")
        return out


def _show(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, Mapping | tuple):
        return json.dumps(_thaw(value), ensure_ascii=False, sort_keys=True)
    return f"{value!r}" if isinstance(value, str) else f"{value:g}"


def compare(a: Scenario, b: Scenario) -> ScenarioDiff:
    """The settings that differ between ``a`` and ``b`` (names and comments are ignored).

    Examples
    --------
    >>> a = Scenario("A", "ems", "investor", {"tax": 1.0}, "topsis", {}, "worst")
    >>> compare(a, replace(a, name="B", method="vikor", weights={"tax": 2.0})).lines()
    ["method: 'topsis' → 'vikor'", 'weight of tax: 1 → 2']
    """
    settings = {
        key: (getattr(a, key), getattr(b, key))
        for key in ("sector", "profile", "method", "params", "missing", "data_version", "markets")
        if getattr(a, key) != getattr(b, key)
    }
    keys = [*a.weights, *(k for k in b.weights if k not in a.weights)]
    weights = {
        k: (a.weights.get(k), b.weights.get(k))
        for k in keys
        if a.weights.get(k) != b.weights.get(k)
    }
    files_a, files_b = dict(a.uploaded_sites), dict(b.uploaded_sites)
    return ScenarioDiff(
        settings=FrozenMap(settings),
        weights=FrozenMap(weights),
        sites_added=tuple(n for n in files_b if n not in files_a),
        sites_removed=tuple(n for n in files_a if n not in files_b),
        sites_changed=tuple(n for n in files_a if n in files_b and files_a[n] != files_b[n]),
        elicitation_changed=a.elicitation != b.elicitation,
    )


def scenario_evaluate_kwargs(scenario: Scenario) -> dict[str, Any]:
    """Keyword arguments for :func:`siteselect.ranking.evaluate` that reproduce ``scenario``.

    The catalogue is not included: build it from the bundled data plus
    :meth:`Scenario.uploads`, and compare its ``version`` with ``scenario.data_version``.

    >>> s = Scenario("A", "ems", "investor", {"tax": 1.0}, "vikor", {"v": 0.3}, "mean")
    >>> scenario_evaluate_kwargs(s)
    {'sector': 'ems', 'profile': 'investor', 'weights': {'tax': 1.0}, 'method': 'vikor', \
'missing': 'mean', 'v': 0.3}
    """
    return {
        "sector": scenario.sector,
        "profile": scenario.profile,
        "weights": dict(scenario.weights),
        "method": scenario.method,
        "missing": scenario.missing,
        **({"markets": dict(scenario.markets)} if scenario.markets else {}),
        **_thaw(scenario.params),
    }


_WRITE = "siteselect_write"


class DatabaseSettingError(SiteSelectError):
    """The scenario database (``SITESELECT_DB``) cannot be used as configured."""


def _setting(where: str) -> str:
    return f"{where} (set by {DB_ENV})"


def _database_problem(exc: BaseException, url: sa.URL) -> DatabaseSettingError | None:
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


def _engine(url: sa.URL) -> Engine:
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
        write = conn.get_execution_options().get(_WRITE, False)
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


def _migrate(engine: Engine, migrations: Sequence[Callable[[Connection], None]]) -> int:
    """Bring the database to ``len(migrations)``, all steps in one transaction."""
    target = len(migrations)
    with engine.connect() as conn, conn.begin():
        found = _schema_version(conn)
    _check_version(found, target)
    if found == target:
        return found
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
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


def _dumps(value: Any) -> str:
    return json.dumps(_thaw(value), ensure_ascii=False, allow_nan=False, sort_keys=True)


def _upload_summary(scenario: Scenario) -> list[dict[str, Any]]:
    return [
        {"filename": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in scenario.uploads()
    ]


class ScenarioStore:
    """Saved scenarios in a SQL database, with versions and an audit trail.

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

    workspace: str = DEFAULT_WORKSPACE
    """The workspace this store acts in (see :meth:`for_user`)."""
    user: str = ""
    """Who acts (recorded in the audit trail); empty for the single-user store."""
    role: str = "admin"
    """The user's role in :attr:`workspace`: viewer, evaluator or admin."""

    def __init__(self, url: str | os.PathLike[str] | None = None) -> None:
        self.url = database_url(url)
        self._engine = _engine(self.url)
        try:
            self.schema_version = _migrate(self._engine, MIGRATIONS)
        except sa.exc.DBAPIError as exc:
            self._engine.dispose()
            problem = _database_problem(exc, self.url)
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
        with self._reading() as conn:
            rows = conn.execute(
                sa.select(MEMBERS.c.workspace, MEMBERS.c.role).where(MEMBERS.c.user == user)
            ).all()
        roles = {r.workspace: r.role for r in rows}
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

    def _require(self, role: str, doing: str) -> None:
        if ROLES.index(self.role) < ROLES.index(role):
            raise AccessError(
                f"{self.user or 'this user'} is {self.role} in workspace {self.workspace!r}; "
                f"{doing} needs the {role} role"
            )

    def __enter__(self) -> ScenarioStore:
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
            problem = _database_problem(exc, self.url)
            if problem is None:
                raise
            raise problem from exc

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                conn.execution_options(**{_WRITE: True})
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
            problem = _database_problem(exc, self.url)
            if problem is None:
                raise
            raise problem from exc

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
                decoded[key] = json.loads(getattr(row, key), parse_constant=_no_constant)
            except (TypeError, ValueError, RecursionError):
                problems.append(Problem(source, None, key, "is not valid JSON in the database"))
                decoded[key] = {}
        params = decoded["params"]
        # target markets are stored with the method parameters under a reserved key
        decoded["markets"] = params.pop("markets", {}) if isinstance(params, dict) else {}
        try:
            scenario = Scenario(
                name=row.name,
                sector=row.sector,
                profile=row.profile,
                method=row.method,
                missing=row.missing,
                uploaded_sites=files,
                data_version=row.data_version,
                author_role=row.author_role,
                comment=row.comment,
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
                    name=scenario.name,
                    version=version,
                    sector=scenario.sector,
                    profile=scenario.profile,
                    method=scenario.method,
                    missing=scenario.missing,
                    weights=_dumps(scenario.weights),
                    # markets ride in the params column ("markets" is a reserved name there)
                    params=_dumps(
                        {**_thaw(scenario.params), "markets": _thaw(scenario.markets)}
                        if scenario.markets
                        else scenario.params
                    ),
                    elicitation=_dumps(scenario.elicitation),
                    data_version=scenario.data_version,
                    author_role=scenario.author_role,
                    comment=scenario.comment,
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
            conn.execute(
                sa.update(SHARES)
                .where(
                    SHARES.c.workspace == self.workspace,
                    SHARES.c.scenario_name == name,
                    SHARES.c.revoked_at.is_(None),
                )
                .values(revoked_at=at)
            )
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
            ended = conn.execute(
                sa.update(SHARES)
                .where(
                    SHARES.c.workspace == self.workspace,
                    SHARES.c.scenario_name == name,
                    SHARES.c.revoked_at.is_(None),
                )
                .values(revoked_at=at)
            ).rowcount
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


class AccessError(SiteSelectError):
    """A user acts outside their workspace or beyond their role."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _identity(kind: str, value: Any) -> str:
    check = _Checker(kind)
    text = check.text(kind, value, MAX_ID)
    if check.problems:
        raise DataError(check.problems)
    return text
