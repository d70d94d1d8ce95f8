"""A panel of stakeholders eliciting weights together with AHP.

Each :class:`Stakeholder` compares the criteria groups pairwise and, optionally, the
criteria inside some groups; groups they do not compare keep their profile's within-group
weights. :func:`stakeholder_weights` turns one stakeholder's judgements into weight
overrides for :func:`siteselect.ranking.evaluate`; :func:`panel_weights` combines the
panel into one weighting (AIJ where everybody judged, AIP elsewhere; Forman & Peniwati
1998) and measures consensus; :func:`panel_rankings` ranks the sites under each
stakeholder's weights and the panel's. :func:`elicitation_record` and
:func:`stakeholders_from_record` save and restore a panel as JSON data.

The compact pairwise input is a 17-position slider over Saaty's scale:

>>> judgement_value(0), judgement_value(8), judgement_value(16)
(9.0, 1.0, 0.1111111111111111)
>>> judgement_options("Cost", "Time")[8]
'1 — equally important'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siteselect.catalog import Catalog
from siteselect.criteria import CriteriaSet
from siteselect.elicit import (
    SCALE_MAX,
    TOLERANCE,
    AHPResult,
    ConsensusResult,
    aggregate_judgements,
    aggregate_priorities,
    ahp_analysis,
    ahp_from_judgements,
    consensus,
)
from siteselect.errors import SiteSelectError
from siteselect.ranking import DEFAULTS, evaluate
from siteselect.table import DecisionTable

SAATY_STEPS = (9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9)
"""The 17 slider positions: left half favours the first item, right half the second."""

CENTRE = len(SAATY_STEPS) // 2
"""The position of "equally important"."""

VERBAL = {
    1: "equally important",
    2: "between equally and moderately more important",
    3: "moderately more important",
    4: "between moderately and strongly more important",
    5: "strongly more important",
    6: "between strongly and very strongly more important",
    7: "very strongly more important",
    8: "between very strongly and extremely more important",
    9: "extremely more important",
}
"""Saaty's verbal scale (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme)."""

MAX_TEXT = 80
"""Longest stakeholder name or role, in characters."""

RECORD_METHOD = "ahp_panel"
RECORD_VERSION = 1
RESERVED_COLUMNS = ("name", "group", "spread")
"""Columns of :func:`panel_rankings` that a stakeholder's column may not take."""


def judgement_options(a_label: str, b_label: str) -> list[str]:
    """The 17 slider labels for comparing ``a_label`` with ``b_label``.

    Left to right: ``a`` extremely more important (9) … equally important (1) … ``b``
    extremely more important; position ``p`` holds :func:`judgement_value` ``(p)``.

    Examples
    --------
    >>> options = judgement_options("Proximity", "Sector")
    >>> options[0], options[7], options[16]
    ('Proximity: 9 — extremely more important', 'Proximity: 2 — between equally and \
moderately more important', 'Sector: 9 — extremely more important')
    """
    problems = [
        f"{what} must be non-empty text; got {label!r}"
        for what, label in (("a_label", a_label), ("b_label", b_label))
        if not isinstance(label, str) or not label.strip()
    ]
    if not problems and a_label == b_label:
        problems.append(f"a_label and b_label must differ; both are {a_label!r}")
    _fail("the labels of a comparison", problems)
    return [
        f"{a_label if p < CENTRE else b_label}: {k} — {VERBAL[k]}"
        if p != CENTRE
        else f"1 — {VERBAL[1]}"
        for p, k in enumerate(SAATY_STEPS)
    ]


def judgement_value(position: int) -> float:
    """The judgement ``a_ij`` at slider ``position`` (0 … 16): 9, 8, …, 2, 1, 1/2, …, 1/9.

    Examples
    --------
    >>> [judgement_value(p) for p in (0, 6, 8, 10)]
    [9.0, 3.0, 1.0, 0.3333333333333333]
    """
    if (
        isinstance(position, bool)
        or not isinstance(position, int | np.integer)
        or not 0 <= position < len(SAATY_STEPS)
    ):
        raise SiteSelectError(
            f"a judgement position is a whole number from 0 to {len(SAATY_STEPS) - 1}; "
            f"got {position!r}"
        )
    step = float(SAATY_STEPS[int(position)])
    return step if position <= CENTRE else 1.0 / step


