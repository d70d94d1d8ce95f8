"""What the decision record says, as plain data: sentences and text-only tables.

Nothing here computes a score or a weight: everything reads an
:class:`~siteselect.ranking.Evaluation` (its weights, ranking, explanation, provenance) and
what the robustness functions return. :mod:`siteselect.record.html` lays it out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from siteselect.errors import SiteSelectError
from siteselect.markets import default_markets
from siteselect.methods import METHODS
from siteselect.ranking import Evaluation
from siteselect.record.formatting import (
    DASH,
    cell_text,
    is_missing,
    number,
    percent,
    plain_numbers,
    score_text,
    usd_millions,
    with_unit,
    year_text,
)

COUNTRY_NAMES = {"PHL": "Philippines", "MEX": "Mexico", "USA": "United States"}
POLICY_TEXT = {
    "worst": "a missing value takes the worst value observed for that criterion",
    "mean": "a missing value takes the mean of the observed values",
    "drop_criterion": "a criterion with any missing value is left out",
    "drop_site": "a site with any missing value is left out",
}
TOP_N = 5
STABLE_SHARE = 0.25
"""First place is called stable when every single weight can move by this share of itself
(others rescaled) without another site taking first place."""
MAX_NOTES = 2
"""Robustness notes shown on the summary page (what was sampled, by which rule)."""
_AS_OF = re.compile(r"as of (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Table:
    """A text-only table: ``columns`` and ``rows`` of strings; ``numeric`` columns right."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[str] = frozenset()
    wide: bool = False

    @classmethod
    def of(cls, frame: pd.DataFrame, *, numeric: Sequence[str] = (), wide: bool = False) -> Table:
        rows = tuple(
            tuple(cell_text(v) for v in rec) for rec in frame.itertuples(index=False, name=None)
        )
        return cls(tuple(str(c) for c in frame.columns), rows, frozenset(numeric), wide)


@dataclass(frozen=True)
class Robustness:
    """The robustness verdict: one headline, its supporting sentences, what was run."""

    headline: str
    details: tuple[str, ...]
    ran: str


@dataclass(frozen=True)
class RecordContent:
    """Everything the record shows, already in words and text tables."""

    title: str
    facts: tuple[tuple[str, str], ...]
    question: str
    method: str
    weights: Table
    elicitation: tuple[str, ...]
    elicitation_table: Table | None
    top_sites: Table
    robustness: Robustness
    data_notice: str
    caveats: tuple[str, ...]
    comment: str
    ranking: Table
    excluded: Table | None
    explanation_note: str
    explanation: Table
    provenance: Table
    shared_inputs: Table | None
    cost: Table | None
    cost_note: str
    sources: Table
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def site_place(row: Mapping[str, Any]) -> str:
    """``"Central Luzon, Philippines"`` from a ranking row."""
    country = COUNTRY_NAMES.get(str(row.get("country")), cell_text(row.get("country")))
    region = row.get("region")
    return country if is_missing(region) else f"{region}, {country}"


def method_words(evaluation: Evaluation) -> str:
    """The method's label and each of its parameters in words."""
    method = METHODS[evaluation.method]
    params = {**method.defaults, **dict(evaluation.params)}
    parts = []
    for p in method.params:
        value = params.get(p.name, p.default)
        shown = cell_text(value) if not isinstance(value, str) else value
        default = "" if value != p.default else " (default)"
        parts.append(f"{p.doc}: {shown}{default}")
    policy = POLICY_TEXT.get(evaluation.policy.policy, evaluation.policy.policy)
    text = method.label + (f" — {'; '.join(parts)}" if parts else "")
    return f"{text}. Missing values: {policy}."


def used_weights(evaluation: Evaluation) -> pd.Series:
    """The criterion weights the method ranked with (criteria left out get none), as
    shares summing to 1."""
    effective = evaluation.weights.effective.reindex(evaluation.policy.matrix.columns)
    total = float(effective.sum())
    return effective / total if total > 0 else effective


def weights_table(evaluation: Evaluation) -> Table:
    """One row per group: its share, then each criterion's share of the total (the
    weights used: a criterion left out gets none)."""
    used = used_weights(evaluation)
    cset = evaluation.criteria
    rows = []
    for group in cset.groups:
        members = [c for c in cset.criteria if c.group == group.id]
        share = sum(float(used.get(c.id, 0.0)) for c in members if not pd.isna(used.get(c.id)))
        parts = []
        for crit in members:
            weight = used.get(crit.id)
            missing = weight is None or pd.isna(weight)
            parts.append(f"{crit.label} {'left out' if missing else percent(weight)}")
        rows.append((group.label, percent(share), "; ".join(parts)))
    return Table(
        ("group", "share", "criteria (share of the total)"),
        tuple(rows),
        frozenset({"share"}),
    )


