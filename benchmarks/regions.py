"""First-level region outlines: cold build time, locate throughput and agreement.

Run from the repository root::

    .venv/bin/python -m benchmarks.regions

Cold build: a fresh interpreter builds one country's regions (reading the shipped Natural
Earth lines and GeoNames places included), so the figure is what an app's first call costs.
Agreement: the share of the GeoNames places (5,000+ people) that label the outlines which
:func:`siteselect.boundaries.locate` puts in the region of their own GeoNames admin-1 code,
and the share located at all (the rest lie offshore of the 1:10m coastline).
"""

from __future__ import annotations

import subprocess
import sys
import time

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


def main() -> int:
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