def judgement_position(value: float) -> int:
    """The slider position nearest (on a log scale) to the judgement ``value``.

    Values off the 1/9–9 scale go to the nearest end; aggregated (non-integer)
    judgements go to the nearest step.

    Examples
    --------
    >>> judgement_position(9), judgement_position(1), judgement_position(1 / 3)
    (0, 8, 10)
    >>> judgement_position(2.9)
    6
    """
    number = _as_number(value)
    if number is None or not math.isfinite(number) or number <= 0:
        raise SiteSelectError(f"a judgement must be a positive number; got {value!r}")
    logs = np.log([judgement_value(p) for p in range(len(SAATY_STEPS))])
    return int(np.argmin(np.abs(logs - math.log(number))))


@dataclass(frozen=True)
class Stakeholder:
    """One member of the panel and their pairwise judgements.

    ``group_judgements[(a, b)] = v``: group ``a`` is ``v`` times as important as group
    ``b`` (every pair of groups once, either order). ``criterion_judgements[g]`` holds the
    same for the criteria of group ``g``; groups left out keep ``profile``'s within-group
    weights (times the sector's relevance). ``name`` and ``role`` are kept verbatim.

    Raises
    ------
    SiteSelectError
        Listing every problem: name or role not text or longer than :data:`MAX_TEXT`,
        keys that are not pairs of ids, values that are not on Saaty's 1/9–9 scale.
    """

    name: str
    role: str
    group_judgements: Mapping[tuple[str, str], float]
    criterion_judgements: Mapping[str, Mapping[tuple[str, str], float]] = field(
        default_factory=dict
    )
    profile: str = DEFAULTS["profile"]

    def __post_init__(self) -> None:
        problems = []
        for what, text, required in (("name", self.name, True), ("role", self.role, False)):
            if not isinstance(text, str):
                problems.append(f"{what} must be text; got {type(text).__name__}")
            elif required and not text.strip():
                problems.append(f"{what} is empty")
            elif len(text) > MAX_TEXT:
                problems.append(f"{what} has {len(text)} characters; at most {MAX_TEXT}")
            elif "\x00" in text:
                problems.append(f"{what} contains a NUL character")
        if not isinstance(self.profile, str) or not self.profile:
            problems.append(f"profile must be a profile id; got {self.profile!r}")
        groups = _judgement_problems("group_judgements", self.group_judgements, problems)
        within: dict[str, dict[tuple[str, str], float]] = {}
        if not isinstance(self.criterion_judgements, Mapping):
            problems.append(
                "criterion_judgements must be a mapping group id → judgements; got "
                f"{type(self.criterion_judgements).__name__}"
            )
        else:
            for group, judgements in self.criterion_judgements.items():
                if not isinstance(group, str):
                    problems.append(f"criterion_judgements: key {group!r} is not a group id")
                    continue
                within[group] = _judgement_problems(
                    f"criterion_judgements[{group!r}]", judgements, problems
                )
        who = "a stakeholder"
        if isinstance(self.name, str):
            who = f"stakeholder {_short(self.name)!r}"
        _fail(who, problems)
        # private copies: a caller mutating its dicts later cannot change a stakeholder
        object.__setattr__(self, "group_judgements", groups)
        object.__setattr__(self, "criterion_judgements", within)

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.role,
                self.profile,
                frozenset(self.group_judgements.items()),
                frozenset((g, frozenset(j.items())) for g, j in self.criterion_judgements.items()),
            )
        )


@dataclass(frozen=True)
class StakeholderWeights:
    """One stakeholder's weighting.

    ``overrides`` names every group and criterion (pass it as ``evaluate(weights=...)``);
    ``group`` is the AHP of the group judgements, ``within`` the AHP of each judged group;
    ``warnings`` the consistency warnings, each prefixed by its level.
    """

    overrides: dict[str, float]
    group: AHPResult
    within: dict[str, AHPResult]
    effective: pd.Series
    warnings: list[str]


