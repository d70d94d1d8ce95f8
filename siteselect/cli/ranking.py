"""Commands that rank the catalogue and read the result: ``rank``, ``map``, ``explain``,
``robustness``, ``cost``; and ``screen``, the chunked ranking of a large CSV."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from siteselect.cli.options import (
    add_command,
    add_format_option,
    add_pairs_option,
    add_rank_options,
    emit,
    evaluate,
    weight,
)
from siteselect.errors import SiteSelectError


def cmd_rank(args: argparse.Namespace) -> int:
    result, _, _ = evaluate(args)
    frame = result.ranking.reset_index(names="site_id")
    cols = [
        "site_id",
        "name",
        "country",
        "region",
        "score",
        "rank",
        *[c for c in frame.columns if c.startswith("subscore_")],
    ]
    frame = frame[cols]
    if args.format == "table":
        frame = frame.round(4)
    emit(frame, args.format, sys.stdout)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_cost(args: argparse.Namespace) -> int:
    result, _, _ = evaluate(args)
    cost = result.cost
    if cost is None:
        raise SiteSelectError("the criteria in use have no cost criterion")
    wide = cost.wide()
    names = result.table.values.index
    frame = wide.reindex(names).reset_index(names="site_id")
    frame.insert(1, "rank", result.ranking["rank"].reindex(names).to_numpy())
    frame = frame.sort_values(["scored_cost", "site_id"], na_position="last", kind="stable")
    out = sys.stdout
    if args.format == "json":
        doc = {
            "project": cost.project.label,
            "headcount": cost.project.headcount_total,
            "markets": dict(cost.markets),
            "note": "scored_cost excludes output_duties, which are scored as market_tariff",
            "sites": json.loads(frame.to_json(orient="records")),
            "breakdown": json.loads(cost.breakdown.to_json(orient="records")),
            "assumptions": cost.project.assumptions(),
        }
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    if args.format == "csv":
        cost.breakdown.to_csv(out, index=False)
        return 0
    out.write(
        f"Annual cost of operation, USD million: {cost.project.label}, "
        f"{cost.project.headcount_total:,.0f} staff; markets "
        f"{', '.join(f'{k} {v:.0%}' for k, v in cost.markets.items())}\n"
        "(scored_cost = total without output_duties, which are scored as market_tariff; "
        "NaN = an input is missing, see --format csv)\n\n"
    )
    money = [c for c in frame.columns if c not in ("site_id", "rank")]
    frame[money] = (frame[money] / 1e6).round(2)
    emit(frame, "table", out)
    gaps = cost.breakdown[cost.breakdown["missing"] != ""]
    for row in gaps.itertuples():
        print(f"missing: {row.site_id} {row.component}: {row.missing}", file=sys.stderr)
    return 0


def cmd_robustness(args: argparse.Namespace) -> int:
    from siteselect.robustness import robustness_summary

    result, _, _ = evaluate(args)
    order = [tuple(o.split(">=", 1)) for o in args.order]
    if any(len(o) != 2 for o in order):
        raise SiteSelectError("--order takes A>=B (group or criterion ids)")
    summary = robustness_summary(
        result, samples=args.samples, seed=args.seed, target=args.target, order=order or None
    )
    names = result.ranking["name"]
    acc = summary.smaa.acceptability
    table = pd.DataFrame(
        {
            "site_id": acc.index,
            "name": names.reindex(acc.index).to_numpy(),
            "rank": result.ranking["rank"].reindex(acc.index).to_numpy(),
            "first_rank_acceptability": acc.iloc[:, 0].to_numpy(),
            "confidence": summary.smaa.confidence.reindex(acc.index).to_numpy(),
        }
    ).sort_values(["rank", "first_rank_acceptability"], ascending=[True, False])
    stability = summary.stability.reset_index(names="criterion")
    win = summary.win
    if args.format == "json":
        doc = {
            "method": summary.method,
            "samples": args.samples,
            "seed": args.seed,
            "leader": summary.leader,
            "acceptability": json.loads(table.to_json(orient="records")),
            "rank_acceptability": json.loads(acc.to_json(orient="index")),
            "stability_intervals": json.loads(stability.to_json(orient="records")),
            "weights_to_win": None
            if win is None
            else {
                "target": win.target,
                "feasible": win.feasible,
                "distance": win.distance,
                "exact": win.exact,
                "message": win.message,
                "weights": None if win.weights is None else win.weights.to_dict(),
            },
            "rank_reversal": {
                "reversal": summary.reversal.reversal,
                "notes": list(summary.reversal.notes),
            },
            "value_levers": None
            if summary.lever is None
            else {
                "target": summary.lever.target,
                "feasible": summary.lever.feasible,
                "exact": summary.lever.exact,
                "cost": summary.lever.cost,
                "message": summary.lever.message,
                "changes": json.loads(summary.lever.changes.to_json(orient="index")),
            },
            "sampled": list(summary.notes),
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    out = sys.stdout
    out.write(
        f"Robustness of the ranking ({summary.method}, {args.samples:,} SMAA samples, "
        f"seed {args.seed})\n\nFirst-rank acceptability and confidence:\n"
    )
    emit(table.round(4), "table", out)
    out.write(
        "\nStability intervals (weight of each criterion within which the leader stays first):\n"
    )
    emit(stability.round(4), "table", out)
    if win is not None:
        out.write(f"\nWhat would make {win.target} win: {win.message}\n")
    if summary.lever is not None:
        out.write(f"What change of values would: {summary.lever.message}\n")
    out.write("\nSampled: " + " ".join(f"{n}." for n in summary.notes) + "\n")
    out.write("\nRank reversal:\n" + "".join(f"- {n}\n" for n in summary.reversal.notes))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """The method's own per-criterion decomposition of one site's score."""
    from siteselect.errors import UnknownNameError

    result, _, _ = evaluate(args)
    ranking = result.ranking
    site = args.site
    if site not in ranking.index:
        by_name = ranking.index[ranking["name"].str.casefold() == str(site).casefold()]
        if len(by_name) != 1:
            raise UnknownNameError("site", site, map(str, ranking.index))
        site = by_name[0]
    exp = result.explanation
    labels = {c.id: c.label for c in result.criteria.criteria}
    groups = result.criteria.group_of()
    terms = pd.DataFrame({name: exp.frame(name).loc[site] for name in exp.terms})
    table = pd.DataFrame(
        {
            "criterion": terms.index,
            "label": [labels.get(c, c) for c in terms.index],
            "group": [groups.get(c) for c in terms.index],
            "value": result.policy.matrix.loc[site, terms.index].to_numpy(),
            "weight": exp.weights,
        }
    )
    table = pd.concat([table, terms.reset_index(drop=True)], axis=1)
    aggregates = exp.aggregates().loc[site].to_dict()
    rebuilt = float(exp.reconstruct()[site])
    used = float(ranking.at[site, "score"])
    if args.format == "json":
        doc = {
            "site_id": site,
            "name": ranking.at[site, "name"],
            "method": result.method,
            "rank": int(ranking.at[site, "rank"]),
            "score": used,
            "reconstructed_score": rebuilt,
            "formula": exp.formula,
            "contribution": exp.contribution_meaning,
            "group_subscores": exp.group_rule,
            "aggregates": aggregates,
            "criteria": json.loads(table.to_json(orient="records", force_ascii=False)),
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    if args.format == "csv":
        emit(table, "csv", sys.stdout)
        return 0
    out = sys.stdout
    out.write(
        f"{ranking.at[site, 'name']} ({site}): rank {ranking.at[site, 'rank']} under "
        f"{result.method}, score {used:.6g}\n"
        f"How the score is computed: {exp.formula}\n"
        f"contribution = {exp.contribution_meaning}\n\n"
    )
    emit(table.round(6), "table", out)
    out.write(
        "\n"
        + ", ".join(f"{k} = {v:.6g}" for k, v in aggregates.items())
        + f"\nRecomputed from the terms above: {rebuilt:.12g} (ranking uses {used:.12g})\n"
        f"Group subscores: {exp.group_rule}\n"
    )
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from siteselect import maps

    result, catalog, user_ids = evaluate(args)
    reasons = result.all_reasons()
    fmap = maps.ranking_map(
        result.ranking,
        catalog.sites,
        reasons=reasons,
        routes=not args.no_routes,
        user_sites=user_ids,
        assets="inline",
    )
    try:
        args.out.write_text(maps.map_html(fmap), encoding="utf-8")
    except OSError as exc:
        raise SiteSelectError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out} ({len(result.ranking)} sites; opens offline, map tiles aside)")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    from siteselect.stream import rank_csv

    objectives = dict(args.objective)
    weights = dict(args.weight) if args.weight else dict.fromkeys(objectives, 1.0)
    result = rank_csv(
        args.file,
        objectives,
        weights,
        args.method,
        id_column=args.id_column,
        chunksize=args.chunksize,
    )
    result = result.sort_values("rank", kind="stable")
    if args.top:
        result = result.head(args.top)
    frame = result.reset_index()
    if args.out:
        from siteselect.export import safe_frame

        safe_frame(frame).to_csv(args.out, index=False)
        print(f"wrote {args.out} ({len(frame)} rows)")
    else:
        emit(frame, args.format, sys.stdout)
    return 0


def add_parsers(sub: Any) -> None:
    """The commands ``rank``, ``map``, ``explain``, ``robustness``, ``cost`` and ``screen``."""
    rank = add_command(sub, "rank", "rank the candidate sites", cmd_rank)
    add_rank_options(rank)
    add_format_option(rank)
    fmap = add_command(sub, "map", "write the ranked sites as a standalone HTML map", cmd_map)
    add_rank_options(fmap)
    fmap.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE.html",
        help="where to write the map",
    )
    fmap.add_argument("--no-routes", action="store_true", help="leave out sea routes")
    explain = add_command(
        sub, "explain", "why a site ranks where it does: the method's own terms", cmd_explain
    )
    add_rank_options(explain)
    explain.add_argument("site", help="site id or exact site name")
    add_format_option(explain)
    robust = add_command(
        sub, "robustness", "how sure the ranking is: SMAA, stability, what-if", cmd_robustness
    )
    add_rank_options(robust)
    robust.add_argument("--samples", type=int, default=10_000, help="SMAA weight samples")
    robust.add_argument("--seed", type=int, default=0)
    robust.add_argument("--target", help="site to make win (default: the runner-up)")
    robust.add_argument(
        "--order",
        action="append",
        default=[],
        metavar="A>=B",
        help="SMAA weight order, e.g. cost>=proximity",
    )
    add_format_option(robust)
    cost = add_command(
        sub, "cost", "annual cost of operation per site, with its breakdown", cmd_cost
    )
    add_rank_options(cost)
    add_format_option(cost)
    _add_screen_parser(sub)


def _add_screen_parser(sub: Any) -> None:
    p = add_command(
        sub, "screen", "rank a large candidate file (CSV) in chunks, two passes", cmd_screen
    )
    p.add_argument("file", type=Path, help="CSV with one column per criterion")
    add_pairs_option(
        p, "--objective", weight, "COLUMN=max|min", "a criterion column; repeatable", required=True
    )
    add_pairs_option(p, "--weight", weight, "COLUMN=VALUE", "default: equal weights")
    p.add_argument("--method", default="wsm", help="wsm, wpm, topsis or vikor")
    p.add_argument("--id-column", help="column that names each row")
    p.add_argument("--chunksize", type=int, default=200_000)
    p.add_argument("--top", type=int, help="print only the best N rows")
    p.add_argument("--out", type=Path, help="write all results to this CSV")
    add_format_option(p)
