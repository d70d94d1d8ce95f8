"""``screen-region``: a region's grid cells screened with the model (siteselect.region)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from siteselect.cli.options import (
    add_command,
    add_format_option,
    add_model_options,
    add_pairs_option,
    emit,
    method_params,
    model_kwargs,
    param,
    weight,
)
from siteselect.errors import SiteSelectError


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


def add_parser(sub: Any) -> None:
    """The ``screen-region`` command."""
    p = add_command(
        sub,
        "screen-region",
        "screen a region's grid cells with the same model, on Dask",
        cmd_screen_region,
    )
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
    add_pairs_option(p, "--weight", weight, "ID=VALUE")
    add_pairs_option(p, "--param", param, "NAME=VALUE")
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
    add_model_options(p)
    add_format_option(p)


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
    model = model_kwargs(args)
    spec = ScreenSpec(
        area=args.region,
        cell_km=args.cell_km,
        sector=args.sector,
        profile=args.profile,
        weights=dict(args.weight),
        method=args.method,
        method_params=method_params(args.param),
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
    emit(frame, args.format, sys.stdout)
    if args.out is not None:
        if importlib.util.find_spec("siteselect.region_export") is not None:
            importlib.import_module("siteselect.region_export").write(result, args.out)
        else:  # TODO(lead): region_export (region-layers) writes the full GeoParquet/GeoTIFF
            result.top.drop(columns="explanation").to_parquet(args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