@dataclass(frozen=True)
class PanelWeights:
    """The panel's weighting (see :func:`panel_weights`).

    ``overrides`` names every group and criterion, so any profile gives the same weights
    with them. ``group`` is the AHP of the aggregated group matrix, ``within`` the AHP of
    each aggregated within-group matrix (groups every stakeholder judged);
    ``per_stakeholder`` is keyed by display name (see :func:`panel_rankings`), in panel
    order; ``influence`` the normalised stakeholder weights used.
    """

    overrides: dict[str, float]
    group: AHPResult
    effective: pd.Series
    consensus: ConsensusResult
    per_stakeholder: dict[str, StakeholderWeights]
    method_note: str
    within: dict[str, AHPResult]
    warnings: list[str]
    sector: str
    influence: tuple[float, ...]


def stakeholder_weights(
    cset: CriteriaSet, stakeholder: Stakeholder, sector: str
) -> StakeholderWeights:
    """AHP weights of one stakeholder, as overrides for :func:`~siteselect.ranking.evaluate`.

    Group ids map to the AHP priorities of the group judgements; the criteria of a judged
    group map to the AHP priorities of its judgements; the other criteria map to the
    profile's weights times the sector's relevance (``cset.weights(profile, sector).raw``).

    Raises
    ------
    SiteSelectError
        Listing every problem of the stakeholder's judgements (unknown ids, missing pairs)
        and an unknown profile; :class:`~siteselect.errors.UnknownNameError` for an
        unknown sector.
    """
    if not isinstance(stakeholder, Stakeholder):
        raise SiteSelectError(f"expected a Stakeholder; got {type(stakeholder).__name__}")
    cset.sector(sector)
    return _stakeholder_weights(cset, stakeholder, sector)


def _stakeholder_weights(
    cset: CriteriaSet, stakeholder: Stakeholder, sector: str
) -> StakeholderWeights:
    problems: list[str] = []
    base = pd.Series(dtype=float)
    try:
        base = cset.weights(stakeholder.profile, sector).raw
    except SiteSelectError as exc:
        problems.append(str(exc))
    labels = _group_labels(cset)
    members = _members(cset)
    group = _analyse("groups", list(labels), stakeholder.group_judgements, problems)
    unknown = [g for g in stakeholder.criterion_judgements if g not in labels]
    if unknown:
        problems.append(
            f"criterion judgements for unknown group(s) {', '.join(map(repr, unknown))}; "
            f"groups: {', '.join(labels)}"
        )
    within = {}
    for g in labels:
        if g in stakeholder.criterion_judgements:
            result = _analyse(
                f"criteria of {labels[g]}",
                members[g],
                stakeholder.criterion_judgements[g],
                problems,
            )
            if result is not None:
                within[g] = result
    _fail(f"the judgements of stakeholder {stakeholder.name!r}", problems)
    assert group is not None
    overrides = {g: float(group.weights[g]) for g in labels}
    for g, ids in members.items():
        source = within[g].weights if g in within else base
        overrides.update({c: float(source[c]) for c in ids})
    effective = cset.weights(stakeholder.profile, sector, overrides).effective
    warnings = [
        f"{level}: {result.warning}"
        for level, result in [
            ("Groups", group),
            *((f"Within {labels[g]}", r) for g, r in within.items()),
        ]
        if result.warning is not None
    ]
    return StakeholderWeights(overrides, group, within, effective, warnings)


