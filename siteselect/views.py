"""Plain data for the views: comparison tables, contribution charts, shareable view state.

Nothing here computes a score; everything reads an :class:`~siteselect.ranking.Evaluation`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from siteselect.criteria import CriteriaSet, Criterion, WeightBreakdown
from siteselect.errors import SiteSelectError, UnknownNameError
from siteselect.links import (  # noqa: F401 (the view-state API, re-exported here)
    LINK_KEYS,
    MAX_COMPARE,
    MAX_PARAM_CHARS,
    STREAMLIT_KEYS,
    SharedView,
    ViewState,
    check_link_sites,
    decode_link,
    decode_view,
    encode_link,
    encode_view,
    rule_overrides,
)
from siteselect.ranking import Evaluation

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


def md_escape(value: object) -> str:
    r"""Escape text for Streamlit markdown so that user text stays text.

    >>> md_escape("[click](http://x) *bold* $x$ <b>")
    '\\[click\\]\\(http://x\\) \\*bold\\* \\$x\\$ \\<b\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def fmt_number(value: float) -> str:
    """A readable number: thousands separated, three significant digits below 1,000.

    >>> fmt_number(11440.2), fmt_number(0.04913), fmt_number(-0.49), fmt_number(24.5)
    ('11,440', '0.0491', '-0.49', '24.5')
    """
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def better_text(criterion: Criterion) -> str:
    """'higher is better' or 'lower is better' for a criterion."""
    return "higher is better" if criterion.objective == "max" else "lower is better"


