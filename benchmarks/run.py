"""siteselect benchmarks: one command, ratios against baselines measured in the same run.

Run from the repository root::

    .venv/bin/python -m benchmarks.run            # all cases
    .venv/bin/python -m benchmarks.run --quick    # smaller sizes, for a smoke check

Each case prints the median time of several repeats, the peak memory traced during one
run (numpy and Python allocations, via tracemalloc) and the ratio against its baselines:
the scikit-criteria pipeline for the same method, and the "floor", the cheapest numpy
computation any ranking must do (one weighted pass over the matrix plus one sort; for
SMAA one matrix product of all weight samples plus one ``argsort`` per sample, in plain
numpy with the weights already drawn). Absolute times
drift on shared machines; the ratios are what the targets are about.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Row:
    case: str
    seconds: float
    peak_mb: float
    ratio: str
    target: str
    met: bool | None

    def line(self) -> str:
        status = {True: "met", False: "MISSED", None: "-"}[self.met]
        return (
            f"{self.case:<48} {self.seconds * 1e3:>10.2f} ms {self.peak_mb:>9.1f} MB  "
            f"{self.ratio:<34} {self.target:<30} {status}"
        )


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_times(
    fn: Callable[[], Any], base: Callable[[], Any], repeats: int
) -> tuple[float, float, float]:
    """Median times of ``fn`` and ``base`` run alternately, and the median of the per-pair
    ratios: on a shared machine load changes slowly, so neighbours see the same load."""
    a, b, ratios = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        base()
        tb = time.perf_counter() - start
        start = time.perf_counter()
        fn()
        ta = time.perf_counter() - start
        a.append(ta)
        b.append(tb)
        ratios.append(ta / tb)
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def random_frame(
    m: int, n: int, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, str], dict[str, float]]:
    rng = np.random.default_rng(seed)
    cols = [f"c{j}" for j in range(n)]
    frame = pd.DataFrame(rng.uniform(1.0, 100.0, (m, n)), columns=cols)
    objectives = {c: ("max" if j % 2 else "min") for j, c in enumerate(cols)}
    weights = {c: float(rng.uniform(0.1, 1.0)) for c in cols}
    return frame, objectives, weights


def bench_rerank(rows: list[Row], repeats: int) -> None:
    from siteselect.methods import prepare_problem, rank_matrix

    frame, objectives, weights = random_frame(50, 15)
    rng = np.random.default_rng(1)
    samples = rng.dirichlet(np.ones(15), 64)
    rank_matrix(frame, objectives, weights, "topsis", engine="skcriteria")  # import once
    for method in ("topsis", "wsm", "vikor"):
        prepared = prepare_problem(frame, objectives, method)

        def ours(prepared: Any = prepared) -> None:
            for w in samples:
                prepared.rank(w)

        def reference(method: str = method) -> None:
            for w in samples[:16]:
                rank_matrix(
                    frame,
                    objectives,
                    dict(zip(frame.columns, w, strict=True)),
                    method,
                    engine="skcriteria",
                )

        t_ours = median_time(ours, repeats) / len(samples)
        t_ref = median_time(reference, max(1, repeats // 2)) / 16
        same = all(
            (
                prepared.rank(w)[1]
                == rank_matrix(
                    frame,
                    objectives,
                    dict(zip(frame.columns, w, strict=True)),
                    method,
                    engine="skcriteria",
                )["rank"].to_numpy()
            ).all()
            for w in samples[:8]
        )
        speedup = t_ref / t_ours
        rows.append(
            Row(
                f"re-rank 50×15 {method} (per weight change)",
                t_ours,
                peak_mb(lambda p=prepared: p.rank(samples[0])),
                f"{speedup:,.0f}× faster than scikit-criteria",
                "≥ 20× and identical ranks",
                speedup >= 20 and same,
            )
        )


def bench_app_weight_change(rows: list[Row], repeats: int) -> None:
    """What one weight change costs the app server-side (geography and table cached)."""
    from siteselect.ranking import default_catalog, default_criteria, evaluate
    from siteselect.table import decision_table

    catalog, cset = default_catalog(), default_criteria()
    table = decision_table(catalog, cset, "ems")

    def change(weight: list[float] = [1.0]) -> None:  # noqa: B006
        weight[0] = 3.0 - weight[0]
        evaluate(catalog, cset, sector="ems", weights={"labour_cost": weight[0]}, table=table)

    t = median_time(change, repeats * 3)
    t_table = median_time(lambda: decision_table(catalog, cset, "ems"), repeats)
    rows.append(
        Row(
            f"app weight change: evaluate(), {len(catalog.sites)} sites, cached table",
            t,
            peak_mb(change),
            f"table build alone {t_table * 1e3:.1f} ms",
            "",
            None,
        )
    )


def bench_large(rows: list[Row], m: int, repeats: int) -> None:
    from siteselect.methods import rank_matrix

    frame, objectives, weights = random_frame(m, 20, seed=2)
    X = frame.to_numpy()
    w = np.array(list(weights.values()))
    matrix_mb = X.nbytes / 2**20

    def floor() -> None:
        scores = X @ w
        np.argsort(-scores)

    t_floor = median_time(floor, repeats)
    rows.append(
        Row(f"floor {m:,}×20 (X @ w + one sort)", t_floor, peak_mb(floor), "baseline", "", None)
    )
    for method in ("wsm", "topsis"):

        def ours(method: str = method) -> None:
            rank_matrix(frame, objectives, weights, method)

        t = median_time(ours, repeats)
        peak = peak_mb(ours)
        ratio = t / t_floor
        rows.append(
            Row(
                f"rank_matrix {m:,}×20 {method}",
                t,
                peak,
                f"{ratio:.2f}× floor; memory {peak / matrix_mb:.2f}× matrix",
                "≤ 4× floor, memory ≤ 3× matrix",
                ratio <= 4 and peak <= 3 * matrix_mb,
            )
        )


def bench_smaa(rows: list[Row], samples: int, repeats: int) -> None:
    try:
        from siteselect.robustness import smaa
    except ImportError:
        rows.append(Row("smaa (siteselect.robustness missing)", 0, 0, "-", "", False))
        return
    from siteselect.methods import rank_matrix

    frame, objectives, _ = random_frame(50, 15, seed=3)
    X = frame.to_numpy()
    sense = np.array([1.0 if objectives[c] == "max" else -1.0 for c in frame.columns])
    # plain numpy, none of our helpers: the scaled matrix and the weights are given for
    # free; what remains is what any SMAA must do per sample
    lo, hi = X.min(axis=0), X.max(axis=0)
    R = np.where(sense > 0, (X - lo) / (hi - lo), (hi - X) / (hi - lo))
    rng = np.random.default_rng(0)
    W_floor = rng.dirichlet(np.ones(15), samples)

    def floor() -> None:
        np.argsort(-(W_floor @ R.T), axis=1)

    def ours() -> None:
        smaa(frame, objectives, samples=samples, method="wsm", seed=0)

    def loop_reference() -> None:
        for w in rng.dirichlet(np.ones(15), 20):
            rank_matrix(
                frame,
                objectives,
                dict(zip(frame.columns, w, strict=True)),
                "wsm",
                engine="skcriteria",
            )

    ours()  # warm (imports, first-call costs)
    t_ours, t_floor, ratio = paired_times(ours, floor, 3 * repeats)
    t_loop = median_time(loop_reference, 1) / 20 * samples
    rows.append(
        Row(f"smaa floor {samples:,} samples 50×15", t_floor, peak_mb(floor), "baseline", "", None)
    )
    rows.append(
        Row(
            f"smaa wsm {samples:,} samples 50×15",
            t_ours,
            peak_mb(ours),
            f"{ratio:.2f}× floor; {t_loop / t_ours:,.0f}× faster than loop",
            "≤ 3× floor, ≥ 1,000× loop",
            ratio <= 3 and t_loop / t_ours >= 1000,
        )
    )
    rows.append(
        Row(
            "   samples per second",
            t_ours,
            0,
            f"{samples / t_ours:,.0f}/s vs loop {samples / t_loop:,.0f}/s",
            "",
            None,
        )
    )


def summary_part_calls(m: int, samples: int, levers: list[str]) -> dict[str, Callable[[], Any]]:
    """The robustness summary's parts on a random m × 13 problem as calls to time: TOPSIS,
    value ranges of ±5 % of each span on 9 criteria, the runner-up as the target."""
    from siteselect.methods import rank_matrix
    from siteselect.robustness import (
        rank_reversal,
        smaa_full,
        stability_intervals,
        value_levers,
        weights_to_win,
    )

    frame, objectives, weights = random_frame(m, 13, seed=5)
    span = frame.max() - frame.min()
    ranges = {c: (frame[c] - 0.05 * span[c], frame[c] + 0.05 * span[c]) for c in frame.columns[:9]}
    second = rank_matrix(frame, objectives, weights, "topsis")["rank"].sort_values().index[1]
    return {
        "SMAA": lambda: smaa_full(
            frame,
            objectives,
            weights=weights,
            concentration=100.0,
            samples=samples,
            method="topsis",
            value_ranges=ranges,
        ),
        "stability": lambda: stability_intervals(frame, objectives, weights, "topsis"),
        "win": lambda: weights_to_win(frame, objectives, weights, second, "topsis"),
        "levers": lambda: value_levers(
            frame, objectives, weights, second, "topsis", levers=levers
        ),
        "reversal": lambda: rank_reversal(frame, objectives, weights, "topsis"),
    }


def bench_summary_parts(rows: list[Row], samples: int) -> None:
    """The robustness summary's parts at its site limit (TOPSIS, value ranges)."""
    from siteselect.robustness.summary import MAX_SITES

    calls = summary_part_calls(MAX_SITES, samples, levers=["c0", "c1", "c2"])

    def run() -> None:
        for call in calls.values():
            call()

    t = median_time(run, 1)
    rows.append(
        Row(
            f"robustness summary parts, {MAX_SITES} sites (limit)",
            t,
            0,
            f"{t:.1f} s; more sites refused up front",
            "≤ 30 s",
            t <= 30,
        )
    )