def panel_weights(
    cset: CriteriaSet,
    stakeholders: Sequence[Stakeholder],
    sector: str,
    *,
    influence: Sequence[float] | None = None,
) -> PanelWeights:
    """Combine the stakeholders' judgements into the panel's weighting.

    The rule (Forman & Peniwati 1998):

    - group weights: AIJ, the element-wise weighted geometric mean of the stakeholders'
      group matrices (:func:`~siteselect.elicit.aggregate_judgements`), then AHP;
    - within a group that *every* stakeholder judged: AIJ of their matrices, then AHP;
    - within a group judged by some or none: AIP, the weighted geometric mean of the
      stakeholders' within-group weights (AHP priorities where judged, profile × sector
      relevance otherwise; :func:`~siteselect.elicit.aggregate_priorities`). A stakeholder
      whose profile gives the whole group zero weight is left out of that mean; if the
      geometric mean is zero for every criterion the arithmetic mean is used.

    ``influence`` weighs the stakeholders (non-negative, in panel order; equal by
    default). ``method_note`` says in plain words which rule was used where; consensus is
    Goepel's S over the stakeholders' effective weight vectors (unweighted).

    Raises
    ------
    SiteSelectError
        Listing the problems of every stakeholder at once; a bad ``influence``.
    """
    people = _check_panel(stakeholders)
    shares = _check_influence(influence, people)
    cset.sector(sector)
    per, problems = [], []
    for person in people:
        try:
            per.append(_stakeholder_weights(cset, person, sector))
        except SiteSelectError as exc:
            problems.append(str(exc))
    _fail("the panel", problems)
    labels = _group_labels(cset)
    members = _members(cset)
    names = display_names(people)
    n = len(people)
    group_matrix = aggregate_judgements(
        [_matrix(list(labels), p.group_judgements) for p in people], shares.tolist()
    )
    group = ahp_analysis(group_matrix)
    overrides = {g: float(group.weights[g]) for g in labels}
    within: dict[str, AHPResult] = {}
    notes = [
        f"Group weights: AIJ — the geometric mean, cell by cell, of the {n} stakeholders' "
        "pairwise comparisons of the groups, then AHP."
    ]
    for g, ids in members.items():
        judged = [i for i, p in enumerate(people) if g in p.criterion_judgements]
        if len(judged) == n:
            matrix = aggregate_judgements(
                [_matrix(ids, p.criterion_judgements[g]) for p in people], shares.tolist()
            )
            within[g] = ahp_analysis(matrix)
            overrides.update({c: float(within[g].weights[c]) for c in ids})
            notes.append(
                f"Within {labels[g]}: AIJ — every stakeholder compared these criteria, so "
                "their comparisons were combined by geometric mean, then AHP."
            )
            continue
        vectors = [pd.Series({c: w.overrides[c] for c in ids}) for w in per]
        combined, note = _aip(vectors, shares, names)
        overrides.update({c: float(combined[c]) for c in ids})
        if judged:
            who = ", ".join(names[i] for i in judged)
            source = (
                f"judged by {len(judged)} of {n}: {who}; the others keep their profile's weights"
            )
        else:
            source = "nobody compared these criteria, so each profile's weights were used"
        notes.append(
            f"Within {labels[g]}: AIP — the geometric mean of the stakeholders' "
            f"within-group weights ({source}){note}."
        )
    if influence is None:
        notes.append("Every stakeholder has the same influence.")
    else:
        notes.append(
            "Influence: " + ", ".join(f"{m} {s:.0%}" for m, s in zip(names, shares, strict=True))
        )
    effective = cset.weights(people[0].profile, sector, overrides).effective
    warnings = [
        f"{level}: {result.warning}"
        for level, result in [
            ("Panel groups", group),
            *((f"Panel within {labels[g]}", r) for g, r in within.items()),
        ]
        if result.warning is not None
    ]
    return PanelWeights(
        overrides=overrides,
        group=group,
        effective=effective,
        consensus=consensus([w.effective for w in per]),
        per_stakeholder=dict(zip(names, per, strict=True)),
        method_note=" ".join(notes),
        within=within,
        warnings=warnings,
        sector=sector,
        influence=tuple(float(s) for s in shares),
    )