def elicitation_text(
    evaluation: Evaluation,
    elicitation: Mapping[str, Any] | None,
    overrides: Mapping[str, float] | None,
) -> tuple[tuple[str, ...], Table | None]:
    """How the weights were obtained, in sentences, and a table for an AHP panel."""
    cset = evaluation.criteria
    profile = cset.profile(evaluation.profile).label
    sector = cset.sector(evaluation.sector).label
    names = {g.id: g.label for g in cset.groups} | {c.id: c.label for c in cset.criteria}
    lines = [
        f"Starting point: the “{profile}” profile preset, with the relevance factors of "
        f"the sector “{sector}”."
    ]
    if overrides:
        changed = ", ".join(f"{names.get(k, k)} {number(v)}" for k, v in sorted(overrides.items()))
        lines.append(
            f"Set directly by the user ({len(overrides)} slider value(s) changed from the "
            f"preset): {changed}."
        )
    if not elicitation:
        return tuple(lines), None
    if elicitation.get("method") != "ahp_panel":
        flat = "; ".join(f"{k}: {v}" for k, v in elicitation.items() if not isinstance(v, dict))
        lines.append(f"Elicitation notes: {flat or 'recorded, in an unrecognised form'}.")
        return tuple(lines), None
    members = elicitation.get("stakeholders") or []
    lines.append(
        f"AHP panel of {len(members)} stakeholder(s): pairwise judgements per person, "
        f"consistency ratio (CR) per person; aggregation: {elicitation.get('aggregation', DASH)}."
    )
    consensus = elicitation.get("consensus")
    if not is_missing(consensus):
        lines.append(f"Panel consensus (1 = identical priorities): {number(consensus)}.")
    rows = []
    influence = list(elicitation.get("influence") or [])
    for i, member in enumerate(members):
        if not isinstance(member, Mapping):
            continue
        priorities = member.get("group_priorities") or {}
        top = sorted(priorities.items(), key=lambda kv: -float(kv[1]))
        rows.append(
            (
                str(member.get("name", DASH)),
                str(member.get("role", DASH)) or DASH,
                number(influence[i]) if i < len(influence) else DASH,
                ", ".join(f"{names.get(g, g)} {percent(w, decimals=0)}" for g, w in top),
                number(member.get("cr")),
                "yes" if not is_missing(member.get("cr")) and float(member["cr"]) <= 0.1 else "no",
            )
        )
    table = Table(
        ("stakeholder", "role", "influence", "group priorities", "CR", "CR ≤ 0.10"),
        tuple(rows),
        frozenset({"influence", "CR"}),
    )
    return tuple(lines), table


def reason_line(evaluation: Evaluation, site_id: str) -> str:
    """One line from the method's own contributions: where the site gains and loses most."""
    why = evaluation.reasons(site_id, k=2)
    parts = []
    if why["strengths"]:
        parts.append("strongest on " + ", ".join(why["strengths"]))
    if why["weaknesses"]:
        parts.append("weakest on " + ", ".join(why["weaknesses"]))
    return "; ".join(parts) or "close to the average site on every criterion"


def top_sites_table(evaluation: Evaluation, n: int = TOP_N) -> Table:
    ranking = evaluation.ranking.sort_values("rank", kind="stable")
    rows = []
    for sid, row in ranking.head(n).iterrows():
        rows.append(
            (
                str(int(row["rank"])),
                str(row["name"]),
                site_place(row),
                score_text(row["score"]),
                reason_line(evaluation, str(sid)),
            )
        )
    return Table(
        ("rank", "site", "where", "score", "why (the method's own contributions)"),
        tuple(rows),
        frozenset({"rank", "score"}),
    )


def ranking_table(evaluation: Evaluation) -> Table:
    """Every ranked site with its score and group subscores (group labels)."""
    ranking = evaluation.ranking.sort_values("rank", kind="stable")
    groups = {f"subscore_{g.id}": g.label for g in evaluation.criteria.groups}
    subs = [c for c in ranking.columns if c in groups]
    frame = pd.DataFrame(
        {
            "rank": ranking["rank"].astype(int).astype(str),
            "site": ranking["name"],
            "where": [site_place(r) for _, r in ranking.iterrows()],
            "score": ranking["score"].map(score_text),
            **{groups[c]: ranking[c].map(score_text) for c in subs},
        }
    )
    return Table.of(frame, numeric=["rank", "score", *(groups[c] for c in subs)], wide=True)


