"""The ``siteselect`` command line.

Bad input exits with status 2 and a message naming what is wrong; no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from siteselect.errors import SiteSelectError

FORMATS = ("table", "json", "csv")


def _weight(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected CRITERION=VALUE or GROUP=VALUE; got {text!r}")
    return name.strip(), value.strip()


def _param(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE; got {text!r}")
    parsed: Any = value.strip()
    if parsed.lower() in ("true", "false"):
        parsed = parsed.lower() == "true"
    else:
        with contextlib.suppress(ValueError):
            parsed = float(parsed)
    return name.strip(), parsed


def _method_params(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs as method parameters; ``NAME.CRITERION=VALUE`` sets one
    criterion's value of a per-criterion parameter (e.g. ``p.operating_cost=2``)."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        base, dot, crit = name.partition(".")
        if dot:
            per = params.setdefault(base, {})
            if not isinstance(per, dict):
                raise SiteSelectError(f"--param {base} is given both for all and per criterion")
            per[crit] = value
        elif isinstance(params.get(name), dict):
            raise SiteSelectError(f"--param {name} is given both for all and per criterion")
        else:
            params[name] = value
    return params


def _emit(frame: pd.DataFrame, fmt: str, out: Any) -> None:
    if fmt == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        out.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        from siteselect.export import safe_frame

        safe_frame(frame).to_csv(out, index=False)
    else:
        with pd.option_context(
            "display.max_rows",
            None,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            out.write(frame.to_string(index=False) + "\n")


def _add_rank_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sector", default="ems", help="target sector id (default: ems)")
    parser.add_argument(
        "--profile",
        default="industry_association",
        help="stakeholder weight profile id (default: industry_association)",
    )
    parser.add_argument(
        "--weight",
        action="append",
        type=_weight,
        default=[],
        metavar="NAME=VALUE",
        help="override a criterion's within-group weight or a group's weight; repeatable",
    )
    parser.add_argument("--method", default="topsis", help="MCDA method (default: topsis)")
    parser.add_argument(
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="method parameter, e.g. v=0.5 for vikor; NAME.CRITERION=VALUE for one criterion "
        "(e.g. preference.labour_cost=v-shape p.operating_cost=2 thresholds=absolute); repeatable",
    )
    parser.add_argument(
        "--missing",
        default="worst",
        help="missing-value policy: worst, mean, drop_criterion, drop_site",
    )
    parser.add_argument(
        "--sites",
        type=Path,
        metavar="FILE",
        help="your own candidate sites (CSV, GeoJSON or GeoPackage), ranked with the bundled ones",
    )
    parser.add_argument(
        "--only-sites", action="store_true", help="with --sites: rank only your sites"
    )
    _add_model_options(parser)


# --- target markets and reference project (model) -----------------------------------


def _market(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected MARKET=SHARE, e.g. US=0.7; got {text!r}")
    return name.strip(), value.strip()


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--market",
        action="append",
        type=_market,
        default=[],
        metavar="MARKET=SHARE",
        help="a target market and its share of sales, e.g. US=0.7; repeatable "
        "(default: US=1; shares are normalised)",
    )
    parser.add_argument(
        "--project-file",
        type=Path,
        metavar="FILE.yaml",
        help="your reference project (layout of criteria/projects.yaml) for the cost",
    )
    parser.add_argument(
        "--headcount", type=float, help="scale the reference project to this many staff"
    )
    parser.add_argument(
        "--exclude",
        action="append",
        type=_rule_switch,
        default=[],
        metavar="RULE=on|off",
        help="switch a sector exclusion rule on or off (rule ids in criteria/sectors.yaml, "
        "e.g. water_stress=on); repeatable",
    )


def _rule_switch(text: str) -> tuple[str, bool]:
    name, sep, value = text.partition("=")
    state = {"on": True, "off": False}.get(value.strip().lower())
    if not sep or not name.strip() or state is None:
        raise argparse.ArgumentTypeError(f"expected RULE=on or RULE=off; got {text!r}")
    return name.strip(), state


def _model_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    from siteselect.cost import project_from_file

    out: dict[str, Any] = {}
    if args.market:
        shares: dict[str, str] = {}
        for name, value in args.market:
            if name in shares:
                raise SiteSelectError(f"market {name!r} is given twice")
            shares[name] = value
        out["markets"] = shares
    if args.project_file is not None:
        out["project"] = project_from_file(args.project_file, args.sector)
    if args.headcount is not None:
        out["headcount"] = args.headcount
    if getattr(args, "exclude", None):
        out["exclusion_rules"] = dict(args.exclude)
    return out


def _evaluate(args: argparse.Namespace) -> tuple[Any, Any, list[str]]:
    """Evaluate as the options say; returns the evaluation, the catalogue and user site ids."""
    from dataclasses import replace

    from siteselect.catalog import sites_from_file
    from siteselect.ranking import default_catalog, default_criteria, evaluate

    cset = default_criteria()
    catalog = default_catalog()
    user_ids: list[str] = []
    if args.sites is not None:
        user = sites_from_file(args.sites, criteria=cset.ids)
        if args.only_sites:
            catalog = replace(catalog, sites=catalog.sites.iloc[0:0])
        catalog = catalog.with_sites(user)
        user_ids = list(user.sites.index)
    result = evaluate(
        catalog,
        cset,
        sector=args.sector,
        profile=args.profile,
        weights=dict(args.weight),
        method=args.method,
        missing=args.missing,
        **_model_kwargs(args),
        **_method_params(args.param),
    )
    return result, catalog, user_ids


def cmd_rank(args: argparse.Namespace) -> int:
    result, _, _ = _evaluate(args)
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
    _emit(frame, args.format, sys.stdout)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_cost(args: argparse.Namespace) -> int:
    result, _, _ = _evaluate(args)
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
    _emit(frame, "table", out)
    gaps = cost.breakdown[cost.breakdown["missing"] != ""]
    for row in gaps.itertuples():
        print(f"missing: {row.site_id} {row.component}: {row.missing}", file=sys.stderr)
    return 0


def cmd_robustness(args: argparse.Namespace) -> int:
    from siteselect.robustness import robustness_summary

    result, _, _ = _evaluate(args)
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
    _emit(table.round(4), "table", out)
    out.write(
        "\nStability intervals (weight of each criterion within which the leader stays first):\n"
    )
    _emit(stability.round(4), "table", out)
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

    result, _, _ = _evaluate(args)
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
        _emit(table, "csv", sys.stdout)
        return 0
    out = sys.stdout
    out.write(
        f"{ranking.at[site, 'name']} ({site}): rank {ranking.at[site, 'rank']} under "
        f"{result.method}, score {used:.6g}\n"
        f"How the score is computed: {exp.formula}\n"
        f"contribution = {exp.contribution_meaning}\n\n"
    )
    _emit(table.round(6), "table", out)
    out.write(
        "\n"
        + ", ".join(f"{k} = {v:.6g}" for k, v in aggregates.items())
        + f"\nRecomputed from the terms above: {rebuilt:.12g} (ranking uses {used:.12g})\n"
        f"Group subscores: {exp.group_rule}\n"
    )
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from siteselect import maps

    result, catalog, user_ids = _evaluate(args)
    reasons = {sid: result.reasons(sid) for sid in result.ranking.index}
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
        _emit(frame, args.format, sys.stdout)
    return 0


# --- screen-region (siteselect.region) ------------------------------------------------


def _area_arg(text: str) -> Any:
    parts = text.split(",")
    if len(parts) == 4:
        try:
            return tuple(float(v) for v in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"a bbox is MIN_LON,MIN_LAT,MAX_LON,MAX_LAT; got {text!r}"
            ) from None
    return text.strip()


def _add_screen_region_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--region",
        required=True,
        type=_area_arg,
        metavar="AREA",
        help="ISO3 country (PHL), ISO 3166-2 region (PH-03) or MIN_LON,MIN_LAT,MAX_LON,MAX_LAT",
    )
    p.add_argument("--cell-km", type=float, default=2.0, help="cell side in km (default 2)")
    p.add_argument("--sector", default="ems")
    p.add_argument("--profile", default="industry_association")
    p.add_argument("--method", default="topsis", help="wsm, wpm, topsis, vikor (promethee2 small)")
    p.add_argument("--weight", action="append", type=_weight, default=[], metavar="ID=VALUE")
    p.add_argument("--param", action="append", type=_param, default=[], metavar="NAME=VALUE")
    p.add_argument("--missing", default="worst")
    p.add_argument("--top", type=int, default=20, help="best N cells (default 20)")
    p.add_argument("--min-area-cells", type=int, help="also list contiguous areas of N+ cells")
    p.add_argument(  # region-layers: user layers (siteselect.layers.load_layer_rules)
        "--layers", type=Path, help="a YAML file of user layers (GeoTIFF/GeoJSON/GeoPackage)"
    )
    p.add_argument(
        "--omit-site-evidence",
        action="store_true",
        help="leave sector fit and Taiwanese cluster out for cells and candidates alike",
    )
    p.add_argument("--scheduler", help="threads, sync, local or a cluster address tcp://HOST:PORT")
    p.add_argument("--chunk-cells", type=int, default=50_000, help="cells per Dask task")
    p.add_argument("--out", type=Path, help="write the result (GeoParquet)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    _add_model_options(p)


def _progress_bar(done: float) -> None:
    filled = round(done * 30)
    sys.stderr.write(f"\rscreening [{'#' * filled}{'.' * (30 - filled)}] {done:4.0%}")
    if done >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_screen_region(args: argparse.Namespace) -> int:
    import importlib
    import importlib.util

    from siteselect.layers import load_layer_rules
    from siteselect.region import ScreenSpec, screen

    if args.project_file is not None:
        raise SiteSelectError(
            "screen-region: --project-file is not supported yet; use --headcount"
        )
    model = _model_kwargs(args)
    spec = ScreenSpec(
        area=args.region,
        cell_km=args.cell_km,
        sector=args.sector,
        profile=args.profile,
        weights=dict(args.weight),
        method=args.method,
        method_params=_method_params(args.param),
        markets=model.get("markets"),
        headcount=model.get("headcount"),
        missing=args.missing,
        top=args.top,
        min_area_cells=args.min_area_cells,
        site_evidence="omit" if args.omit_site_evidence else "policy",
        exclusion_rules=model.get("exclusion_rules"),
        rules=load_layer_rules(args.layers) if args.layers else (),
    )
    result = screen(
        spec,
        scheduler=args.scheduler,
        chunk_cells=args.chunk_cells,
        progress=None if args.no_progress else _progress_bar,
    )
    keep = ["cell_id", "lon", "lat", "country", "region_code", "score", "rank", "beats_all"]
    frame = pd.DataFrame(result.top[keep]).round({"lon": 5, "lat": 5, "score": 6})
    best = result.best_candidate
    print(
        f"{result.n_cells:,} cells, {sum(result.n_excluded.values()):,} excluded; best listed "
        + (f"candidate: {best['name']} ({best['score']:.6f})" if best is not None else "none"),
        file=sys.stderr,
    )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    _emit(frame, args.format, sys.stdout)
    if args.out is not None:
        if importlib.util.find_spec("siteselect.region_export") is not None:
            importlib.import_module("siteselect.region_export").write(result, args.out)
        else:  # TODO(lead): region_export (region-layers) writes the full GeoParquet/GeoTIFF
            result.top.drop(columns="explanation").to_parquet(args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def cmd_sites(args: argparse.Namespace) -> int:
    from siteselect.ranking import default_catalog

    sites = default_catalog().sites
    frame = pd.DataFrame(
        {
            "site_id": sites.index,
            "name": sites["name"],
            "country": sites["country"],
            "region": sites["region"],
            "zone_regime": sites["zone_regime"],
            "gateway_port": sites["gateway_port"],
            "airport": sites["airport"],
            "lat": sites.geometry.y.round(5),
            "lon": sites.geometry.x.round(5),
        }
    )
    _emit(frame, args.format, sys.stdout)
    return 0


def cmd_criteria(args: argparse.Namespace) -> int:
    from siteselect.ranking import default_criteria

    frame = pd.DataFrame(
        [
            {
                "criterion": c.id,
                "label": c.label,
                "group": c.group,
                "objective": c.objective,
                "unit": c.unit,
                "derived_as": c.derive.get("kind"),
            }
            for c in default_criteria().criteria
        ]
    )
    _emit(frame, args.format, sys.stdout)
    return 0


def cmd_sectors(args: argparse.Namespace) -> int:
    from siteselect.ranking import default_criteria

    frame = pd.DataFrame(
        [
            {
                "sector": s.id,
                "label": s.label,
                "relevance": ", ".join(f"{k}×{v:g}" for k, v in s.relevance.items()),
            }
            for s in default_criteria().sectors
        ]
    )
    _emit(frame, args.format, sys.stdout)
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from siteselect.ranking import default_criteria

    frame = pd.DataFrame(
        [
            {
                "profile": p.id,
                "label": p.label,
                "group_weights": ", ".join(f"{k}={v:g}" for k, v in p.group_weights.items()),
            }
            for p in default_criteria().profiles
        ]
    )
    _emit(frame, args.format, sys.stdout)
    return 0


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def cmd_data_check(args: argparse.Namespace) -> int:
    from siteselect.catalog import load_catalog
    from siteselect.release import FINDING_KINDS, check_release

    catalog = load_catalog(args.data)
    on = args.as_of or dt.date.today()
    report = check_release(catalog, as_of=on)
    rel = report.release
    frame = pd.DataFrame(
        [
            {
                "file": f.file,
                "row": f.line,
                "scope": f.scope,
                "indicator": f.indicator,
                "problem": FINDING_KINDS[f.kind],
                "detail": f.detail,
                "accepted": f.accepted,
            }
            for f in report.findings
        ],
        columns=["file", "row", "scope", "indicator", "problem", "detail", "accepted"],
    )
    print(
        f"data release {rel.version or '(unversioned)'} of {rel.date or '?'}, "
        f"checked as of {on}: {len(report.open)} figure(s) need attention, "
        f"{len(report.findings) - len(report.open)} accepted with a documented reason",
        file=sys.stderr,
    )
    if len(frame):
        _emit(frame, args.format, sys.stdout)
    return 1 if args.strict and not report.ok else 0


def cmd_data_coverage(args: argparse.Namespace) -> int:
    from siteselect.coverage import LEGEND, coverage_summary, coverage_table

    result, _, _ = _evaluate(args)
    frame = coverage_summary(result) if args.summary else coverage_table(result)
    print(
        f"coverage for {result.sector} ({len(result.table.values)} sites): {LEGEND}",
        file=sys.stderr,
    )
    _emit(frame.reset_index(), args.format, sys.stdout)
    return 0


# --- record: the decision record (HTML or PDF) ------------------------------------------


def cmd_record(args: argparse.Namespace) -> int:
    from siteselect import record
    from siteselect.store import ScenarioStore

    options: dict[str, Any] = {}
    if args.scenario is not None:
        with ScenarioStore() as store:
            scenario = store.load(args.scenario)
        result, catalog, user_ids = record.evaluate_scenario(scenario)
        options = record.scenario_options(scenario)
    else:
        result, catalog, user_ids = _evaluate(args)
        options["overrides"] = dict(args.weight)
    on = args.as_of or dt.date.today()
    options |= record.catalog_options(catalog, result.ranking.index, on=on)
    data = record.render_record(
        result, catalog.sites, fmt=args.format, user_sites=user_ids, **options
    )
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        raise SiteSelectError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out} ({args.format}, {len(data):,} bytes, {len(result.ranking)} sites)")
    return 0


def _add_record_parser(sub: Any) -> None:
    p = sub.add_parser(
        "record",
        help="write the decision record (HTML or PDF)",
        description="Write the decision record: a one-page summary, then annexes (map, "
        "ranking, explanation, cost, every value with its source). With --scenario, the "
        "saved scenario's settings are used and the ranking options are ignored.",
    )
    _add_rank_options(p)
    p.add_argument("--scenario", metavar="NAME", help="a saved scenario (SITESELECT_DB)")
    p.add_argument("--format", choices=("html", "pdf"), default="html")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write")
    p.add_argument(
        "--as-of", type=_date_arg, help="the day for the stale-data notice (default: today)"
    )
    p.set_defaults(func=cmd_record)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="siteselect",
        description="Rank overseas industrial-park sites with multi-criteria decision analysis.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    commands: list[tuple[str, str, Callable[[argparse.Namespace], int]]] = [
        ("rank", "rank the candidate sites", cmd_rank),
        ("map", "write the ranked sites as a standalone HTML map", cmd_map),
        ("explain", "why a site ranks where it does: the method's own terms", cmd_explain),
        ("robustness", "how sure the ranking is: SMAA, stability, what-if", cmd_robustness),
        ("cost", "annual cost of operation per site, with its breakdown", cmd_cost),
        ("screen", "rank a large candidate file (CSV) in chunks, two passes", cmd_screen),
        (
            "screen-region",
            "screen a region's grid cells with the same model, on Dask",
            cmd_screen_region,
        ),
        ("sites", "list the bundled candidate sites", cmd_sites),
        ("criteria", "list the criteria", cmd_criteria),
        ("sectors", "list the target sectors", cmd_sectors),
        ("profiles", "list the stakeholder weight profiles", cmd_profiles),
    ]
    data = sub.add_parser("data", help="the data release: staleness checks")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    check = data_sub.add_parser(
        "check",
        help="list figures past valid_until, superseded or too old",
        description="List every figure past its valid_until, from a superseded edition, "
        "older than its indicator's maximum age, or lacking a required valid_until.",
    )
    check.add_argument("--as-of", type=_date_arg, help="the day to check for (default: today)")
    check.add_argument("--strict", action="store_true", help="exit 1 when anything is found")
    check.add_argument("--data", type=Path, help="data folder (default: the bundled data/)")
    check.add_argument("--format", choices=FORMATS, default="table")
    check.set_defaults(func=cmd_data_check)
    cov = data_sub.add_parser(
        "coverage",
        help="where each cell of the decision table comes from (site, region, country, filled)",
        description="Sites x criteria: the scope of each value (site, region, country), cells "
        "filled by the missing-value policy, imputed cost components, excluded sites.",
    )
    _add_rank_options(cov)
    cov.add_argument("--summary", action="store_true", help="one row per criterion")
    cov.add_argument("--format", choices=FORMATS, default="table")
    cov.set_defaults(func=cmd_data_coverage)
    for name, help_text, func in commands:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name in ("rank", "map", "robustness", "cost", "explain"):
            _add_rank_options(p)
        if name == "explain":
            p.add_argument("site", help="site id or exact site name")
        if name == "robustness":
            p.add_argument("--samples", type=int, default=10_000, help="SMAA weight samples")
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--target", help="site to make win (default: the runner-up)")
            p.add_argument(
                "--order",
                action="append",
                default=[],
                metavar="A>=B",
                help="SMAA weight order, e.g. cost>=proximity",
            )
        if name == "screen":
            p.add_argument("file", type=Path, help="CSV with one column per criterion")
            p.add_argument(
                "--objective",
                action="append",
                type=_weight,
                required=True,
                metavar="COLUMN=max|min",
                help="a criterion column; repeatable",
            )
            p.add_argument(
                "--weight",
                action="append",
                type=_weight,
                default=[],
                metavar="COLUMN=VALUE",
                help="default: equal weights",
            )
            p.add_argument("--method", default="wsm", help="wsm, wpm, topsis or vikor")
            p.add_argument("--id-column", help="column that names each row")
            p.add_argument("--chunksize", type=int, default=200_000)
            p.add_argument("--top", type=int, help="print only the best N rows")
            p.add_argument("--out", type=Path, help="write all results to this CSV")
        if name == "screen-region":
            _add_screen_region_options(p)
        if name == "map":
            p.add_argument(
                "--out",
                type=Path,
                required=True,
                metavar="FILE.html",
                help="where to write the map",
            )
            p.add_argument("--no-routes", action="store_true", help="leave out sea routes")
        else:
            p.add_argument("--format", choices=FORMATS, default="table")
        p.set_defaults(func=func)
    _add_record_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SiteSelectError as exc:
        print(f"siteselect: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