def panel_rankings(
    catalog: Catalog,
    cset: CriteriaSet,
    stakeholders: Sequence[Stakeholder],
    *,
    sector: str,
    method: str,
    missing: str,
    table: DecisionTable | None = None,
    panel: PanelWeights | None = None,
) -> pd.DataFrame:
    """Each stakeholder's rank of every site, the panel's rank and their spread.

    Returns
    -------
    pd.DataFrame
        Indexed by site id (every site ranked under any of the weightings): ``name``, one
        rank column per stakeholder (named by :func:`display_names`), ``group`` (the rank
        under ``panel``'s weights) and ``spread`` (highest minus lowest stakeholder rank),
        as nullable integers (missing where a missing-value policy dropped the site);
        sorted by the group rank.

    ``panel`` defaults to :func:`panel_weights` with equal influence; ``table`` is a
    decision table already built for this catalogue and sector.
    """
    people = _check_panel(stakeholders)
    if panel is None:
        panel = panel_weights(cset, people, sector)
    _check_matches(people, panel, sector)
    common: dict[str, Any] = {"sector": sector, "method": method, "missing": missing}
    group = evaluate(
        catalog, cset, profile=people[0].profile, weights=panel.overrides, table=table, **common
    )
    ranks = {}
    for (name, weights), person in zip(panel.per_stakeholder.items(), people, strict=True):
        result = evaluate(
            catalog,
            cset,
            profile=person.profile,
            weights=weights.overrides,
            table=group.table,
            **common,
        )
        ranks[name] = result.ranking["rank"]
    order = group.ranking.index
    others = [s for s in catalog.sites.index if s not in set(order)]
    extra = [s for s in others if any(s in r.index for r in ranks.values())]
    index = order.append(pd.Index(extra))
    frame = pd.DataFrame(
        {name: rank.reindex(index) for name, rank in ranks.items()}, index=index
    ).astype("Int64")
    spread = (frame.max(axis=1) - frame.min(axis=1)).astype("Int64")
    frame.insert(0, "name", catalog.sites["name"].reindex(index))
    frame["group"] = group.ranking["rank"].reindex(index).astype("Int64")
    frame["spread"] = spread
    frame.index.name = catalog.sites.index.name
    return frame


def display_names(stakeholders: Sequence[Stakeholder]) -> list[str]:
    """Unique column names: the stakeholders' names, a repeat numbered " (2)", " (3)" ….

    A name equal to a reserved column (:data:`RESERVED_COLUMNS`) is numbered too.

    Examples
    --------
    >>> people = [Stakeholder(n, "", {}) for n in ("Ana", "Ana", "group")]
    >>> display_names(people)
    ['Ana', 'Ana (2)', 'group (2)']
    """
    taken = set(RESERVED_COLUMNS)
    out = []
    for person in stakeholders:
        name, k = person.name, 1
        while name in taken:
            k += 1
            name = f"{person.name} ({k})"
        taken.add(name)
        out.append(name)
    return out


def elicitation_record(stakeholders: Sequence[Stakeholder], panel: PanelWeights) -> dict[str, Any]:
    """The panel as JSON data, for ``Scenario.elicitation``.

    Per stakeholder: name, role, profile, judgements as ``[a, b, value]`` lists, group
    priorities and consistency ratios; plus the sector, the influence, the aggregation
    note, the consensus and the panel's overrides. :func:`stakeholders_from_record`
    reads the stakeholders back.
    """
    people = _check_panel(stakeholders)
    _check_matches(people, panel, panel.sector)
    members = []
    for person, weights in zip(people, panel.per_stakeholder.values(), strict=True):
        members.append(
            {
                "name": person.name,
                "role": person.role,
                "profile": person.profile,
                "group_judgements": _triples(person.group_judgements),
                "criterion_judgements": {
                    g: _triples(j) for g, j in person.criterion_judgements.items()
                },
                "group_priorities": {str(g): float(w) for g, w in weights.group.weights.items()},
                "cr": float(weights.group.cr),
                "within_cr": {g: float(r.cr) for g, r in weights.within.items()},
            }
        )
    return {
        "method": RECORD_METHOD,
        "version": RECORD_VERSION,
        "sector": panel.sector,
        "stakeholders": members,
        "influence": list(panel.influence),
        "aggregation": panel.method_note,
        "consensus": float(panel.consensus.consensus),
        "overrides": {k: float(v) for k, v in panel.overrides.items()},
    }


