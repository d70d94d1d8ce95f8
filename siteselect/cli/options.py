"""Options the command groups share: their parsers, their reading, the common evaluation
and the one writer of tables (``--format table|json|csv``)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from siteselect.errors import SiteSelectError

FORMATS = ("table", "json", "csv")


def _name_value(text: str, expected: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
    return name.strip(), value.strip()


def weight(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` of ``--weight`` (and ``--objective``), the value left as text."""
    return _name_value(text, "CRITERION=VALUE or GROUP=VALUE")


def param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` of ``--param``: true/false as booleans, numbers as floats, else text."""
    name, value = _name_value(text, "NAME=VALUE")
    parsed: Any = value
    if parsed.lower() in ("true", "false"):
        parsed = parsed.lower() == "true"
    else:
        with contextlib.suppress(ValueError):
            parsed = float(parsed)
    return name, parsed


def method_params(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
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


def market(text: str) -> tuple[str, str]:
    """``MARKET=SHARE`` of ``--market``, the share left as text."""
    return _name_value(text, "MARKET=SHARE, e.g. US=0.7")


def rule_switch(text: str) -> tuple[str, bool]:
    """``RULE=on|off`` of ``--exclude``."""
    expected = "RULE=on or RULE=off"
    name, value = _name_value(text, expected)
    state = {"on": True, "off": False}.get(value.lower())
    if state is None:
        raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
    return name, state


def date_arg(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date (``--as-of``)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def emit(frame: pd.DataFrame, fmt: str, out: Any) -> None:
    """Write ``frame`` to ``out`` as ``fmt``: an aligned table, JSON records or safe CSV."""
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


def add_pairs_option(
    parser: argparse.ArgumentParser,
    flag: str,
    parse: Callable[[str], tuple[str, Any]],
    metavar: str,
    help_text: str | None = None,
    *,
    required: bool = False,
) -> None:
    """A repeatable ``NAME=VALUE`` option ``flag``, read by ``parse`` into a list of pairs
    (empty when not given, unless ``required``)."""
    given: dict[str, Any] = {"required": True} if required else {"default": []}
    parser.add_argument(
        flag, action="append", type=parse, metavar=metavar, help=help_text, **given
    )


def add_rank_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that evaluates the catalogue (read by :func:`evaluate`)."""
    parser.add_argument("--sector", default="ems", help="target sector id (default: ems)")
    parser.add_argument(
        "--profile",
        default="industry_association",
        help="stakeholder weight profile id (default: industry_association)",
    )
    add_pairs_option(
        parser,
        "--weight",
        weight,
        "NAME=VALUE",
        "override a criterion's within-group weight or a group's weight; repeatable",
    )
    parser.add_argument("--method", default="topsis", help="MCDA method (default: topsis)")
    add_pairs_option(
        parser,
        "--param",
        param,
        "NAME=VALUE",
        "method parameter, e.g. v=0.5 for vikor; NAME.CRITERION=VALUE for one criterion "
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
    add_model_options(parser)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Target markets, reference project and exclusion switches (read by :func:`model_kwargs`)."""
    add_pairs_option(
        parser,
        "--market",
        market,
        "MARKET=SHARE",
        "a target market and its share of sales, e.g. US=0.7; repeatable "
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
    add_pairs_option(
        parser,
        "--exclude",
        rule_switch,
        "RULE=on|off",
        "switch a sector exclusion rule on or off (rule ids in criteria/sectors.yaml, "
        "e.g. water_stress=on); repeatable",
    )


def model_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The model options given (markets, project, headcount, exclusion rules) as keywords."""
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


def evaluate(args: argparse.Namespace) -> tuple[Any, Any, list[str]]:
    """Evaluate as the options say; returns the evaluation, the catalogue and user site ids."""
    from dataclasses import replace

    from siteselect.catalog import sites_from_file
    from siteselect.ranking import default_catalog, default_criteria
    from siteselect.ranking import evaluate as evaluate_catalog

    cset = default_criteria()
    catalog = default_catalog()
    user_ids: list[str] = []
    if args.sites is not None:
        user = sites_from_file(args.sites, criteria=cset.ids)
        if args.only_sites:
            catalog = replace(catalog, sites=catalog.sites.iloc[0:0])
        catalog = catalog.with_sites(user)
        user_ids = list(user.sites.index)
    result = evaluate_catalog(
        catalog,
        cset,
        sector=args.sector,
        profile=args.profile,
        weights=dict(args.weight),
        method=args.method,
        missing=args.missing,
        **model_kwargs(args),
        **method_params(args.param),
    )
    return result, catalog, user_ids


def add_command(
    sub: Any, name: str, help_text: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """A subcommand ``name`` of ``sub`` that runs ``func``; its help is its description."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(func=func)
    return parser


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format table|json|csv`` (default: table), written by :func:`emit`."""
    parser.add_argument("--format", choices=FORMATS, default="table")
