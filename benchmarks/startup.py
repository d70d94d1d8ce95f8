"""Cold start of the app: what the entry's imports load, and how long they take.

The modules "the first page loads" are read from ``app.py`` itself (its module-level
imports, and the ``ui`` helpers it imports), so the measurement follows the app as it
changes. Each time is the median of ``repeats`` fresh interpreter processes, the cases
run alternately so that they see the same machine load; the ratio is the median of the
per-round ratios.

Run from the repository root::

    .venv/bin/python -m benchmarks.startup [--repeats N]
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: libraries the first page does not need when it starts (imported by the functions that
#: use them: maps, exports, uploads, the store, charts, SMAA's LP, the reference engine)
DEFERRED = (
    "folium",
    "branca",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "scipy",
    "sklearn",
    "skcriteria",
    "timezonefinder",
    "searoute",
    "altair",
    "sqlalchemy",
    "argon2",
)


def imported_modules(path: Path) -> list[str]:
    """Module-level imports of a script, as importable names (``from a import b`` gives
    ``a.b`` when that is a module, else ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                parts = sub.split(".")
                is_module = (ROOT.joinpath(*parts).with_suffix(".py")).exists() or (
                    ROOT.joinpath(*parts) / "__init__.py"
                ).exists()
                names.append(sub if is_module else node.module)
    return [n for n in dict.fromkeys(names) if n != "__future__"]


def app_modules() -> list[str]:
    """What ``app.py`` imports before it draws anything."""
    return imported_modules(ROOT / "app.py")


def first_page_modules() -> list[str]:
    """``app.py``'s imports plus those of the default page (the map and ranking)."""
    page = ROOT / "ui" / "pages" / "map_ranking.py"
    return list(dict.fromkeys([*app_modules(), *imported_modules(page)]))


def _probe(modules: list[str], watch: tuple[str, ...]) -> str:
    imports = "; ".join(f"import {m}" for m in modules)
    return (
        "import time, sys, json\n"
        "t = time.perf_counter()\n"
        f"{imports}\n"
        "t = time.perf_counter() - t\n"
        f"deferred = {list(watch)!r}\n"
        "print(json.dumps([t, [d for d in deferred if d in sys.modules]]))\n"
    )


def run_probe(modules: list[str], watch: tuple[str, ...] = DEFERRED) -> tuple[float, list[str]]:
    """Seconds to import ``modules`` in a fresh interpreter, and which of the libraries
    ``watch`` that import loaded."""
    proc = subprocess.run(
        [sys.executable, "-c", _probe(modules, watch)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds, loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(seconds), list(loaded)


def measure(repeats: int = 7) -> dict[str, object]:
    """Median cold-import times of streamlit alone, the app's modules and the first page,
    run alternately ``repeats`` times, with the ratios to streamlit."""
    cases = {
        "streamlit": ["streamlit"],
        "streamlit + pandas": ["streamlit", "pandas"],
        "app modules": app_modules(),
        "first page": first_page_modules(),
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    loaded: dict[str, list[str]] = {}
    for _ in range(repeats):
        for name, modules in cases.items():
            t, libs = run_probe(modules)
            times[name].append(t)
            loaded[name] = libs
    base = times["streamlit"]
    out: dict[str, object] = {"repeats": repeats}
    for name in cases:
        ratios = [t / b for t, b in zip(times[name], base, strict=True)]
        out[name] = {
            "median_s": statistics.median(times[name]),
            "ratio": statistics.median(ratios),
            "deferred_loaded": loaded[name],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    result = measure(args.repeats)
    print(f"cold import, median of {args.repeats} fresh processes (alternating)")
    for name, row in result.items():
        if isinstance(row, dict):
            print(
                f"{name:<22} {row['median_s'] * 1e3:8.0f} ms  {row['ratio']:5.2f}× streamlit"
                f"  deferred libraries loaded: {', '.join(row['deferred_loaded']) or 'none'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
