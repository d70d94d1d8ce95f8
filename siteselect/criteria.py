"""Load and validate ``criteria/``: criteria, sectors and stakeholder weight profiles.

Weights are hierarchical: a group weight times a within-group criterion weight. The
within-group weights of a profile are multiplied by the sector's relevance factors, then
normalised inside each group.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import yaml

from siteselect.errors import Problem, SiteSelectError, UnknownNameError, WeightError, raise_if
from siteselect.methods import check_weight

CRITERIA_DIR = Path(__file__).resolve().parent.parent / "criteria"
DERIVE_KINDS = (
    "computed",
    "indicator",
    "indicator_usd",
    "mean",
    "aqueduct_category",
    "income_tax",
    "sector_fit",
    "cluster",
    "market_tariff",
    "cost",
)
VALUE_FUNCTION_KINDS = ("linear", "piecewise", "threshold", "step")


@dataclass(frozen=True)
class ValueFunction:
    """How a criterion's raw value maps to a value in [0, 1] (1 = best), and why.

    ``points`` holds (x, v) pairs for ``piecewise`` and ``step``; ``target`` and ``below``
    are used by ``threshold``.
    """

    kind: str = "linear"
    points: tuple[tuple[float, float], ...] = ()
    target: float = math.nan
    below: float = 0.0
    why: str = ""

    def value(self, x: Any, objective: str) -> Any:
        """v(x) in [0, 1] for an array ``x`` (``linear`` returns ``x`` unchanged)."""
        arr = np.asarray(x, dtype=float)
        if self.kind == "linear":
            return arr
        if self.kind == "piecewise":
            xs, vs = zip(*self.points, strict=True)
            return np.interp(arr, xs, vs)
        if self.kind == "threshold":
            met = arr <= self.target if objective == "min" else arr >= self.target
            return np.where(np.isnan(arr), np.nan, np.where(met, 1.0, self.below))
        steps_x = np.array([p[0] for p in self.points])
        steps_v = np.array([p[1] for p in self.points])
        n = len(steps_x)
        if objective == "min":  # the first step whose x is at or above the value
            idx = np.searchsorted(steps_x, arr, side="left")
            out = np.where(idx < n, steps_v[np.minimum(idx, n - 1)], self.below)
        else:  # the last step whose x is at or below the value
            idx = np.searchsorted(steps_x, arr, side="right") - 1
            out = np.where(idx >= 0, steps_v[np.maximum(idx, 0)], self.below)
        return np.where(np.isnan(arr), np.nan, out)

    def describe(self) -> str:
        if self.kind == "linear":
            return "linear between the worst and best site"
        if self.kind == "threshold":
            return f"threshold at {self.target:g} (else {self.below:g})"
        pts = ", ".join(f"{x:g}→{v:g}" for x, v in self.points)
        return f"{self.kind} {pts}"


LINEAR = ValueFunction()


@dataclass(frozen=True)
class Exclusion:
    """A rule that removes a site: its value of ``criterion`` above ``max`` / below ``min``.

    ``id`` names the rule (default: its criterion) so a user can switch it on or off;
    ``default`` says whether it is in force unless the user says otherwise.
    """

    criterion: str
    max: float
    min: float
    why: str
    id: str = ""
    default: bool = True

    @property
    def rule_id(self) -> str:
        return self.id or self.criterion

    def breaks(self, value: float) -> bool:
        return bool(value > self.max or value < self.min)

    def describe(self, label: str, value: float, unit: str) -> str:
        bound = f"above {self.max:g}" if value > self.max else f"below {self.min:g}"
        return f"{label} {value:g} {unit} is {bound}: {self.why}"


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    description: str
    short: str = ""
    """A label for a narrow column header (``short`` in criteria.yaml; else ``label``)."""

    @property
    def header(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    group: str
    objective: str
    unit: str
    derive: Mapping[str, Any]
    description: str
    value_function: ValueFunction = LINEAR
    lever: bool = False
    """A government or park operator can move this value by policy (``lever: true``)."""
    lever_note: str = ""
    """How it can be moved (a subsidy, a tax holiday, ...); required with ``lever``."""


@dataclass(frozen=True)
class Sector:
    id: str
    label: str
    description: str
    relevance: Mapping[str, float]
    reasons: Mapping[str, str]
    value_functions: Mapping[str, ValueFunction] = field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()

    def rules_in_force(self, overrides: Mapping[str, bool] | None = None) -> tuple[Exclusion, ...]:
        """The sector's exclusion rules in force: each rule's default unless ``overrides``
        (rule id -> on/off) says otherwise. An unknown rule id is an error naming it.
        """
        overrides = dict(overrides or {})
        known = {r.rule_id for r in self.exclusions}
        unknown = sorted(set(overrides) - known)
        if unknown:
            offered = ", ".join(sorted(known)) if known else "none"
            raise SiteSelectError(
                f"unknown exclusion rule {unknown[0]!r} for sector {self.id!r} "
                f"(its rules: {offered})"
            )
        return tuple(r for r in self.exclusions if overrides.get(r.rule_id, r.default))


@dataclass(frozen=True)
class Profile:
    id: str
    label: str
    description: str
    group_weights: Mapping[str, float]
    criterion_weights: Mapping[str, float]


@dataclass(frozen=True)
class WeightBreakdown:
    """Weights at each level: group (sums to 1), within group (sums to 1 per group), effective."""

    group: pd.Series
    within: pd.Series
    effective: pd.Series
    raw: pd.Series


@dataclass(frozen=True)
class CriteriaSet:
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    sectors: tuple[Sector, ...]
    profiles: tuple[Profile, ...]
    correlated: Mapping[frozenset[str], str] = field(default_factory=dict)
    retired: Mapping[str, str] = field(default_factory=dict)

    def value_function(self, criterion_id: str, sector_id: str) -> ValueFunction:
        """The value function of a criterion for a sector (the sector's override first)."""
        sect = self.sector(sector_id)
        return sect.value_functions.get(criterion_id, self.criterion(criterion_id).value_function)

    def correlation_reason(self, a: str, b: str) -> str | None:
        """Why ``a`` and ``b`` may be scored together although they correlate, if stated."""
        return self.correlated.get(frozenset((a, b)))

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    @property
    def objectives(self) -> dict[str, str]:
        return {c.id: c.objective for c in self.criteria}

    def group_of(self) -> dict[str, str]:
        return {c.id: c.group for c in self.criteria}

    @property
    def levers(self) -> tuple[str, ...]:
        """Criteria a government or park operator can move by policy (``lever: true``)."""
        return tuple(c.id for c in self.criteria if c.lever)

    def criterion(self, criterion_id: str) -> Criterion:
        return _lookup("criterion", criterion_id, {c.id: c for c in self.criteria})

    def sector(self, sector_id: str) -> Sector:
        return _lookup("sector", sector_id, {s.id: s for s in self.sectors})

    def profile(self, profile_id: str) -> Profile:
        return _lookup("profile", profile_id, {p.id: p for p in self.profiles})

    def weights(
        self,
        profile: str,
        sector: str,
        overrides: Mapping[str, Any] | None = None,
    ) -> WeightBreakdown:
        """Resolve hierarchical weights for a profile and sector, with user overrides.

        ``overrides`` maps a group id to a group weight, or a criterion id to its final
        within-group weight (the sector's relevance factor is *not* applied on top of an
        override, so what the user sets is what is used).
        """
        prof = self.profile(profile)
        sect = self.sector(sector)
        group_ids = [g.id for g in self.groups]
        overrides = dict(overrides or {})
        valid = [*group_ids, *self.ids]
        for key, value in overrides.items():
            if key not in valid:
                raise UnknownNameError("criterion or group", key, valid)
            overrides[key] = check_weight(key, value)
        group = pd.Series(
            {g: overrides.get(g, prof.group_weights.get(g, 0.0)) for g in group_ids}, dtype=float
        )
        raw = pd.Series(
            {
                c.id: overrides.get(
                    c.id, prof.criterion_weights.get(c.id, 0.0) * sect.relevance.get(c.id, 1.0)
                )
                for c in self.criteria
            },
            dtype=float,
        )
        groups_of = pd.Series(self.group_of())
        group_sums = raw.groupby(groups_of).sum().reindex(group_ids, fill_value=0.0)
        # a group whose criteria all weigh zero cannot carry weight
        group = group.where(group_sums > 0, 0.0)
        if group.sum() <= 0:
            raise WeightError(
                "all weights are zero; give at least one group and one of its criteria a "
                "positive weight"
            )
        group = group / group.sum()
        denom = groups_of.map(group_sums).replace(0.0, math.nan)
        within = (raw / denom).fillna(0.0)
        effective = within * groups_of.map(group)
        return WeightBreakdown(group=group, within=within, effective=effective, raw=raw)


def _lookup(kind: str, name: str, table: Mapping[str, Any]) -> Any:
    try:
        return table[name]
    except (KeyError, TypeError):
        raise UnknownNameError(kind, name, table) from None


def _read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem(str(path), None, None, f"cannot read file: {exc.strerror}")]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        return None, [Problem(str(path), row, None, f"invalid YAML: {exc}")]


