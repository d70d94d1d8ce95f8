"""Region screening at scale, and first-level region outlines.

Run from the repository root::

    .venv/bin/python -m benchmarks.regions                 # outlines (below)
    .venv/bin/python -m benchmarks.regions screen          # screening: 1e5 and 1e6 cells
    .venv/bin/python -m benchmarks.regions screen --cells 1e5 1e6 1e7 --schedulers threads local

Screening: :func:`siteselect.region.screen` over an all-land box of the United States
(103-94 W, 31-36.5 N; Texas, Oklahoma, Louisiana, Arkansas, New Mexico), the cell size
chosen so that the grid holds the wanted number of cells, EMS, TOPSIS, default model. Each
case runs in a fresh interpreter: the catalog is loaded (and its geography computed) before
the clock starts; the figure is the wall time of ``screen()`` alone, cells per second, and
the peak resident memory (``getrusage`` max RSS) of the process and of its worker processes
(a local cluster's workers are child processes). The floor is the plain-numpy work any
screen must do for the same cells: the centres of the grid, their WGS84 coordinates, one
weighted pass over nine criteria and a top-k selection. Results go to
``benchmarks/results/regions.md`` with the machine's description (``nproc``, RAM, load).

Cold build: a fresh interpreter builds one country's regions (reading the shipped Natural
Earth lines and GeoNames places included), so the figure is what an app's first call costs.
Agreement: the share of the GeoNames places (5,000+ people) that label the outlines which
:func:`siteselect.boundaries.locate` puts in the region of their own GeoNames admin-1 code,
and the share located at all (the rest lie offshore of the 1:10m coastline).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

from siteselect import boundaries

_COLD = (
    "import time; t = time.perf_counter(); from siteselect import boundaries; "
    "boundaries.regions({iso3!r}); print(time.perf_counter() - t)"
)


def cold_build(iso3: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _COLD.format(iso3=iso3)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


BOX = (-103.0, 31.0, -94.0, 36.5)
RESULTS = Path(__file__).parent / "results" / "regions.md"


def _cell_km(n_cells: float) -> float:
    import shapely

    area = gpd.GeoSeries([shapely.box(*BOX)], crs=4326).to_crs(6933).area.iloc[0] / 1e6
    return math.sqrt(area / n_cells)


def _floor(n_rows: int, n_cols: int, cell_m: float, top: int = 20) -> float:
    """Seconds of the plain-numpy floor for a grid of ``n_rows`` x ``n_cols`` cells."""
    from pyproj import Transformer

    start = time.perf_counter()
    to_wgs84 = Transformer.from_crs(6933, 4326, always_xy=True)
    best = np.empty(0)
    rng = np.random.default_rng(0)
    weights = rng.random(9)
    band = max(1, 50_000 // n_cols)
    for r0 in range(0, n_rows, band):
        r = np.arange(r0, min(r0 + band, n_rows))
        cc, rr = np.meshgrid(np.arange(n_cols), r)
        x, y = (cc.ravel() + 0.5) * cell_m, (rr.ravel() + 0.5) * cell_m
        lon, lat = to_wgs84.transform(x, y)
        matrix = np.column_stack([lon, lat, *(np.asarray(lon) * w for w in weights[2:])])
        score = matrix @ weights
        best = np.concatenate([best, np.partition(score, -min(top, score.size))[-top:]])
    np.partition(best, -min(top, best.size))
    return time.perf_counter() - start


def _case(n_cells: float, scheduler: str) -> dict[str, float | int | str]:
    from siteselect.ranking import default_catalog, default_criteria
    from siteselect.region import ScreenSpec, screen

    catalog, cset = default_catalog(), default_criteria()
    _ = catalog.geography
    km = _cell_km(n_cells)
    spec = ScreenSpec(BOX, km, sector="ems", method="topsis", top=20, max_cells=10**8)
    start = time.perf_counter()
    result = screen(spec, catalog=catalog, criteria=cset, scheduler=scheduler)
    seconds = time.perf_counter() - start
    floor = _floor(result.grid.n_rows, result.grid.n_cols, result.grid.cell_m)
    kib = 1024.0 if sys.platform != "darwin" else 1024.0**2
    return {
        "target": n_cells,
        "cell_km": km,
        "scheduler": scheduler,
        "n_cells": int(result.n_cells),
        "seconds": seconds,
        "cells_per_s": result.n_cells / seconds,
        "floor_s": floor,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
    }


def _machine() -> list[str]:
    mem = (
        Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
        if Path("/proc/meminfo").exists()
        else "?"
    )
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    load = os.getloadavg()
    return [
        f"- `nproc`: {os.cpu_count()}; CPU: {cpu}; RAM: {int(mem) / 2**20:.1f} GiB",
        f"- load average at the start (1, 5, 15 min): {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}"
        " (the machine is shared: absolute times are upper bounds)",
        f"- Python {platform.python_version()}",
    ]


def screen_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.regions screen")
    parser.add_argument("--cells", nargs="+", type=float, default=[1e5, 1e6])
    parser.add_argument("--schedulers", nargs="+", default=["threads", "local"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    machine = _machine()
    rows: list[dict] = []
    for n in args.cells:
        for scheduler in args.schedulers:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.regions", "_case", str(n), scheduler],
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(out.stderr[-2000:], file=sys.stderr)
                continue
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), flush=True)
            _report(rows, machine, args.out)  # after every case: a long run can be cut short
    print(f"written: {args.out}")
    return 0


def _report(rows: list[dict], machine: list[str], path: Path) -> None:
    lines = [
        "# Region screening at scale",
        "",
        "Produced by `python -m benchmarks.regions screen` (see its docstring for the job).",
        "",
        *machine,
        "",
        "| cells | cell km | scheduler | seconds | cells/s | floor s | × floor | peak RSS MB "
        "(process) | peak RSS MB (workers) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n_cells']:,} | {r['cell_km']:.3f} | {r['scheduler']} | {r['seconds']:.1f} "
            f"| {r['cells_per_s']:,.0f} | {r['floor_s']:.2f} | "
            f"{r['seconds'] / r['floor_s']:,.0f} | {r['rss_mb']:,.0f} | "
            f"{r['workers_rss_mb']:,.0f} |"
        )
    lines += ["", *_growth(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _growth(rows: list[dict]) -> list[str]:
    """How time grows with cells per scheduler, and an estimate for 1e8 cells.

    Time is fitted as ``fixed + per_cell * cells`` through the two largest sizes (the
    fixed part is the places' decision table and, for a local cluster, its start); the
    estimate divides the per-cell part over ``n`` workers of one core each (ideal
    scaling) and keeps the fixed part.
    """
    out = ["## Growth and an estimate for 1e8 cells", ""]
    cores = os.cpu_count() or 1
    for scheduler in sorted({r["scheduler"] for r in rows}):
        mine = sorted((r for r in rows if r["scheduler"] == scheduler), key=lambda r: r["n_cells"])
        if len(mine) < 2:
            continue
        a, b = mine[-2], mine[-1]
        slope = math.log(b["seconds"] / a["seconds"]) / math.log(b["n_cells"] / a["n_cells"])
        per_cell = max((b["seconds"] - a["seconds"]) / (b["n_cells"] - a["n_cells"]), 1e-12)
        fixed = max(b["seconds"] - per_cell * b["n_cells"], 0.0)
        out.append(
            f"- {scheduler}: time grows as cells^{slope:.2f} from {a['n_cells']:,} to "
            f"{b['n_cells']:,} cells; fitted fixed part {fixed:.0f} s, "
            f"{1 / per_cell:,.0f} cells/s marginal on {cores} cores"
        )
        est = ", ".join(
            f"{n} workers ≈ {(fixed + per_cell * 1e8 * cores / n) / 3600:,.1f} h"
            for n in (2, 8, 32, 128)
        )
        out.append(f"  - 1e8 cells (per-cell part over n one-core workers): {est}")
    return out


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "screen":
        return screen_main(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "_case":
        print(json.dumps(_case(float(sys.argv[2]), sys.argv[3])))
        return 0
    print(f"{'country':<8} {'regions':>7} {'cold s':>7} {'located':>8} {'agree':>7}")
    for iso3 in sorted(boundaries.REGION_COUNTRIES):
        seconds = cold_build(iso3)
        places = boundaries.places(iso3)
        got = boundaries.locate(places)["region_code"]
        located = float(got.notna().mean())
        agree = float(np.mean(got.fillna("").to_numpy() == places["region_code"].to_numpy()))
        print(
            f"{iso3:<8} {len(boundaries.regions(iso3)):>7} {seconds:>7.2f} "
            f"{located:>8.2%} {agree:>7.2%}"
        )
    cold_all = subprocess.run(
        [sys.executable, "-c", _COLD.format(iso3=None)], capture_output=True, text=True, check=True
    )
    print(f"all three, cold: {float(cold_all.stdout.strip().splitlines()[-1]):.2f} s")
    rng = np.random.default_rng(0)
    n = 100_000
    pts = gpd.GeoSeries.from_xy(rng.uniform(-118, 126, n), rng.uniform(5, 45, n), crs=4326)
    start = time.perf_counter()
    boundaries.locate(pts)
    elapsed = time.perf_counter() - start
    print(f"locate, {n:,} random points (warm): {elapsed:.2f} s ({n / elapsed:,.0f} points/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