def stakeholders_from_record(record: Mapping[str, Any]) -> list[Stakeholder]:
    """The stakeholders saved by :func:`elicitation_record` (e.g. after ``json.loads``).

    Raises
    ------
    SiteSelectError
        Listing every problem, each naming where in the record it is.
    """
    if not isinstance(record, Mapping):
        raise SiteSelectError(f"an elicitation record is a mapping; got {type(record).__name__}")
    problems = []
    if record.get("method") != RECORD_METHOD:
        problems.append(f"method must be {RECORD_METHOD!r}; got {record.get('method')!r}")
    if record.get("version") != RECORD_VERSION:
        problems.append(f"version must be {RECORD_VERSION}; got {record.get('version')!r}")
    members = record.get("stakeholders")
    if not isinstance(members, list) or not members:
        problems.append("stakeholders must be a non-empty list")
        members = []
    people = []
    for i, member in enumerate(members):
        where = f"stakeholders[{i}]"
        if not isinstance(member, Mapping):
            problems.append(f"{where} must be a mapping; got {type(member).__name__}")
            continue
        absent = [k for k in ("name", "role", "profile", "group_judgements") if k not in member]
        if absent:
            problems.append(f"{where} lacks {', '.join(absent)}")
            continue
        found: list[str] = []
        groups = _pairs(f"{where}.group_judgements", member["group_judgements"], found)
        within = {}
        raw = member.get("criterion_judgements", {})
        if not isinstance(raw, Mapping):
            found.append(f"{where}.criterion_judgements must be a mapping group id → list")
        else:
            for g, triples in raw.items():
                within[g] = _pairs(f"{where}.criterion_judgements[{g!r}]", triples, found)
        try:
            person = Stakeholder(
                name=member["name"],
                role=member["role"],
                group_judgements=groups,
                criterion_judgements=within,
                profile=member["profile"],
            )
        except SiteSelectError as exc:
            found.append(f"{where}: {exc}")
        if not found:
            people.append(person)
        problems += found
    _fail("the elicitation record", problems)
    return people


def _fail(what: str, problems: Sequence[str]) -> None:
    if problems:
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in {what}:"
        lines = [head, *(f"  - {p}".replace("\n", "\n    ") for p in problems)]
        raise SiteSelectError("\n".join(lines))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_number(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is not a real number (bools are not)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return None
    if isinstance(value, np.complexfloating):
        return None
    return float(value)


def _judgement_problems(
    what: str, judgements: Any, problems: list[str]
) -> dict[tuple[str, str], float]:
    """Shape-check one set of judgements; return a private copy with float values."""
    if not isinstance(judgements, Mapping):
        problems.append(
            f"{what} must be a mapping (a, b) → value; got {type(judgements).__name__}"
        )
        return {}
    out = {}
    for key, raw in judgements.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(x, str) for x in key)):
            problems.append(f"{what}: key {key!r} is not a pair of ids (a, b)")
            continue
        value = _as_number(raw)
        if value is None or not math.isfinite(value):
            problems.append(f"{what}{list(key)}: not a number: {raw!r}")
        elif not 1 / SCALE_MAX - TOLERANCE <= value <= SCALE_MAX + TOLERANCE:
            problems.append(
                f"{what}{list(key)} = {value:g} is off Saaty's scale; judgements run from 1/9 to 9"
            )
        else:
            out[(key[0], key[1])] = value
    return out


def _pairs(where: str, triples: Any, problems: list[str]) -> dict[tuple[str, str], Any]:
    """``[[a, b, value], ...]`` from a record as a mapping; shape problems are appended."""
    if not isinstance(triples, list):
        problems.append(f"{where} must be a list of [a, b, value]; got {type(triples).__name__}")
        return {}
    out = {}
    for j, item in enumerate(triples):
        if not (
            isinstance(item, list | tuple)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], str)
        ):
            problems.append(f"{where}[{j}] must be [a, b, value] with ids a, b; got {item!r}")
            continue
        if (item[0], item[1]) in out:
            problems.append(f"{where}[{j}] repeats the pair ({item[0]!r}, {item[1]!r})")
            continue
        out[(item[0], item[1])] = item[2]
    return out