def _entries(doc: Any, key: str, file: str, problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        problems.append(Problem(file, None, key, f"expected a top-level list '{key}'"))
        return []
    out = []
    for i, item in enumerate(doc[key], start=1):
        if not isinstance(item, dict):
            problems.append(Problem(file, i, None, f"entry of '{key}' must be a mapping"))
            continue
        out.append({"_row": i, **item})
    return out


def _require_str(
    entry: dict[str, Any],
    field: str,
    file: str,
    problems: list[Problem],
    *,
    optional: bool = False,
) -> str:
    value = entry.get(field)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, entry["_row"], field, "required text is missing or empty"))
        return ""
    return value.strip()


def _unique(
    entries: list[dict[str, Any]], ids: list[str], file: str, problems: list[Problem]
) -> None:
    seen: set[str] = set()
    for entry, ident in zip(entries, ids, strict=True):
        if ident and ident in seen:
            problems.append(Problem(file, entry["_row"], "id", f"duplicate id {ident!r}"))
        seen.add(ident)


def _number_map(
    value: Any,
    valid: list[str],
    file: str,
    row: int,
    field: str,
    problems: list[Problem],
) -> dict[str, float]:
    if not isinstance(value, dict):
        problems.append(Problem(file, row, field, "expected a mapping of id → number"))
        return {}
    out = {}
    for key, number in value.items():
        if key not in valid:
            problems.append(
                Problem(file, row, f"{field}.{key}", f"unknown id; valid: {', '.join(valid)}")
            )
            continue
        if isinstance(number, bool) or not isinstance(number, int | float):
            problems.append(Problem(file, row, f"{field}.{key}", f"not a number: {number!r}"))
            continue
        if not math.isfinite(number) or number < 0:
            problems.append(
                Problem(file, row, f"{field}.{key}", f"must be a non-negative number: {number}")
            )
            continue
        out[key] = float(number)
    return out


