"""A scenario: the whole decision model a user set up, validated when it is built.

A :class:`Scenario` is a frozen record of everything needed to rank the same way again:
sector, profile, weights, method and its parameters, missing-value policy, target markets
with their shares, plant headcount, an edited reference project (a ``criteria/projects.yaml``
entry), the user's uploaded site files, how the weights were elicited and the catalogue
version it was made with. It is validated field by field on construction, so a scenario
built from a JSON import or from a stored row is checked the same way; every problem names
its field.

:func:`scenario_to_json` / :func:`scenario_from_json` are the exchange format; a document
written before a field existed reads with that field's default. :func:`compare` lists what
differs between two scenarios; :func:`scenario_evaluate_kwargs` turns a scenario into the
arguments of :func:`siteselect.ranking.evaluate`.

>>> s = Scenario("Base case", "ems", "investor", {"labour_cost": 2.0}, "topsis", {}, "worst")
>>> scenario_from_json(scenario_to_json(s)) == s
True
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from siteselect.errors import DataError, Problem, SiteSelectError, UnknownNameError

if TYPE_CHECKING:
    from siteselect.cost import Project

FORMAT = "siteselect-scenario"
FORMAT_VERSION = 1
"""Version of the JSON exchange format (``schema_version`` in an exported document)."""

MAX_NAME = 200
MAX_ID = 100
MAX_COMMENT = 5_000
MAX_FILENAME = 255
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # decoded, all files together (as catalog uploads)
MAX_ELICITATION_CHARS = 1_000_000
MAX_PROJECT_CHARS = 100_000
MAX_HEADCOUNT = 1_000_000
MAX_JSON_CHARS = 32 * 1024 * 1024
RESERVED_PARAMS = frozenset(
    {"catalog", "criteria", "sector", "profile", "weights", "method", "missing", "table"}
    | {"markets", "project", "headcount", "tariffs", "exclusion_rules"}
)
"""Keyword names of :func:`siteselect.ranking.evaluate` that a method parameter may not take."""
MODEL_FIELDS = ("markets", "headcount", "project", "exclusion_rules")
"""Fields added after the first release: optional in a document, defaults when absent."""


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


def thaw(value: Any) -> Any:
    """Plain JSON-ready data (dicts and lists) from frozen data."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
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


class FieldChecker:
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
    check = FieldChecker(source)
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
    out.update(_clean_model(check, data, out["sector"], check_model=check_method))
    params = check.mapping("params", data["params"])
    clash = sorted(k for k in params if k in RESERVED_PARAMS)
    if clash:
        check.add("params", f"uses reserved names {', '.join(clash)}")
    out["params"] = _freeze(check.json_value("params", params))
    if check_method and not any(p.field in ("method", "params") for p in check.problems):
        for message in method_problems(out["method"], thaw(out["params"])):
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


def _clean_model(
    check: FieldChecker, data: Mapping[str, Any], sector: str, *, check_model: bool
) -> dict[str, Any]:
    """Target markets (known ids, positive shares), headcount and the edited project."""
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
    if check_model and markets:
        from siteselect.markets import default_markets  # kept out of import time

        known = default_markets().ids
        for key in markets:
            if key not in known:
                check.add(f"markets.{key}", f"unknown market; valid markets: {', '.join(known)}")
    headcount = data.get("headcount")
    if headcount is not None:
        if isinstance(headcount, bool) or not isinstance(headcount, int | float):
            check.add("headcount", f"must be a number of staff or null; got {headcount!r}")
            headcount = None
        elif not math.isfinite(headcount) or not 0 < headcount <= MAX_HEADCOUNT:
            check.add(
                "headcount", f"must be between 0 and {MAX_HEADCOUNT:,} staff; got {headcount}"
            )
            headcount = None
        else:
            headcount = float(headcount)
    project = check.json_value("project", check.mapping("project", data.get("project") or {}))
    if project and len(json.dumps(project, ensure_ascii=False)) > MAX_PROJECT_CHARS:
        check.add("project", f"is larger than {MAX_PROJECT_CHARS} characters as JSON")
    elif project and check_model and not any(p.field == "project" for p in check.problems):
        for problem in project_problems(project, sector):
            check.add(problem[0], problem[1])
    rules = {}
    for key, value in check.mapping("exclusion_rules", data.get("exclusion_rules") or {}).items():
        if not isinstance(key, str) or not isinstance(value, bool):
            check.add(f"exclusion_rules.{key}", f"must be true or false; got {value!r}")
        else:
            rules[check.text(f"exclusion_rules.{key}", key, MAX_ID)] = value
    if check_model and rules:
        from siteselect.ranking import default_criteria  # kept out of import time

        try:
            rule_ids = {r.rule_id for r in default_criteria().sector(sector).exclusions}
        except SiteSelectError:
            rule_ids = set()
        offered = ", ".join(sorted(rule_ids)) or "none"
        for key in rules:
            if key not in rule_ids:
                check.add(
                    f"exclusion_rules.{key}",
                    f"not a rule of sector {sector!r} (its rules: {offered})",
                )
    return {
        "markets": FrozenMap(markets),
        "headcount": headcount,
        "project": _freeze(project),
        "exclusion_rules": FrozenMap(rules),
    }


