"""Save scenarios into a store from a separate OS process (used by tests/test_store.py).

    python tests/store_worker.py save DB PREFIX COUNT GO_FILE
        create GO_FILE.PREFIX.ready, wait until GO_FILE exists, then save COUNT scenarios
        (also prints "started TIME" and "finished TIME", wall-clock seconds)
    python tests/store_worker.py loop DB PREFIX
        save PREFIX-000000, PREFIX-000001, ... until killed
    python tests/store_worker.py hold DB NAME READY_FILE
        save NAME but stop inside the transaction, just before the commit, until killed

Prints ``saved NAME`` (flushed) after each save has committed.
"""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path

from siteselect.store import Scenario, ScenarioStore


def make_scenario(name: str) -> Scenario:
    """The scenario a worker saves as ``name``; tests rebuild it to check what was stored."""
    n = sum(map(ord, name)) % 7
    csv = f"site_id,name,lat,lon\nUSER-{n},{name},1.5,103.{n}\n".encode()
    return Scenario(
        name=name,
        sector="ems",
        profile="investor",
        weights={"labour_cost": float(n), "proximity": 1.0},
        method="topsis",
        params={},
        missing="worst",
        uploaded_sites=(("my sites.csv", base64.b64encode(csv).decode("ascii")),),
        data_version="0123456789abcdef",
        author_role="investor",
        comment=f"saved by a worker process\nas {name}",
        elicitation={"method": "swing", "points": {"labour_cost": 100, "tax": 10 * n}},
    )


class HoldingStore(ScenarioStore):
    """A store whose saves stop inside the transaction, every row written, until killed."""

    def __init__(self, url: str, ready: Path) -> None:
        self._ready = ready
        super().__init__(url)

    def _before_commit(self) -> None:
        self._ready.write_text("holding", encoding="utf-8")
        time.sleep(600)


def main(argv: list[str]) -> int:
    mode, db, *rest = argv
    if mode == "save":
        prefix, count, go = rest[0], int(rest[1]), Path(rest[2])
        go.with_name(f"{go.name}.{prefix}.ready").touch()
        while not go.exists():
            time.sleep(0.002)
        print(f"started {time.time()!r}", flush=True)
        with ScenarioStore(db) as store:
            for i in range(count):
                name = f"{prefix}-{i:06d}"
                store.save(make_scenario(name))
                print(f"saved {name}", flush=True)
        print(f"finished {time.time()!r}", flush=True)
    elif mode == "loop":
        with ScenarioStore(db) as store:
            for i in range(10**9):
                name = f"{rest[0]}-{i:06d}"
                store.save(make_scenario(name))
                print(f"saved {name}", flush=True)
    elif mode == "hold":
        with HoldingStore(db, Path(rest[1])) as store:
            store.save(make_scenario(rest[0]))
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