def _triples(judgements: Mapping[tuple[str, str], float]) -> list[list[Any]]:
    return [[a, b, float(v)] for (a, b), v in judgements.items()]


def _group_labels(cset: CriteriaSet) -> dict[str, str]:
    return {g.id: g.label for g in cset.groups}


def _members(cset: CriteriaSet) -> dict[str, list[str]]:
    """Criterion ids of each group, in the criteria file's order."""
    return {g.id: [c.id for c in cset.criteria if c.group == g.id] for g in cset.groups}


def _matrix(labels: list[str], judgements: Mapping[Any, float]) -> pd.DataFrame:
    return ahp_from_judgements(labels, judgements)


def _analyse(
    level: str, labels: list[str], judgements: Mapping[Any, float], problems: list[str]
) -> AHPResult | None:
    try:
        return ahp_analysis(_matrix(labels, judgements))
    except SiteSelectError as exc:
        problems.append(f"{level}: {exc}")
        return None


def _aip(vectors: list[pd.Series], shares: np.ndarray, names: list[str]) -> tuple[pd.Series, str]:
    """AIP of within-group vectors, leaving out all-zero ones; and a note on what was done."""
    keep = [i for i, v in enumerate(vectors) if v.sum() > 0 and shares[i] > 0]
    note = ""
    left_out = [names[i] for i, v in enumerate(vectors) if v.sum() <= 0]
    if left_out:
        note = f"; left out, their profile gives this group no weight: {', '.join(left_out)}"
    if not keep:
        return vectors[0] * 0.0, note
    chosen = [vectors[i] for i in keep]
    weights = [float(shares[i]) for i in keep]
    if (np.vstack([v.to_numpy() for v in chosen]) == 0).any(axis=0).all():
        return aggregate_priorities(chosen, weights, mean="arithmetic"), (
            note + "; arithmetic mean, as the geometric mean is zero for every criterion"
        )
    return aggregate_priorities(chosen, weights), note


def _check_panel(stakeholders: Any) -> list[Stakeholder]:
    if isinstance(stakeholders, Stakeholder) or not isinstance(stakeholders, Sequence):
        raise SiteSelectError("a panel is a list of Stakeholder")
    people = list(stakeholders)
    if not people:
        raise SiteSelectError("a panel needs at least one stakeholder")
    bad = [f"#{i + 1}" for i, p in enumerate(people) if not isinstance(p, Stakeholder)]
    if bad:
        raise SiteSelectError(f"panel members that are not a Stakeholder: {', '.join(bad)}")
    return people


def _check_influence(influence: Sequence[float] | None, people: list[Stakeholder]) -> np.ndarray:
    n = len(people)
    if influence is None:
        return np.full(n, 1.0 / n)
    if isinstance(influence, str | bytes) or not isinstance(influence, Sequence):
        raise SiteSelectError("influence must be a list of numbers, one per stakeholder")
    if len(influence) != n:
        raise SiteSelectError(f"influence has {len(influence)} numbers for {n} stakeholders")
    values = [_as_number(x) for x in influence]
    bad = [
        f"{p.name!r}: {raw!r}"
        for p, raw, v in zip(people, influence, values, strict=True)
        if v is None or not math.isfinite(v) or v < 0
    ]
    if bad:
        raise SiteSelectError(f"influence must be non-negative numbers: {', '.join(bad)}")
    array = np.asarray(values, dtype=float)
    if array.sum() <= 0:
        raise SiteSelectError("influence is zero for every stakeholder")
    return array / array.sum()


def _check_matches(people: list[Stakeholder], panel: PanelWeights, sector: str) -> None:
    if not isinstance(panel, PanelWeights):
        raise SiteSelectError(f"panel must be a PanelWeights; got {type(panel).__name__}")
    names = display_names(people)
    if list(panel.per_stakeholder) != names:
        raise SiteSelectError(
            f"the panel weights were computed for {list(panel.per_stakeholder)}, not for "
            f"these stakeholders {names}"
        )
    if panel.sector != sector:
        raise SiteSelectError(
            f"the panel weights were computed for sector {panel.sector!r}, not {sector!r}"
        )