def project_problems(project: Mapping[str, Any], sector: str) -> list[tuple[str, str]]:
    """(field, message) for each problem of an edited reference project, or nothing.

    The project is a ``criteria/projects.yaml`` entry for the scenario's sector, read by
    :func:`siteselect.cost.project_from_mapping` (every figure sourced or an assumption).
    """
    from siteselect import cost  # kept out of import time

    out = []
    if project.get("sector") != sector:
        out.append(("project.sector", f"must be the scenario's sector {sector!r}"))
    try:
        cost.project_from_mapping(thaw(project), "project")
    except DataError as exc:
        out += [(f"project.{p.field}" if p.field else "project", p.message) for p in exc.problems]
    except SiteSelectError as exc:
        out.append(("project", str(exc)))
    return out


def reference_project(scenario: Scenario) -> Project | None:
    """The scenario's edited reference project as a :class:`siteselect.cost.Project`
    (``None``: the sector's bundled one)."""
    if not scenario.project:
        return None
    from siteselect import cost

    return cost.project_from_mapping(thaw(scenario.project), f"scenario {scenario.name!r}")


def _clean_uploads(check: FieldChecker, value: Any) -> tuple[tuple[str, str], ...]:
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


def _clean_time(check: FieldChecker, value: Any) -> str:
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
    as JSON data; ``markets`` the target markets and their shares of sales (empty: the US
    only); ``headcount`` the plant's staff (``None``: the reference project's);
    ``project`` an edited reference project, a ``criteria/projects.yaml`` entry for the
    sector (empty: the bundled one). ``created_at`` (ISO-8601 UTC) and ``id`` are set by
    the store.

    The method and its parameters, the market ids and the project are checked here (a
    stored scenario always ranks); sector, profile and policy names when the scenario is
    evaluated, so a scenario saved under older criteria still opens. Mappings and lists are
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
    headcount: float | None = None
    project: Mapping[str, Any] = field(default_factory=FrozenMap)
    exclusion_rules: Mapping[str, bool] = field(default_factory=FrozenMap)
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
        return {f.name: thaw(getattr(self, f.name)) for f in fields(self) if f.name != "id"}


SCENARIO_FIELDS = tuple(f.name for f in fields(Scenario) if f.name != "id")


def scenario_to_json(scenario: Scenario) -> str:
    """The exchange document: ``{"format", "schema_version", "scenario"}`` as JSON text."""
    document = {"format": FORMAT, "schema_version": FORMAT_VERSION, "scenario": scenario.to_dict()}
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def strict_json_loads(text: str) -> Any:
    """``json.loads`` that refuses NaN and Infinity (they are not JSON)."""
    return json.loads(text, parse_constant=_no_constant)


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
        if k not in body and k not in MODEL_FIELDS  # optional: older documents lack them
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
    override; ``settings`` covers sector, profile, method, params, missing,
    data_version, markets, headcount and project; uploaded files are compared by name and content.
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
            "settings": {k: thaw(list(v)) for k, v in self.settings.items()},
            "weights": {k: list(v) for k, v in self.weights.items()},
            "sites_added": list(self.sites_added),
            "sites_removed": list(self.sites_removed),
            "sites_changed": list(self.sites_changed),
            "elicitation_changed": self.elicitation_changed,
        }

    def lines(self) -> list[str]:
        """One readable line per difference."""
        out = [
            "reference project: " + ("edited" if b else "the bundled one")
            if k == "project"
            else f"{k}: {_show(a)} → {_show(b)}"
            for k, (a, b) in self.settings.items()
        ]
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
        return json.dumps(thaw(value), ensure_ascii=False, sort_keys=True)
    return f"{value!r}" if isinstance(value, str) else f"{value:g}"


def compare(a: Scenario, b: Scenario) -> ScenarioDiff:
    """The settings that differ between ``a`` and ``b`` (names and comments are ignored).

    Examples
    --------
    >>> from dataclasses import replace
    >>> a = Scenario("A", "ems", "investor", {"tax": 1.0}, "topsis", {}, "worst")
    >>> compare(a, replace(a, name="B", method="vikor", weights={"tax": 2.0})).lines()
    ["method: 'topsis' → 'vikor'", 'weight of tax: 1 → 2']
    """
    settings = {
        key: (getattr(a, key), getattr(b, key))
        for key in (
            *("sector", "profile", "method", "params", "missing", "data_version"),
            *MODEL_FIELDS,
        )
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
        **({"headcount": scenario.headcount} if scenario.headcount is not None else {}),
        **({"project": reference_project(scenario)} if scenario.project else {}),
        **(
            {"exclusion_rules": dict(scenario.exclusion_rules)} if scenario.exclusion_rules else {}
        ),
        **thaw(scenario.params),
    }
