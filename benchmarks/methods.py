"""The methods and SMAA against scikit-criteria and against the numpy floor, in one run.

Run from the repository root (writes ``benchmarks/results/methods.md``)::

    .venv/bin/python -m benchmarks.methods            # the full table
    .venv/bin/python -m benchmarks.methods --quick    # smaller sizes, a smoke check

The floors are plain numpy that any correct implementation must at least do, with the
inputs already in memory and none of our helpers:

* **ranking floor**: ``np.argsort(-(X @ w))`` on the raw matrix, one weighted pass plus
  one sort (any method reads every value once and orders the sites);
* **SMAA floor**: ``np.argsort(-(W @ R.T), axis=1)`` with the weights ``W`` already drawn
  and the matrix ``R`` already scaled: one batched product plus one ``argsort`` per sample.

Every ratio is the median of per-round ratios with the two sides run alternately, so both
see the same machine load (the machine is stated with the table).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.run import paired_times, random_frame, summary_part_calls

RESULTS = Path(__file__).resolve().parent / "results" / "methods.md"
SKCRITERIA = ("wsm", "wpm", "topsis", "vikor")
SMAA_TARGET = 3.0
"""SMAA (WSM) within this multiple of the SMAA floor."""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{cpu}; {os.cpu_count()} logical cores; load average {load} at the start; "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def per_call(fn: Callable[[], Any], base: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Median time of ``fn`` and its median ratio to ``base`` (run alternately)."""
    t, _, ratio = paired_times(fn, base, rounds)
    return t, ratio