def bench_imports(rows: list[Row], repeats: int) -> None:
    """Cold import of app.py's modules and the first page (benchmarks/startup.py)."""
    from benchmarks.startup import measure

    result = measure(repeats)
    for name, row in result.items():
        if not isinstance(row, dict):
            continue
        target = "≤ 2× streamlit" if name == "app modules" else ""
        rows.append(
            Row(
                f"cold import: {name}",
                row["median_s"],
                0,
                f"{row['ratio']:.2f}× streamlit",
                target,
                row["ratio"] <= 2 if target else None,
            )
        )


def bench_geo(rows: list[Row], n_sites: int, repeats: int) -> None:
    import geopandas as gpd

    from siteselect import geo

    rng = np.random.default_rng(4)
    lon = rng.uniform(-118, -86, n_sites)
    lat = rng.uniform(15, 33, n_sites)
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")

    def nearest() -> None:
        geo.nearest_port(sites)

    def brute() -> None:
        geo.nearest_port(sites, brute_force=True)

    t_idx = median_time(nearest, repeats)
    t_bf = median_time(brute, max(1, repeats // 2))
    rows.append(
        Row(
            f"nearest port, {n_sites:,} sites (k-d tree)",
            t_idx,
            peak_mb(nearest),
            f"{t_bf / t_idx:.1f}× faster than brute force",
            "spatial index",
            t_bf > t_idx,
        )
    )
    codes, _ = geo.nearest_port(sites)
    sites["gateway_port"] = codes.to_numpy()
    geo.sea_route_km.cache_clear()

    def sea() -> None:
        geo.sea_distance_km(sites)

    t_sea = median_time(sea, 1)
    info = geo.sea_route_km.cache_info()
    ports = sites["gateway_port"].nunique()
    rows.append(
        Row(
            f"sea distance, {n_sites:,} sites",
            t_sea,
            0,
            f"{info.misses} routes for {ports} ports",
            "one route per port",
            info.misses == ports,
        )
    )


def bench_user_geography(rows: list[Row], n_sites: int) -> None:
    """All computed criteria for a user's file of candidate sites, from upload to table."""
    from siteselect import geo
    from siteselect.catalog import sites_from_file

    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "name": [f"cell {i}" for i in range(n_sites)],
            "lat": rng.uniform(15, 33, n_sites),
            "lon": rng.uniform(-118, -86, n_sites),
            "country": "MEX",
        }
    )
    data = frame.to_csv(index=False).encode()
    geo.sea_route_km.cache_clear()

    def run() -> None:
        catalog = sites_from_file("cells.csv", data=data)
        _ = catalog.geography

    t = median_time(run, 1)
    info = geo.sea_route_km.cache_info()
    rows.append(
        Row(
            f"user file of {n_sites:,} sites: read + all geo criteria",
            t,
            0,
            f"{info.misses} sea routes computed (one per port)",
            "",
            None,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke check)")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    m = 100_000 if args.quick else 1_000_000
    rows: list[Row] = []
    bench_rerank(rows, repeats)
    bench_app_weight_change(rows, repeats)
    bench_large(rows, m, repeats)
    bench_smaa(rows, 2_000 if args.quick else 10_000, repeats)
    bench_summary_parts(rows, 2_000 if args.quick else 10_000)
    bench_imports(rows, 3 if args.quick else 5)
    bench_geo(rows, 1_000 if args.quick else 10_000, repeats)
    bench_user_geography(rows, 1_000 if args.quick else 10_000)
    print(f"{'case':<48} {'median':>13} {'peak mem':>12}  {'ratio':<34} {'target':<30} status")
    for row in rows:
        print(row.line())
    missed = [r.case for r in rows if r.met is False]
    print(
        f"\n{len([r for r in rows if r.met])} targets met, {len(missed)} missed"
        + (": " + "; ".join(missed) if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