def excluded_table(evaluation: Evaluation) -> Table | None:
    ex = evaluation.excluded
    if ex is None or ex.empty:
        return None
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    frame = pd.DataFrame(
        {
            "site": ex["name"],
            "country": ex["country"].map(lambda c: COUNTRY_NAMES.get(str(c), cell_text(c))),
            "criterion": ex["criterion"].map(lambda c: labels.get(str(c), str(c))),
            "value": ex["value"],
            "why excluded": ex["reason"],
        }
    )
    return Table.of(frame, numeric=["value"])


def explanation_table(evaluation: Evaluation) -> tuple[str, Table]:
    """Per site, the method's contribution of each criterion (scaled to be readable)."""
    exp = evaluation.explanation
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    contrib = evaluation.contributions
    ranking = evaluation.ranking.sort_values("rank", kind="stable")
    contrib = contrib.reindex(ranking.index)
    peak = float(contrib.abs().to_numpy().max()) if contrib.size else 0.0
    power = 0
    while peak and peak * 10 ** (power + 3) < 1000 and power < 12:
        power += 3
    scaled = contrib * 10**power
    frame = pd.DataFrame(
        {"rank": ranking["rank"].astype(int).astype(str), "site": ranking["name"]}
    )
    for crit in contrib.columns:
        frame[labels.get(crit, crit)] = scaled[crit]
    frame["score"] = ranking["score"].map(score_text)
    unit = f" Contributions are shown × 10^{power}." if power else ""
    note = (
        f"Each value is {exp.contribution_meaning}. Score: {exp.formula}. "
        f"Group subscores: {exp.group_rule}.{unit}"
    )
    numeric = [c for c in frame.columns if c != "site"]
    return plain_numbers(note), Table.of(frame, numeric=numeric, wide=True)


def split_parts(text: str) -> list[str]:
    """``text`` split at ``"; "`` outside parentheses and quotes.

    >>> split_parts("a; b (x; y); c")
    ['a', 'b (x; y)', 'c']
    """
    parts: list[str] = []
    current: list[str] = []
    depth = i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth > 0:
            depth -= 1
        if depth == 0 and text.startswith("; ", i):
            parts.append("".join(current))
            current = []
            i += 2
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p for p in parts if p]


def shared_inputs(
    derivations: Sequence[str], *, min_count: int = 3, min_len: int = 50
) -> dict[str, str]:
    """Parts of derivations repeated in at least ``min_count`` cells (and long): part →
    key (``N1``, ``N2``...), so a table can cite them once."""
    counts: dict[str, int] = {}
    for text in derivations:
        for part in set(split_parts(text)):
            counts[part] = counts.get(part, 0) + 1
    shared = [p for p, n in counts.items() if n >= min_count and len(p) >= min_len]
    return {p: f"N{i}" for i, p in enumerate(sorted(shared), start=1)}


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def provenance_tables(
    evaluation: Evaluation, refs: Mapping[tuple[str, str], str]
) -> tuple[Table, Table | None]:
    """Every value used, with its unit, source (by its key in the sources list), year,
    as-of date and how it was found or computed; inputs shared by many cells (the same
    sea speed, the same port days...) are cited by a key and listed once."""
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    cells = evaluation.table.cells
    used = cells[
        cells["criterion"].isin(evaluation.policy.matrix.columns)
        & cells["site_id"].isin(evaluation.policy.matrix.index)
    ]
    derivations = ["" if is_missing(d) else str(d) for d in used["derivation"]]
    notes = shared_inputs(derivations)
    names = evaluation.ranking["name"]
    imputed = evaluation.policy.imputed
    order = {sid: i for i, sid in enumerate(evaluation.ranking.sort_values("rank").index)}
    rows = []
    for rec, derivation in zip(used.itertuples(index=False), derivations, strict=True):
        sid, crit = str(rec.site_id), str(rec.criterion)
        value = with_unit(rec.value, rec.unit)
        if is_missing(rec.value) and sid in imputed.index and bool(imputed.at[sid, crit]):
            filled = evaluation.policy.matrix.at[sid, crit]
            value = f"missing; {with_unit(filled, rec.unit)} imputed ({evaluation.policy.policy})"
        as_of = _AS_OF.search(derivation)
        how = plain_numbers("; ".join(notes.get(p, p) for p in split_parts(derivation)))
        source = cell_text(rec.source)
        ref = refs.get((source, cell_text(rec.url)))
        rows.append(
            (
                order.get(sid, len(order)),
                (
                    str(names.get(sid, sid)),
                    labels.get(crit, crit),
                    value,
                    f"{ref} {_short(source)}" if ref else source,
                    year_text(rec.year),
                    as_of.group(1) if as_of else DASH,
                    how or DASH,
                ),
            )
        )
    rows.sort(key=lambda r: r[0])
    table = Table(
        ("site", "criterion", "value", "source (key: Annex 6)", "year", "as of", "how"),
        tuple(r for _, r in rows),
        frozenset({"year"}),
        wide=True,
    )
    shared = (
        Table(
            ("key", "input shared by many values"),
            tuple((k, plain_numbers(p)) for p, k in notes.items()),
        )
        if notes
        else None
    )
    return table, shared