def method_rows(rounds: int, large: int) -> list[list[str]]:
    from siteselect.methods import prepare_problem, rank_matrix

    frame, objectives, weights = random_frame(50, 15, seed=11)
    X, w = frame.to_numpy(), np.array(list(weights.values()))
    big, big_obj, big_w = random_frame(large, 15, seed=12)
    Xb, wb = big.to_numpy(), np.array(list(big_w.values()))

    def floor() -> None:
        np.argsort(-(X @ w))

    def big_floor() -> None:
        np.argsort(-(Xb @ wb))

    rank_matrix(frame, objectives, weights, "topsis", engine="skcriteria")  # imports, once
    rows = []
    for method in ("wsm", "wpm", "topsis", "vikor", "promethee2"):
        prepared = prepare_problem(frame, objectives, method)

        def ours(method: str = method) -> None:
            rank_matrix(frame, objectives, weights, method)

        def rerank(prepared: Any = prepared) -> None:
            prepared.rank(w)

        def ours_big(method: str = method) -> None:
            rank_matrix(big, big_obj, big_w, method)

        t, vs_floor = per_call(ours, floor, rounds)
        t_re, re_floor = per_call(rerank, floor, rounds)
        if method in SKCRITERIA:

            def skc(method: str = method) -> None:
                rank_matrix(frame, objectives, weights, method, engine="skcriteria")

            _, skc_ratio = per_call(skc, ours, max(3, rounds // 2))
            vs_skc = f"{skc_ratio:,.0f}× faster"
        else:
            vs_skc = "not in scikit-criteria"
        if method == "promethee2":  # pairwise: m² per criterion; its own size
            big_cell = "pairwise (m² per criterion): not run at this size"
        else:
            t_big, big_ratio = per_call(ours_big, big_floor, max(3, rounds // 3))
            big_cell = f"{t_big * 1e3:,.0f} ms, {big_ratio:.1f}× floor"
        rows.append(
            [
                method,
                f"{t * 1e3:.2f} ms ({vs_floor:,.0f}× floor)",
                f"{t_re * 1e6:,.0f} µs ({re_floor:,.0f}× floor)",
                vs_skc,
                big_cell,
            ]
        )
    return rows


def smaa_rows(samples: int, rounds: int) -> list[list[str]]:
    from siteselect.robustness import smaa

    frame, objectives, _ = random_frame(50, 15, seed=3)
    X = frame.to_numpy()
    sense = np.array([1.0 if objectives[c] == "max" else -1.0 for c in frame.columns])
    lo, hi = X.min(axis=0), X.max(axis=0)
    R = np.where(sense > 0, (X - lo) / (hi - lo), (hi - X) / (hi - lo))
    W = np.random.default_rng(0).dirichlet(np.ones(15), samples)

    def floor() -> None:
        np.argsort(-(W @ R.T), axis=1)

    rows = []
    for method in ("wsm", "wpm", "topsis", "vikor", "promethee2"):

        def ours(method: str = method) -> None:
            smaa(frame, objectives, samples=samples, method=method, seed=0)

        ours()  # first-call costs
        t, ratio = per_call(ours, floor, rounds)
        target = f"≤ {SMAA_TARGET:g}×" if method == "wsm" else "-"
        met = ("met" if ratio <= SMAA_TARGET else "MISSED") if method == "wsm" else "-"
        rows.append([f"smaa {method}", f"{t * 1e3:.0f} ms", f"{ratio:.2f}× floor", target, met])
    t_floor = statistics.median(_times(floor, rounds))
    rows.insert(0, ["SMAA floor", f"{t_floor * 1e3:.1f} ms", "1", "", ""])
    return rows


def _times(fn: Callable[[], Any], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary_parts(m: int, samples: int) -> dict[str, float]:
    """Seconds of each part of the robustness summary on a random m × 13 problem."""
    parts: dict[str, float] = {}
    for name, call in summary_part_calls(m, samples, levers=["c0"]).items():
        start = time.perf_counter()
        call()
        parts[name] = time.perf_counter() - start
    return parts


def summary_rows(sizes: tuple[int, ...], samples: int, run_above: bool) -> list[list[str]]:
    """The robustness summary's parts (TOPSIS, the app's default; 13 criteria, values
    of 9 uncertain): timed at the site limit, refused up front above it."""
    from siteselect.errors import SiteSelectError
    from siteselect.robustness.model import one_blas_thread
    from siteselect.robustness.summary import MAX_SITES, check_summary_size

    rows = []
    for m in sizes:
        start = time.perf_counter()
        try:
            check_summary_size(m)
        except SiteSelectError:
            refused = time.perf_counter() - start
            rows.append([f"{m:,}", f"refused up front in {refused * 1e3:.2f} ms", "", ""])
            if not run_above:
                continue
        with one_blas_thread():  # as robustness_summary runs them
            parts = summary_parts(m, samples)
        total = sum(parts.values())
        split = ", ".join(f"{k} {v:.1f} s" for k, v in parts.items())
        within = m <= MAX_SITES
        rows.append(
            [
                f"{m:,}" + ("" if within else " (parts run anyway)"),
                f"{total:.1f} s",
                split,
                ("met" if total <= 30 else "MISSED") if within else "-",
            ]
        )
    return rows


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke check)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--above-limit", action="store_true", help="also time the summary's parts above it"
    )
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 9
    samples = 2_000 if args.quick else 10_000
    from benchmarks.startup import measure
    from siteselect.robustness.model import one_blas_thread
    from siteselect.robustness.summary import MAX_SITES

    header = machine()
    with one_blas_thread():  # as the robustness functions run (and the floors with them)
        methods = method_rows(rounds, 20_000 if args.quick else 200_000)
        smaa_table = smaa_rows(samples, rounds)
    summary = summary_rows((MAX_SITES, 2_000, 10_000), samples, args.above_limit)
    start = measure(3 if args.quick else 7)
    start_rows = [
        [
            name,
            f"{row['median_s'] * 1e3:,.0f} ms",
            f"{row['ratio']:.2f}×",
            ", ".join(row["deferred_loaded"]) or "none",
        ]
        for name, row in start.items()
        if isinstance(row, dict)
    ]
    text = "\n\n".join(
        [
            "# Methods benchmark (benchmarks/methods.py, one run)",
            f"Machine: {header}. Rounds: {rounds} (medians of paired, alternating runs).",
            "Floors: ranking floor = `np.argsort(-(X @ w))` on the raw matrix; SMAA floor = "
            "`np.argsort(-(W @ R.T), axis=1)` with W drawn and R scaled beforehand. Both plain "
            "numpy, none of our helpers.",
            "## Methods on 50 sites × 15 criteria, and on a large matrix",
            table(
                [
                    "method",
                    "rank_matrix (validate, prepare, rank)",
                    "re-rank, prepared (one weight change)",
                    "vs scikit-criteria (same method, rank_matrix engine)",
                    f"rank_matrix {200_000 if not args.quick else 20_000:,} × 15",
                ],
                methods,
            ),
            f"## SMAA, {samples:,} weight samples on 50 × 15 (uniform weights, exact values)",
            table(["case", "median", "ratio", "target", "status"], smaa_table),
            f"## Robustness summary, {samples:,} samples (limit: {MAX_SITES:,} sites)",
            table(["sites", "time", "parts", "≤ 30 s"], summary),
            "## Cold import (benchmarks/startup.py; fresh processes, alternating)",
            table(
                ["what", "median", "× import streamlit", "deferred libraries loaded"], start_rows
            ),
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
