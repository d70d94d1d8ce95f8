"""Coverage of the decision table: for every site and criterion, where the value comes from.

An evaluator defending a ranking needs to see, at a glance, which cells are facts about the
site, its region or its country, which were filled by the missing-value policy and which
cost components were imputed. Nothing here computes a score; everything reads an
:class:`~siteselect.ranking.Evaluation`.

>>> from siteselect.ranking import evaluate
>>> table = coverage_table(evaluate(sector="ems"))
>>> set(table.columns) >= {"name", "taiwan_transit", "operating_cost"}
True
"""

from __future__ import annotations

import pandas as pd

from siteselect.ranking import Evaluation

#: codes used in the coverage table, with their meaning (printed as the legend)
CODES = {
    "site": "S",
    "region": "R",
    "country": "C",
    "mixed": "M",
    "assumption": "A",
    "imputed": "i",
    "missing": "-",
    "excluded": "x",
}
LEGEND = (
    "S site fact, R first-level region, C national, M mixed scopes, A computed from user/model "
    "assumptions, i filled by the missing-value policy, - missing, x site excluded by a rule; "
    "operating_cost adds '+k' for k cost components filled by the policy"
)


def _code(scope: object) -> str:
    text = str(scope or "").strip()
    return CODES.get(text, CODES["missing"] if not text else CODES["mixed"])


def coverage_table(evaluation: Evaluation) -> pd.DataFrame:
    """Sites × criteria: the scope code of each cell (see :data:`LEGEND`).

    A cell the policy filled is ``i``; a missing cell that stayed missing (criterion dropped,
    site dropped) is ``-``; an excluded site's cells carry ``x`` after their code.
    """
    table = evaluation.table
    cells = table.cells
    wide = cells.pivot(index="site_id", columns="criterion", values="scope_level")
    values = table.values
    columns = [c for c in values.columns if c in wide.columns]
    out = pd.DataFrame(index=values.index, columns=columns, dtype=object)
    for crit in columns:
        for sid in values.index:
            missing = pd.isna(values.at[sid, crit])
            out.at[sid, crit] = CODES["missing"] if missing else _code(wide.at[sid, crit])
    imputed = evaluation.policy.imputed
    for crit in imputed.columns.intersection(out.columns):
        for sid in imputed.index[imputed[crit].astype(bool)]:
            out.at[sid, crit] = CODES["imputed"]
    cost = evaluation.cost
    if cost is not None and "operating_cost" in out.columns:
        filled = cost.breakdown[cost.breakdown["imputed"] != ""]
        per_site = filled.groupby("site_id")["component"].nunique()
        for sid, k in per_site.items():
            if sid in out.index:
                out.at[sid, "operating_cost"] = f"{out.at[sid, 'operating_cost']}+{k}"
    for sid in evaluation.excluded.index.intersection(out.index):
        out.loc[sid] = [f"{v}{CODES['excluded']}" for v in out.loc[sid]]
    out.insert(0, "name", [evaluation_site_name(evaluation, s) for s in out.index])
    out.columns.name = None
    out.index.name = "site_id"
    return out


def evaluation_site_name(evaluation: Evaluation, site_id: str) -> str:
    """The site's name as the ranking or the exclusion list holds it."""
    for frame in (evaluation.ranking, evaluation.excluded):
        if site_id in frame.index and "name" in frame.columns:
            return str(frame.at[site_id, "name"])
    return site_id


def coverage_summary(evaluation: Evaluation) -> pd.DataFrame:
    """Per criterion: cells with a value (count, %), by scope, and cells filled or missing."""
    table = coverage_table(evaluation).drop(columns="name")
    n = len(table)
    rows = []
    for crit in table.columns:
        base = table[crit].astype(str).str.rstrip("x").str.split("+").str[0]
        counts = base.value_counts()
        filled = int(counts.get(CODES["imputed"], 0))
        missing = int(counts.get(CODES["missing"], 0))
        sourced = n - filled - missing
        components = (
            int(table[crit].astype(str).str.contains(r"\+", regex=True).sum())
            if crit == "operating_cost"
            else 0
        )
        rows.append(
            {
                "criterion": crit,
                "label": evaluation.criteria.criterion(crit).label,
                "with_value": sourced,
                "with_value_pct": round(100.0 * sourced / n, 1) if n else 0.0,
                "site": int(counts.get(CODES["site"], 0)),
                "region": int(counts.get(CODES["region"], 0)),
                "country": int(counts.get(CODES["country"], 0)),
                "mixed_or_assumption": int(
                    counts.get(CODES["mixed"], 0) + counts.get(CODES["assumption"], 0)
                ),
                "filled_by_policy": filled,
                "missing": missing,
                "sites_with_imputed_cost_components": components,
            }
        )
    return pd.DataFrame(rows).set_index("criterion")