def cost_table(evaluation: Evaluation) -> tuple[str, Table | None]:
    """Annual cost of operation per ranked site by component, USD millions."""
    cost = evaluation.cost
    if cost is None:
        return "", None
    wide = cost.wide().reindex(evaluation.ranking.sort_values("rank", kind="stable").index)
    parts = cost.breakdown
    flagged = parts[parts["imputed"].astype(str).str.len() > 0]
    marks = {(str(r.site_id), str(r.component)) for r in flagged.itertuples()}
    frame = pd.DataFrame(
        {
            "rank": evaluation.ranking["rank"].reindex(wide.index).astype(int).astype(str),
            "site": evaluation.ranking["name"].reindex(wide.index),
        }
    )
    for col in wide.columns:
        frame[str(col)] = [
            usd_millions(v) + (" *" if (str(sid), str(col)) in marks else "")
            for sid, v in wide[col].items()
        ]
    project = cost.project
    note = (
        f"Reference project: {project.label}, {number(project.headcount_total)} staff. "
        "Amounts per year in USD millions; * = component filled by the missing-value "
        "policy (see the caveats). Assumptions: " + "; ".join(project.assumptions()) + "."
    )
    return plain_numbers(note), Table.of(frame, numeric=[c for c in frame.columns if c != "site"])


def sources_table(
    evaluation: Evaluation, extra: Sequence[tuple[str, str]] = ()
) -> tuple[Table, dict[tuple[str, str], str]]:
    """Each distinct source of the values used (key ``S1``...), the years cited and its
    link; and the key of each (source, link)."""
    cells = evaluation.table.cells
    used = cells[cells["criterion"].isin(evaluation.policy.matrix.columns)]
    used = used[used["source"].astype(str).str.strip() != ""]
    rows: list[tuple[str, ...]] = []
    refs: dict[tuple[str, str], str] = {}
    for (source, url), grp in used.groupby(["source", "url"], sort=True, dropna=False):
        years = sorted({year_text(y) for y in grp["year"] if not is_missing(y)})
        key = f"S{len(rows) + 1}"
        refs[(cell_text(source), cell_text(url))] = key
        rows.append((key, str(source), ", ".join(years) or DASH, cell_text(url)))
    for source, url in extra:
        rows.append((f"S{len(rows) + 1}", source, DASH, cell_text(url)))
    return Table(("key", "source", "years cited", "link"), tuple(rows)), refs