def load_criteria(directory: str | Path | None = None) -> CriteriaSet:
    """Load ``criteria.yaml``, ``sectors.yaml`` and ``profiles.yaml`` from ``directory``.

    Raises
    ------
    DataError
        Listing every problem found, each naming the file, entry and field.
    """
    base = Path(directory) if directory is not None else CRITERIA_DIR
    problems: list[Problem] = []

    path = base / "criteria.yaml"
    doc, errs = _read_yaml(path)
    problems += errs
    file = str(path)
    groups = []
    for entry in _entries(doc, "groups", file, problems) if doc is not None else []:
        groups.append(
            Group(
                _require_str(entry, "id", file, problems),
                _require_str(entry, "label", file, problems),
                _require_str(entry, "description", file, problems, optional=True),
                _require_str(entry, "short", file, problems, optional=True),
            )
        )
    group_ids = [g.id for g in groups]
    criteria = []
    entries = _entries(doc, "criteria", file, problems) if doc is not None else []
    for entry in entries:
        row = entry["_row"]
        group = _require_str(entry, "group", file, problems)
        if group and group not in group_ids:
            problems.append(
                Problem(file, row, "group", f"unknown group {group!r}; valid: {group_ids}")
            )
        objective = entry.get("objective")
        if objective not in ("max", "min"):
            problems.append(
                Problem(file, row, "objective", f"must be 'max' or 'min'; got {objective!r}")
            )
        derive = entry.get("derive")
        if not isinstance(derive, dict) or derive.get("kind") not in DERIVE_KINDS:
            problems.append(
                Problem(file, row, "derive", f"needs a 'kind', one of {', '.join(DERIVE_KINDS)}")
            )
            derive = {}
        vf = LINEAR
        if entry.get("value_function") is not None:
            vf = parse_value_function(
                entry["value_function"], file, row, "value_function", problems
            )
        lever = entry.get("lever", False)
        lever_note = entry.get("lever_note")
        if not isinstance(lever, bool):
            problems.append(Problem(file, row, "lever", f"must be true or false; got {lever!r}"))
            lever = False
        if lever and (not isinstance(lever_note, str) or not lever_note.strip()):
            problems.append(
                Problem(file, row, "lever_note", "a lever needs a note saying how it is moved")
            )
        if lever_note is not None and not lever:
            problems.append(
                Problem(file, row, "lever_note", "given for a criterion that is not a lever")
            )
        criteria.append(
            Criterion(
                id=_require_str(entry, "id", file, problems),
                label=_require_str(entry, "label", file, problems),
                group=group,
                objective=str(objective),
                unit=_require_str(entry, "unit", file, problems),
                derive=MappingProxyType(dict(derive)),
                description=_require_str(entry, "description", file, problems, optional=True),
                value_function=vf,
                lever=lever,
                lever_note=str(lever_note).strip() if lever and lever_note else "",
            )
        )
    _unique(entries, [c.id for c in criteria], file, problems)
    criterion_ids = [c.id for c in criteria]
    correlated: dict[frozenset[str], str] = {}
    for i, item in enumerate((doc or {}).get("correlated") or [], start=1):
        pair = item.get("pair") if isinstance(item, dict) else None
        why = str(item.get("why") or "").strip() if isinstance(item, dict) else ""
        if not isinstance(pair, list) or len(pair) != 2 or not set(pair) <= set(criterion_ids):
            problems.append(
                Problem(file, i, "correlated.pair", f"needs two criterion ids; got {pair!r}")
            )
            continue
        if not why:
            problems.append(Problem(file, i, "correlated.why", "a correlated pair needs a reason"))
        correlated[frozenset(pair)] = " ".join(why.split())
    retired = {str(k): str(v) for k, v in ((doc or {}).get("retired") or {}).items()}

    path = base / "sectors.yaml"
    doc, errs = _read_yaml(path)
    problems += errs
    file = str(path)
    sectors = []
    entries = _entries(doc, "sectors", file, problems) if doc is not None else []
    for entry in entries:
        relevance: dict[str, float] = {}
        reasons: dict[str, str] = {}
        raw = entry.get("relevance") or {}
        if not isinstance(raw, dict):
            problems.append(Problem(file, entry["_row"], "relevance", "expected a mapping"))
            raw = {}
        for key, spec in raw.items():
            factor = spec.get("factor") if isinstance(spec, dict) else spec
            parsed = _number_map(
                {key: factor}, criterion_ids, file, entry["_row"], "relevance", problems
            )
            relevance.update(parsed)
            if isinstance(spec, dict) and spec.get("why"):
                reasons[key] = str(spec["why"])
        row = entry["_row"]
        vfs = {}
        raw_vf = entry.get("value_functions") or {}
        for key, spec in raw_vf.items() if isinstance(raw_vf, dict) else []:
            if key not in criterion_ids:
                problems.append(Problem(file, row, f"value_functions.{key}", "unknown criterion"))
                continue
            vfs[key] = parse_value_function(spec, file, row, f"value_functions.{key}", problems)
        exclusions = []
        for i, spec in enumerate(entry.get("exclusions") or [], start=1):
            ex = _exclusion(spec, criterion_ids, file, row, f"exclusions[{i}]", problems)
            if ex is not None:
                exclusions.append(ex)
        sectors.append(
            Sector(
                id=_require_str(entry, "id", file, problems),
                label=_require_str(entry, "label", file, problems),
                description=_require_str(entry, "description", file, problems, optional=True),
                relevance=MappingProxyType(relevance),
                reasons=MappingProxyType(reasons),
                value_functions=MappingProxyType(vfs),
                exclusions=tuple(exclusions),
            )
        )
    _unique(entries, [s.id for s in sectors], file, problems)

    path = base / "profiles.yaml"
    doc, errs = _read_yaml(path)
    problems += errs
    file = str(path)
    profiles = []
    entries = _entries(doc, "profiles", file, problems) if doc is not None else []
    for entry in entries:
        row = entry["_row"]
        gw = _number_map(
            entry.get("group_weights"), group_ids, file, row, "group_weights", problems
        )
        cw = _number_map(
            entry.get("criterion_weights"), criterion_ids, file, row, "criterion_weights", problems
        )
        if gw and sum(gw.values()) <= 0:
            problems.append(Problem(file, row, "group_weights", "all group weights are zero"))
        profiles.append(
            Profile(
                id=_require_str(entry, "id", file, problems),
                label=_require_str(entry, "label", file, problems),
                description=_require_str(entry, "description", file, problems, optional=True),
                group_weights=MappingProxyType(gw),
                criterion_weights=MappingProxyType(cw),
            )
        )
    _unique(entries, [p.id for p in profiles], file, problems)

    raise_if(problems)
    for kind, items in (("sector", sectors), ("profile", profiles), ("criterion", criteria)):
        if not items:
            raise_if([Problem(str(base), None, None, f"no {kind} defined")])
    return CriteriaSet(
        tuple(groups),
        tuple(criteria),
        tuple(sectors),
        tuple(profiles),
        MappingProxyType(correlated),
        MappingProxyType(retired),
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def parse_value_function(
    spec: Any, file: str, row: int | None, field_name: str, problems: list[Problem]
) -> ValueFunction:
    """Validate a value-function mapping (see ``criteria.yaml`` meta); problems are appended."""
    if not isinstance(spec, dict) or spec.get("kind") not in VALUE_FUNCTION_KINDS:
        problems.append(
            Problem(
                file, row, field_name, f"needs a kind, one of {', '.join(VALUE_FUNCTION_KINDS)}"
            )
        )
        return LINEAR
    kind = spec["kind"]
    why = " ".join(str(spec.get("why") or "").split())
    if kind != "linear" and not why:
        problems.append(Problem(file, row, f"{field_name}.why", "a value function needs a reason"))
    below = _number(spec.get("below", 0.0))
    if below is None or not 0 <= below <= 1:
        problems.append(Problem(file, row, f"{field_name}.below", "must be a number in [0, 1]"))
        below = 0.0
    if kind == "linear":
        return ValueFunction(why=why)
    if kind == "threshold":
        target = _number(spec.get("target"))
        if target is None:
            problems.append(Problem(file, row, f"{field_name}.target", "must be a number"))
            return LINEAR
        return ValueFunction(kind, target=target, below=below, why=why)
    points = []
    raw = spec.get("points") if kind == "piecewise" else spec.get("steps")
    key = "points" if kind == "piecewise" else "steps"
    for pt in raw if isinstance(raw, list) else []:
        x = _number(pt[0]) if isinstance(pt, list) and len(pt) == 2 else None
        v = _number(pt[1]) if isinstance(pt, list) and len(pt) == 2 else None
        if x is None or v is None or not 0 <= v <= 1:
            problems.append(
                Problem(
                    file,
                    row,
                    f"{field_name}.{key}",
                    f"each entry is [x, v] with v in [0, 1]; got {pt!r}",
                )
            )
            return LINEAR
        points.append((x, v))
    if len(points) < (2 if kind == "piecewise" else 1):
        problems.append(Problem(file, row, f"{field_name}.{key}", "too few points"))
        return LINEAR
    xs = [p[0] for p in points]
    if any(b <= a for a, b in itertools.pairwise(xs)):
        problems.append(Problem(file, row, f"{field_name}.{key}", "x must increase strictly"))
        return LINEAR
    return ValueFunction(kind, points=tuple(points), below=below, why=why)


def _exclusion(
    spec: Any, criterion_ids: list[str], file: str, row: int, name: str, problems: list[Problem]
) -> Exclusion | None:
    if not isinstance(spec, dict) or spec.get("criterion") not in criterion_ids:
        problems.append(Problem(file, row, f"{name}.criterion", "needs a known criterion id"))
        return None
    hi = _number(spec.get("max", math.inf)) if spec.get("max") is not None else math.inf
    lo = _number(spec.get("min", -math.inf)) if spec.get("min") is not None else -math.inf
    why = " ".join(str(spec.get("why") or "").split())
    if hi is None or lo is None or (hi == math.inf and lo == -math.inf):
        problems.append(Problem(file, row, name, "needs a numeric max or min"))
        return None
    if not why:
        problems.append(Problem(file, row, f"{name}.why", "an exclusion needs a reason"))
    default = spec.get("default", True)
    if not isinstance(default, bool):
        problems.append(Problem(file, row, f"{name}.default", "must be true or false"))
        default = True
    rule_id = spec.get("id", "")
    if not isinstance(rule_id, str):
        problems.append(Problem(file, row, f"{name}.id", "must be a string"))
        rule_id = ""
    return Exclusion(str(spec["criterion"]), hi, lo, why, id=rule_id, default=default)