def contribution_frame(
    evaluation: Evaluation, site_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Long frame of weighted contributions: site, criterion label, group, contribution."""
    contrib = evaluation.contributions
    if site_ids is not None:
        contrib = contrib.loc[list(site_ids)]
    labels = {c.id: c.label for c in evaluation.criteria.criteria}
    groups = evaluation.criteria.group_of()
    names = evaluation.ranking["name"]
    long = contrib.reset_index(names="site_id").melt(
        id_vars="site_id", var_name="criterion", value_name="contribution"
    )
    long["site"] = [f"#{evaluation.ranking.at[s, 'rank']} {names[s]}" for s in long["site_id"]]
    long["label"] = long["criterion"].map(labels)
    long["group"] = long["criterion"].map(groups)
    return long


def contribution_chart(long: pd.DataFrame, criteria: CriteriaSet) -> Any:
    """A stacked horizontal bar chart (Altair) of :func:`contribution_frame` output.

    Criteria keep one distinct colour each, ordered by group, sites by rank.
    """
    import altair as alt

    order = [c.label for c in criteria.criteria]
    sites = list(dict.fromkeys(long["site"]))
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("sum(contribution):Q", title="contribution (the method's own terms)"),
            y=alt.Y("site:N", sort=sites, title=None, axis=alt.Axis(labelLimit=280)),
            color=alt.Color(
                "label:N",
                sort=order,
                scale=alt.Scale(scheme="tableau20"),
                legend=alt.Legend(title="criterion", orient="bottom", columns=2, labelLimit=320),
            ),
            order=alt.Order("criterion_order:Q"),
            tooltip=[
                alt.Tooltip("site:N"),
                alt.Tooltip("label:N", title="criterion"),
                alt.Tooltip("contribution:Q", format=".3f"),
            ],
        )
        .transform_calculate(criterion_order=f"indexof({order!r}, datum.label)")
        .properties(height=max(260, 34 * len(sites)))
    )


def comparison_table(evaluation: Evaluation, site_ids: Sequence[str]) -> pd.DataFrame:
    """Criteria as rows: the sites' values side by side, then each value's source and year.

    A value the missing-value policy imputed shows the imputed number and says so; a
    missing value not used in the ranking says "missing".
    """
    cells = evaluation.table.cells.set_index(["site_id", "criterion"])
    used = set(evaluation.policy.matrix.columns)
    groups = {g.id: g.label for g in evaluation.criteria.groups}
    in_use = weights_in_use(evaluation)
    names = {
        sid: evaluation.ranking.at[sid, "name"] if sid in evaluation.ranking.index else sid
        for sid in site_ids
    }
    rows = []
    for crit in evaluation.criteria.criteria:
        row: dict[str, Any] = {
            "criterion": crit.label,
            "group": groups.get(crit.group, crit.group),
            "unit": crit.unit,
            "better": better_text(crit).removesuffix(" is better"),
            "share used (%)": float(in_use.at[crit.id, "used"]),
            "used": crit.id in used,
        }
        details: dict[str, Any] = {}
        for sid in site_ids:
            cell = cells.loc[(sid, crit.id)]
            raw = cell["value"]
            missing = raw is None or (isinstance(raw, float) and math.isnan(raw))
            if missing and crit.id in used and sid in evaluation.policy.matrix.index:
                imputed = evaluation.policy.matrix.at[sid, crit.id]
                shown = f"{fmt_number(imputed)} (imputed: {evaluation.policy.policy})"
            elif missing:
                shown = "missing"
            else:
                shown = fmt_number(raw)
            row[names[sid]] = shown
            details[f"{names[sid]} · source"] = cell["source"] or cell["derivation"]
            details[f"{names[sid]} · year"] = "" if pd.isna(cell["year"]) else str(cell["year"])
            details[f"{names[sid]} · how"] = cell["derivation"]
        rows.append({**row, **details})
    return pd.DataFrame(rows)


def comparison_parts(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`comparison_table` as two readable tables: the values side by side, and one
    row per criterion and site with the value's source, year and derivation."""
    detail = [c for c in table.columns if " · " in c]
    values = table.drop(columns=detail)
    sites = list(dict.fromkeys(c.rsplit(" · ", 1)[0] for c in detail))
    rows = []
    for _, row in table.iterrows():
        for site in sites:
            rows.append(
                {
                    "criterion": row["criterion"],
                    "site": site,
                    "value": row[site],
                    "source": row[f"{site} · source"],
                    "year": row[f"{site} · year"],
                    "how": row[f"{site} · how"],
                }
            )
    return values, pd.DataFrame(rows)


@dataclass(frozen=True)
class Scale:
    """What a score or group subscore is under one method: a short name, its range, and
    the method's own rule (``Explanation.group_rule``) for the help text."""

    name: str
    low: float
    high: float

    @property
    def suffix(self) -> str:
        """The column suffix, e.g. ``(closeness 0–1)`` or ``(net flow −1…1)``."""
        if self.low < 0:
            return f"({self.name} −{abs(self.low):g}…{self.high:g})"
        return f"({self.name} {self.low:g}–{self.high:g})"


#: score and subscore scales per method (``higher is better`` for all of them)
SCORE_SCALES: dict[str, Scale] = {
    "wsm": Scale("weighted value", 0.0, 1.0),
    "wpm": Scale("weighted geometric mean", 0.0, 1.0),
    "topsis": Scale("closeness", 0.0, 1.0),
    "vikor": Scale("1 − VIKOR S", 0.0, 1.0),
    "promethee2": Scale("net flow", -1.0, 1.0),
}
SCORE_NAMES = {"vikor": Scale("1 − VIKOR Q", 0.0, 1.0)}


def subscore_scale(method: str) -> Scale:
    """The scale of the group subscores under ``method`` (unknown methods: 0–1 value)."""
    return SCORE_SCALES.get(method, Scale("subscore", 0.0, 1.0))


def score_scale(method: str) -> Scale:
    """The scale of the score under ``method`` (VIKOR's score is 1 − Q)."""
    return SCORE_NAMES.get(method) or subscore_scale(method)


def ranking_frame(evaluation: Evaluation) -> pd.DataFrame:
    """The ranking for display: ranked sites, then the sites the sector's rules exclude.

    Subscore columns are named by group and the method's scale (e.g. ``Proximity to
    Taiwan (net flow −1…1)``), the score column likewise; excluded sites have no rank,
    score or subscores and say why in ``excluded because``.
    """
    groups = {g.id: g.label for g in evaluation.criteria.groups}
    sub = subscore_scale(evaluation.method).suffix
    renamed = {f"subscore_{g}": f"{label} {sub}" for g, label in groups.items()}
    renamed["score"] = f"score {score_scale(evaluation.method).suffix}"
    shown = evaluation.ranking.rename(columns=renamed).copy()
    shown["rank"] = shown["rank"].astype("Int64")
    if len(evaluation.excluded):
        shown["excluded because"] = ""
        ex = evaluation.excluded
        extra = pd.DataFrame(
            {
                "name": ex["name"],
                "country": ex["country"],
                "excluded because": ex["reason"],
            },
            index=ex.index,
        )
        shown = pd.concat([shown, extra])
        shown["rank"] = shown["rank"].astype("Int64")
    return shown


def sliders_from_effective(
    cset: CriteriaSet,
    effective: Mapping[str, float],
    *,
    fallback: Mapping[str, float] | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Group and criterion shares (%) that reproduce ``effective`` weights.

    Group share = 100 × the sum of its criteria's weights over the total; criterion
    share = 100 × its weight over its group's. Criteria absent from ``effective`` weigh
    0. A group with no weight keeps its criterion shares from ``fallback`` (the current
    sliders), else equal shares. Values are not rounded: the sliders then give back
    exactly ``effective`` (rounding would move weights found inside a winning region,
    such as "what would make this site win", towards its edge).

    >>> from siteselect.ranking import default_criteria
    >>> effective = {"operating_cost": 0.6, "taiwan_transit": 0.4}
    >>> g, c = sliders_from_effective(default_criteria(), effective)
    >>> g["cost"], g["proximity"], c["operating_cost"], c["taiwan_transit"], c["logistics"]
    (60.0, 40.0, 100.0, 100.0, 25.0)
    """
    total = sum(max(float(effective.get(c, 0.0)), 0.0) for c in cset.ids)
    if not total > 0:
        raise SiteSelectError("the weights to apply are all zero")
    groups: dict[str, float] = {g.id: 0.0 for g in cset.groups}
    for crit in cset.criteria:
        groups[crit.group] += max(float(effective.get(crit.id, 0.0)), 0.0)
    criteria: dict[str, float] = {}
    for group in cset.groups:
        members = [c.id for c in cset.criteria if c.group == group.id]
        gsum = groups[group.id]
        if gsum > 0:
            for c in members:
                criteria[c] = SHARE_TOTAL * max(float(effective.get(c, 0.0)), 0.0) / gsum
        else:
            kept = {c: float((fallback or {}).get(c, 0.0)) for c in members}
            if sum(kept.values()) <= 0:
                kept = dict.fromkeys(members, 1.0)
            criteria |= _normalised(kept)
    return {g: SHARE_TOTAL * v / total for g, v in groups.items()}, criteria


def rank_changes(a: Evaluation, b: Evaluation, *, k: int = 2) -> pd.DataFrame:
    """How ranks moved from evaluation ``a`` to ``b``, and the criteria that moved them.

    ``why`` names the ``k`` criteria whose weighted contribution to the site changed most
    relative to the average site (what lifted or dropped it against the others), with
    the sign; sites in only one evaluation show a missing rank.
    """
    labels = {c.id: c.label for c in a.criteria.criteria}
    ids = list(dict.fromkeys([*b.ranking.index, *a.ranking.index]))
    ca = a.contributions.reindex(index=ids, columns=a.criteria.ids).fillna(0.0)
    cb = b.contributions.reindex(index=ids, columns=b.criteria.ids).fillna(0.0)
    delta = cb - ca
    delta = delta - delta.mean()
    rows = []
    for sid in ids:
        ra = a.ranking["rank"].get(sid)
        rb = b.ranking["rank"].get(sid)
        name = b.ranking["name"].get(sid, a.ranking["name"].get(sid))
        top = delta.loc[sid].abs().sort_values(ascending=False).head(k)
        why = ", ".join(
            f"{labels.get(c, c)} {'+' if delta.at[sid, c] > 0 else '−'}{abs(delta.at[sid, c]):.3f}"
            for c in top.index
            if abs(delta.at[sid, c]) > 1e-9
        )
        moved = None if ra is None or rb is None else int(ra) - int(rb)
        rows.append(
            {
                "site_id": sid,
                "name": name,
                "rank A": ra,
                "rank B": rb,
                "moved up by": moved,
                "why (contribution change)": why,
            }
        )
    return pd.DataFrame(rows).set_index("site_id")


def with_labels(text: str, names: Mapping[str, str]) -> str:
    """Replace ids (criteria, sites) in a message by their human names, whole words only.

    >>> with_labels("from labour_cost to sea_distance makes US-TX-FTW first",
    ...             {"labour_cost": "Minimum wage", "sea_distance": "Sea route",
    ...              "US-TX-FTW": "Fort Worth"})
    'from Minimum wage to Sea route makes Fort Worth first'
    """
    if not names:
        return text
    keys = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")
    return pattern.sub(lambda m: names[m.group(1)], text)


def sweep_chart(sweep: pd.DataFrame, current: float | None = None) -> Any:
    """Ranks (1 on top) against a swept weight, shown in % of the score; a rule marks the
    current weight.

    ``sweep`` needs ``weight``, ``rank`` and ``site`` columns; the legend keeps the order in
    which sites first appear (pass them sorted by current rank).
    """
    import altair as alt

    order = list(dict.fromkeys(sweep["site"]))
    top = int(sweep["rank"].max())
    sweep = sweep.assign(weight=SHARE_TOTAL * sweep["weight"].astype(float))
    current = None if current is None else SHARE_TOTAL * current
    lines = (
        alt.Chart(sweep)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("weight:Q", title="share of the score of the swept criterion or group (%)"),
            y=alt.Y(
                "rank:Q",
                scale=alt.Scale(reverse=True, domain=[1, top]),
                axis=alt.Axis(tickMinStep=1),
                title="rank (1 = best)",
            ),
            color=alt.Color(
                "site:N", sort=order, legend=alt.Legend(orient="bottom", columns=3, labelLimit=260)
            ),
            tooltip=["site:N", alt.Tooltip("weight:Q", title="share (%)", format=".1f"), "rank:Q"],
        )
        .properties(height=420)
    )
    if current is None:
        return lines
    rule = (
        alt.Chart(pd.DataFrame({"weight": [current]}))
        .mark_rule(strokeDash=[4, 3])
        .encode(x="weight:Q")
        .properties(height=420)
    )
    return alt.layer(lines, rule).properties(height=420)


def md_text(text: object) -> str:
    r"""User-influenced text for a Streamlit message: markdown escaped, line breaks kept.

    >>> md_text("bad.csv, row 2: [x](http://evil)\n  - next")
    'bad\\.csv, row 2: \\[x\\]\\(http://evil\\)  \n  \\- next'
    """
    return "  \n".join(md_escape(line) for line in str(text).split("\n"))


# --- weights as shares -------------------------------------------------------------
#
# The sidebar shows two levels of shares, each summing to 100 %: the groups' shares of the
# score, and each criterion's share within its group (its share of the score is the
# product). Moving one slider rescales the others of its level proportionally
# (:func:`rebalance`), so what is on screen always sums to 100 % and is what is used.

SHARE_TOTAL = 100.0


def _normalised(values: Mapping[str, float], total: float = SHARE_TOTAL) -> dict[str, float]:
    s = sum(values.values())
    if s <= 0:
        return {k: total / len(values) for k in values} if values else {}
    return {k: total * float(v) / s for k, v in values.items()}


def weight_shares(cset: CriteriaSet, breakdown: WeightBreakdown) -> dict[str, float]:
    """Group id → its share of the score (%), criterion id → its share of its group (%).

    A group whose criteria all weigh zero shows equal criterion shares (it carries no
    weight: :meth:`CriteriaSet.weights` gives it zero).
    """
    shares = {g.id: SHARE_TOTAL * float(breakdown.group.get(g.id, 0.0)) for g in cset.groups}
    for group in cset.groups:
        members = [c.id for c in cset.criteria if c.group == group.id]
        shares |= _normalised({c: float(breakdown.within.get(c, 0.0)) for c in members})
    return shares


def preset_sliders(cset: CriteriaSet, profile: str, sector: str) -> dict[str, float]:
    """The shares (%) of a profile's preset weights for a sector (see :func:`weight_shares`).

    >>> from siteselect.ranking import default_criteria
    >>> shares = preset_sliders(default_criteria(), "industry_association", "ems")
    >>> round(shares["proximity"], 1), round(sum(shares[g] for g in ("proximity",
    ...     "market_access", "cost", "business_climate", "sector")), 6)
    (20.0, 100.0)
    """
    return weight_shares(cset, cset.weights(profile, sector))


def shares_from_overrides(
    cset: CriteriaSet, profile: str, sector: str, overrides: Mapping[str, float] | None
) -> dict[str, float]:
    """The shares (%) that weight overrides of any scale give (a link, a scenario, a panel).

    Raises :class:`~siteselect.errors.WeightError` (a ``SiteSelectError``) when the
    overrides leave every weight at zero.
    """
    return weight_shares(cset, cset.weights(profile, sector, overrides))


def rebalance(
    shares: Mapping[str, float], changed: str, members: Sequence[str]
) -> dict[str, float]:
    """``members``' shares after ``changed`` was set: the others rescaled to fill 100 %.

    The others keep their proportions; if they were all zero they share the rest equally.
    The changed share is clipped to 0–100.

    >>> rebalance({"a": 50.0, "b": 30.0, "c": 20.0}, "a", ["a", "b", "c"])
    {'a': 50.0, 'b': 30.0, 'c': 20.0}
    >>> rebalance({"a": 80.0, "b": 30.0, "c": 20.0}, "a", ["a", "b", "c"])
    {'a': 80.0, 'b': 12.0, 'c': 8.0}
    >>> rebalance({"a": 60.0, "b": 0.0, "c": 0.0}, "a", ["a", "b", "c"])
    {'a': 60.0, 'b': 20.0, 'c': 20.0}
    """
    if changed not in members:
        raise UnknownNameError("weight of this level", changed, list(members))
    value = min(max(float(shares[changed]), 0.0), SHARE_TOTAL)
    others = [m for m in members if m != changed]
    if not others:
        return {changed: SHARE_TOTAL}
    rest = _normalised({m: max(float(shares[m]), 0.0) for m in others}, SHARE_TOTAL - value)
    return {changed: value, **rest}


def weight_levels(cset: CriteriaSet) -> dict[str, list[str]]:
    """Each level of shares that sums to 100 %: ``"groups"`` and one entry per group id."""
    levels = {"groups": [g.id for g in cset.groups]}
    for group in cset.groups:
        levels[group.id] = [c.id for c in cset.criteria if c.group == group.id]
    return levels


def level_of(cset: CriteriaSet, weight_id: str) -> list[str]:
    """The shares that sum to 100 % together with ``weight_id`` (a group or a criterion)."""
    if weight_id in {g.id for g in cset.groups}:
        return weight_levels(cset)["groups"]
    return weight_levels(cset)[cset.criterion(weight_id).group]


def weight_overrides(
    cset: CriteriaSet, profile: str, sector: str, sliders: Mapping[str, float]
) -> dict[str, float]:
    """The shares that differ from the profile's presets: what a link or scenario carries.

    Whole levels: every group share when any group share differs, every criterion of a
    group when any of them differs, so that the overrides mean the same shares whatever
    the scale of the presets they are applied to (``CriteriaSet.weights``).

    >>> from siteselect.ranking import default_criteria
    >>> cs = default_criteria()
    >>> values = preset_sliders(cs, "investor", "ems") | {"logistics": 70.0}
    >>> values = values | rebalance(values, "logistics", level_of(cs, "logistics"))
    >>> sorted(weight_overrides(cs, "investor", "ems", values))
    ['governance', 'hazard_risk', 'logistics', 'water_stress']
    """
    preset = preset_sliders(cset, profile, sector)
    out: dict[str, float] = {}
    for members in weight_levels(cset).values():
        if any(abs(float(sliders[k]) - preset[k]) > 1e-6 for k in members):
            out |= {k: float(sliders[k]) for k in members}
    return out


def weights_in_use(evaluation: Evaluation) -> pd.DataFrame:
    """Per criterion: the shares set and the share of the score actually used (%).

    Columns: ``criterion`` (label), ``group`` (label), ``group share``, ``share in
    group``, ``set`` (group × in-group share of the score), ``used`` (the weight the
    method ranked with: the criteria left in, renormalised to 100 %; 0 for a criterion
    left out) and ``status`` (why a criterion is left out). Indexed by criterion id.
    """
    cset = evaluation.criteria
    shares = weight_shares(cset, evaluation.weights)
    used_cols = list(evaluation.policy.matrix.columns)
    eff = evaluation.weights.effective
    total = float(eff[used_cols].sum())
    dropped = set(evaluation.policy.dropped_criteria)
    groups = {g.id: g.label for g in cset.groups}
    rows = {}
    for crit in cset.criteria:
        if crit.id in used_cols:
            status = "used"
        elif eff.get(crit.id, 0.0) <= 0:
            status = "weight 0"
        elif crit.id in dropped:
            status = "left out: missing values (see the notes)"
        else:
            status = "left out"
        rows[crit.id] = {
            "criterion": crit.label,
            "group": groups.get(crit.group, crit.group),
            "group share": shares[crit.group],
            "share in group": shares[crit.id],
            "set": SHARE_TOTAL * float(eff.get(crit.id, 0.0)),
            "used": SHARE_TOTAL * float(eff[crit.id]) / total if crit.id in used_cols else 0.0,
            "status": status,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def stability_shares(stability: pd.DataFrame) -> pd.DataFrame:
    """Stability intervals (``low``, ``high``, ``current`` as weights) as % of the score,
    the same scale as :func:`weights_in_use`'s ``used``."""
    out = stability.copy()
    for col in ("low", "high", "current"):
        out[col] = SHARE_TOTAL * out[col].astype(float)
    return out


def win_changes(
    needed: pd.Series, in_use: pd.DataFrame, labels: Mapping[str, str], *, tol: float = 0.01
) -> pd.DataFrame:
    """The weights that would make a site win against those used, in % of the score.

    ``needed`` is the effective weight vector found (``WinResult.weights``, over the
    criteria used); ``in_use`` is :func:`weights_in_use`. Rows that move by less than
    ``tol`` points are left out.
    """
    current = in_use["used"].reindex(needed.index).fillna(0.0)
    frame = pd.DataFrame(
        {
            "criterion": [labels.get(str(c), str(c)) for c in needed.index],
            "current": current.to_numpy(float),
            "needed": SHARE_TOTAL * needed.to_numpy(float) / float(needed.sum()),
        }
    )
    frame["change"] = frame["needed"] - frame["current"]
    return frame[frame["change"].abs() > tol].reset_index(drop=True)


def acceptability_top(
    acceptability: pd.DataFrame, order: Sequence[str], labels: Mapping[str, str], *, k: int = 5
) -> pd.DataFrame:
    """Rank acceptabilities (site × rank) as ``site``, ``#1`` … ``#k`` and ``lower``.

    Rows follow ``order`` (the current ranking); ``lower`` is the share of weightings in
    which the site ranks below ``k``, so that each row sums to 1.
    """
    acc = acceptability.reindex(order).fillna(0.0)
    top = acc.iloc[:, :k].copy()
    top.columns = [f"#{c}" for c in top.columns]
    top[f"below #{k}"] = acc.iloc[:, k:].sum(axis=1)
    top.insert(0, "site", [labels.get(s, s) for s in order])
    return top.reset_index(drop=True)


def pct(value: float) -> str:
    """A share in % for the UI: one decimal, two below 1 %.

    >>> pct(12.345), pct(0.456), pct(0.0)
    ('12.3 %', '0.46 %', '0 %')
    """
    if value == 0:
        return "0 %"
    return f"{value:.2f} %" if abs(value) < 1 else f"{value:.1f} %"


def cost_quality_chart(frame: pd.DataFrame) -> Any:
    """A scatter (Altair) of :func:`siteselect.attribution.cost_quality` output: annual cost
    (USD million) against quality, Pareto-frontier sites marked; a click selects a site by
    its ``site_id`` (selection parameter ``site``)."""
    import altair as alt

    data = frame.reset_index(names="site_id").dropna(subset=["cost_usd", "quality"])
    data = data.assign(
        cost_musd=data["cost_usd"] / 1e6,
        frontier=data["pareto"].map({True: "on the Pareto frontier", False: "dominated"}),
    )
    pick = alt.selection_point(name="site", fields=["site_id"], on="click")
    return (
        alt.Chart(data)
        .mark_point(filled=True, size=120)
        .encode(
            x=alt.X("cost_musd:Q", title="annual cost of operation (USD million)"),
            y=alt.Y("quality:Q", title="quality: score on the non-cost criteria"),
            color=alt.Color("frontier:N", legend=alt.Legend(title=None, orient="bottom")),
            shape=alt.Shape("frontier:N", legend=None),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("rank:Q"),
                alt.Tooltip("cost_musd:Q", title="USD million", format=",.1f"),
                alt.Tooltip("quality:Q", format=".3f"),
            ],
        )
        .add_params(pick)
        .properties(height=380)
    )


def cost_table(evaluation: Evaluation) -> pd.DataFrame:
    """Per ranked site: the cost components and totals in USD million (NaN = missing)."""
    cost = evaluation.cost
    if cost is None:
        return pd.DataFrame()
    wide = (cost.wide().reindex(evaluation.ranking.index) / 1e6).round(2)
    return pd.concat([evaluation.ranking[["name", "rank"]], wide], axis=1).sort_values(
        "rank", kind="stable"
    )


# --- methods views: GAIA plane, PROMETHEE I, value levers (methods helper) -----------


def gaia_frames(
    evaluation: Evaluation, site_names: Mapping[str, str], criterion_labels: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, float] | None:
    """The GAIA plane of a PROMETHEE II evaluation as one long frame for a chart.

    Rows: ``kind`` (``site``, ``criterion`` or ``decision stick``), ``label``, ``x``, ``y``;
    also the PROMETHEE I relation (site × site, labels ``P``/``P-``/``I``/``R``) and the
    share of information the plane keeps. ``None`` for other methods (GAIA is PROMETHEE's).
    """
    if evaluation.method != "promethee2":
        return None
    from siteselect.methods import gaia, promethee1
    from siteselect.robustness import evaluation_problem

    matrix, objectives, weights = evaluation_problem(evaluation)
    plane = gaia(matrix, objectives, weights, **evaluation.params)
    rel = promethee1(matrix, objectives, weights, **evaluation.params).relation
    sites = plane.alternatives.assign(
        kind="site", label=[site_names.get(str(s), str(s)) for s in plane.alternatives.index]
    )
    # criteria axes drawn at the scale of the sites' cloud, as Visual PROMETHEE does
    reach = float(max(plane.alternatives.abs().to_numpy().max(), 1e-12))
    scale = reach / float(max(plane.criteria.abs().to_numpy().max(), 1e-12))
    crits = (plane.criteria * scale).assign(
        kind="criterion",
        label=[criterion_labels.get(str(c), str(c)) for c in plane.criteria.index],
    )
    stick = pd.DataFrame(
        {"x": [plane.stick["x"] * scale], "y": [plane.stick["y"] * scale]},
    ).assign(kind="decision stick", label="decision stick (weights)")
    long = pd.concat([sites, crits, stick], ignore_index=True)[["kind", "label", "x", "y"]]
    named = rel.rename(index=site_names, columns=site_names)
    return long, named, plane.delta


def gaia_chart(long: pd.DataFrame, delta: float) -> Any:
    """GAIA plane (Altair): sites as points, criteria axes and the decision stick as rays."""
    import altair as alt

    rays = long[long["kind"] != "site"].copy()
    rays = pd.concat([rays.assign(x=0.0, y=0.0, end=0), rays.assign(end=1)], ignore_index=True)
    lines = (
        alt.Chart(rays)
        .mark_line(point=False)
        .encode(
            x="x:Q",
            y="y:Q",
            detail="label:N",
            color=alt.Color("kind:N", title=None),
            order="end:Q",
            tooltip=["label:N"],
        )
    )
    tips = (
        alt.Chart(long[long["kind"] != "site"])
        .mark_text(align="left", dx=4)
        .encode(x="x:Q", y="y:Q", text="label:N", color="kind:N")
    )
    points = (
        alt.Chart(long[long["kind"] == "site"])
        .mark_circle(size=70)
        .encode(
            x=alt.X("x:Q", title=f"GAIA plane (keeps {delta:.0%} of the information)"),
            y=alt.Y("y:Q", title=None),
            color=alt.Color("kind:N", title=None),
            tooltip=["label:N"],
        )
    )
    return (lines + tips + points).properties(height=460)


def lever_table(lever: Any, criterion_labels: Mapping[str, str]) -> pd.DataFrame:
    """The changes of a value-lever answer with readable criterion names."""
    frame = lever.changes.reset_index()
    frame["criterion"] = frame["criterion"].map(lambda c: criterion_labels.get(str(c), str(c)))
    return frame