def robustness_verdict(
    evaluation: Evaluation,
    *,
    acceptability: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    summary_notes: Sequence[str] = (),
) -> Robustness:
    """A verdict from SMAA when it was run, else from the stability of the first rank
    (computed here when not given: each weight moved alone, the others rescaled)."""
    ranking = evaluation.ranking.sort_values("rank", kind="stable")
    leader = str(ranking.index[0])
    name = str(ranking.iloc[0]["name"])
    details: list[str] = []
    ran: list[str] = []
    if len(ranking) > 1:
        gap = float(ranking.iloc[0]["score"]) - float(ranking.iloc[1]["score"])
        details.append(
            f"Score of {name}: {score_text(ranking.iloc[0]['score'])}; of the runner-up "
            f"{ranking.iloc[1]['name']}: {score_text(ranking.iloc[1]['score'])} "
            f"(gap {number(gap)})."
        )
    headline = ""
    if acceptability is not None and leader in acceptability.index:
        share = float(acceptability.loc[leader].iloc[0])
        best = acceptability.iloc[:, 0].idxmax()
        ran.append("SMAA (stochastic multicriteria acceptability analysis)")
        headline = f"{name} ranks first in {percent(share, decimals=0)} of the sampled weightings"
        if str(best) != leader:
            headline += (
                f"; {evaluation.ranking.at[best, 'name']} ranks first more often "
                f"({percent(float(acceptability.loc[best].iloc[0]), decimals=0)})"
            )
        headline += "."
        details += list(summary_notes)[:MAX_NOTES]
    if stability is None:
        stability = _stability(evaluation)
        if stability is not None:
            ran.append("stability intervals of the first rank (computed for this record)")
    else:
        ran.append("stability intervals of the first rank")
    if stability is not None and len(stability):
        labels = {c.id: c.label for c in evaluation.criteria.criteria}
        cur = stability["current"].astype(float)
        room = pd.concat(
            [(cur - stability["low"].astype(float)), (stability["high"].astype(float) - cur)],
            axis=1,
        ).min(axis=1)
        relative = (room / cur.where(cur > 0)).dropna()
        if len(relative):
            tight = str(relative.idxmin())
            row = stability.loc[tight]
            stable = bool(relative.min() >= STABLE_SHARE)
            verdict = (
                f"First place is stable: every single weight can move by "
                f"±{percent(STABLE_SHARE, decimals=0)} of itself without {name} losing it."
                if stable
                else f"First place is sensitive: {name} stays first only while the weight "
                f"of {labels.get(tight, tight)} stays between {percent(row['low'])} and "
                f"{percent(row['high'])} (now {percent(row['current'])})."
            )
            headline = headline or verdict
            if headline != verdict:
                details.append(verdict)
            if stable or headline != verdict:
                details.append(
                    f"The tightest weight is {labels.get(tight, tight)}: first place holds "
                    f"between {percent(row['low'])} and {percent(row['high'])} "
                    f"(now {percent(row['current'])})."
                )
    if not headline:
        headline = "Not assessed (the stability of the first rank could not be computed)."
    return Robustness(headline, tuple(details), "; ".join(ran) or "none")


def _stability(evaluation: Evaluation) -> pd.DataFrame | None:
    from siteselect.robustness import evaluation_problem, stability_intervals

    if len(evaluation.ranking) < 2:
        return None
    matrix, objectives, weights = evaluation_problem(evaluation)
    try:
        return stability_intervals(
            matrix, objectives, weights, evaluation.method, **dict(evaluation.params)
        )
    except SiteSelectError:
        return None


def question_text(evaluation: Evaluation) -> str:
    """The question the ranking answers, in one sentence."""
    cset = evaluation.criteria
    sector = cset.sector(evaluation.sector).label
    mset = default_markets()
    shares = dict(evaluation.markets) or {"US": 1.0}
    markets = ", ".join(
        f"{mset.market(k).label if k in mset.ids else k} {percent(v, decimals=0)}"
        for k, v in sorted(shares.items(), key=lambda kv: -kv[1])
    )
    countries = sorted(
        {COUNTRY_NAMES.get(str(c), str(c)) for c in evaluation.ranking["country"].dropna()}
    )
    project = ""
    if evaluation.cost is not None:
        p = evaluation.cost.project
        project = f" (reference project: {p.label}, {number(p.headcount_total)} staff)"
    return (
        f"Where should a plant of the sector “{sector}”{project} be sited, serving "
        f"{markets}, among {len(evaluation.ranking)} candidate sites in "
        f"{', '.join(countries)}?"
    )


def caveats(
    evaluation: Evaluation, user_sites: Sequence[str] = (), data_notice: str = ""
) -> tuple[str, ...]:
    """Imputed values and cost components, criteria or sites left out, exclusions, user
    assumptions."""
    out = [*evaluation.policy.notes]
    out += [n for n in evaluation.notes if n.startswith("cost of operation") and n not in out]
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    if evaluation.policy.dropped_criteria:
        out.append(
            "Criteria left out for missing values: "
            + ", ".join(labels.get(c, c) for c in evaluation.policy.dropped_criteria)
            + "."
        )
    if evaluation.policy.dropped_sites:
        out.append(f"{len(evaluation.policy.dropped_sites)} site(s) left out for missing values.")
    if evaluation.excluded is not None and not evaluation.excluded.empty:
        out.append(
            f"{evaluation.excluded['name'].nunique()} site(s) excluded by the sector's hard "
            "limits (annex: excluded sites)."
        )
    cells = evaluation.table.cells
    mine = cells[cells["derivation"].astype(str).str.contains("user", case=False)]
    if len(mine):
        out.append(
            f"{len(mine)} value(s) are the user's own (given in an uploaded site file), "
            "not sourced data."
        )
    if user_sites:
        out.append(f"{len(user_sites)} site(s) were uploaded by the user.")
    if evaluation.cost is not None:
        out.append(
            "The cost of operation rests on the reference project's stated assumptions "
            "(annex: cost breakdown)."
        )
    if not data_notice:
        out.append("No figure in use is past its validity on the day of this record.")
    return tuple(plain_numbers(line) for line in out)
