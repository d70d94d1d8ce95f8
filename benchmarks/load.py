"""Load test: N concurrent sessions against a running app change a weight and save a scenario.

Run from the repository root::

    .venv/bin/python -m benchmarks.load                       # 10 and 25 sessions, SQLite
    .venv/bin/python -m benchmarks.load --sessions 10 --iterations 5
    SITESELECT_TEST_POSTGRESQL=postgresql+psycopg://... .venv/bin/python -m benchmarks.load

The app is started as the README starts it (``streamlit run app.py`` on 127.0.0.1, sign-in
off) with its scenario store in a new SQLite file (and, when ``SITESELECT_TEST_POSTGRESQL``
names a server, again with a new PostgreSQL database there). Each simulated session is a
client of Streamlit's own websocket protocol, the one a browser speaks
(``/_stcore/stream``, ``BackMsg``/``ForwardMsg`` protobufs): it asks for a script run with
the widget values a browser would send and reads the reply until the run finishes. So the
server does all its real work per request — session state, the whole script, the
evaluation, the map and tables serialised to the client, the store — while the client
costs little CPU (no browser rendering competes with the server on the same cores).

Per session, in a bounded loop of ``--iterations``: move the market-access weight (the app
re-ranks: one "re-rank" request), then open the Scenarios page and submit the save form
with a new name (one "save" request). A request is an error when the run shows an
exception or an error message, the save has no success message, or no reply comes in time;
afterwards the store must hold exactly sessions × iterations scenarios. Latency is from
sending the request to the run's end (``script_finished``). Results go to
``benchmarks/results/load.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

from siteselect.store import ScenarioStore
from tests.browser_support import start_app, stop, wait_healthy
from tests.databases import PG_ENV, postgresql_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "load.md"
REQUEST_TIMEOUT_S = 300.0
WEIGHT_KEY = "wg_market_access"
KINDS = ("rerank", "save")


@dataclass
class Outcome:
    """What one session saw: latencies by request kind, and its errors."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"rerank": [], "save": []})
    errors: list[str] = field(default_factory=list)


@dataclass
class Run:
    """The elements of one finished script run that the client needs."""

    widgets: dict[str, str]  # widget key or label -> widget id
    alerts: list[tuple[int, str]]
    exceptions: list[str]
    pages: dict[str, str]  # url path -> page script hash


class Session:
    """One browser-like client of the app's websocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        # widget id -> (proto value field, value): what a browser sends back on every run
        self.state: dict[str, tuple[str, object]] = {}

    def rerun(self, states: list[tuple[str, str, object]] | None = None) -> tuple[float, Run]:
        """Ask for a script run with ``states`` (widget id, kind, value); wait for its end."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = ""
        client.page_script_hash = self.page_hash
        sent = dict(self.state)
        sent.update({ident: (kind, value) for ident, kind, value in states or []})
        for ident, (field_name, value) in sent.items():
            state = client.widget_states.widgets.add()
            state.id = ident
            if field_name in ("double_array_value", "string_array_value"):
                getattr(state, field_name).data.extend(value)
            else:
                setattr(state, field_name, value)
        started = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        run = Run({}, [], [], {})
        deadline = time.monotonic() + REQUEST_TIMEOUT_S
        while True:
            raw = self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1))
            fwd = ForwardMsg()
            fwd.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
            kind = str(fwd.WhichOneof("type"))
            if kind == "navigation":
                for page in fwd.navigation.app_pages:
                    run.pages[page.url_pathname] = page.page_script_hash
                self.pages.update(run.pages)
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _read_element(fwd.delta.new_element, run)
                for ident, value in widget_state(fwd.delta.new_element).items():
                    # as a browser: a widget starts from its default; later runs change it
                    # only when the script set its value (``set_value``)
                    if ident not in self.state or _sets_value(fwd.delta.new_element):
                        self.state[ident] = value
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # a rerun the script asked for (st.rerun) follows
                return time.perf_counter() - started, run

    def goto(self, path: str) -> tuple[float, Run]:
        self.page_hash = self.pages[path]
        return self.rerun()


def _read_element(element: object, run: Run) -> None:
    which = element.WhichOneof("type")  # type: ignore[attr-defined]
    if which == "exception":
        run.exceptions.append(element.exception.message)  # type: ignore[attr-defined]
    elif which == "alert":
        alert = element.alert  # type: ignore[attr-defined]
        run.alerts.append((alert.format, alert.body))
    elif which in ("slider", "text_input", "button", "selectbox"):
        widget = getattr(element, which)
        key = widget.id.rsplit("-", 1)[-1] if widget.id.count("-") >= 2 else ""
        run.widgets[key or widget.label] = widget.id
        run.widgets.setdefault(widget.label, widget.id)


def widget_state(element: Any) -> dict[str, tuple[str, object]]:
    """The state a browser holds for a widget element: its value, else its default."""
    which = element.WhichOneof("type")
    if not which:
        return {}
    w: Any = getattr(element, which)
    if which == "slider":
        return {w.id: ("double_array_value", list(w.value if w.set_value else w.default))}
    if which in ("selectbox", "radio") and w.options:
        if w.set_value:
            return {w.id: ("string_value", w.raw_value)}
        if 0 <= w.default < len(w.options):
            return {w.id: ("string_value", w.options[w.default])}
    if which == "multiselect":
        values = list(w.raw_values) if w.set_value else [w.options[i] for i in w.default]
        return {w.id: ("string_array_value", values)}
    if which == "number_input" and (w.set_value or w.HasField("default")):
        return {w.id: ("double_value", w.value if w.set_value else w.default)}
    if which == "checkbox":
        return {w.id: ("bool_value", w.value if w.set_value else w.default)}
    if which in ("text_input", "text_area"):
        return {w.id: ("string_value", w.value if w.set_value else w.default)}
    return {}


def _sets_value(element: Any) -> bool:
    which = element.WhichOneof("type")
    return bool(which and getattr(getattr(element, which), "set_value", False))


def problems(run: Run) -> list[str]:
    """Exceptions and error messages a run showed."""
    return run.exceptions + [body for fmt, body in run.alerts if fmt == Alert.ERROR]


def session_loop(url: str, tag: str, iterations: int, start: threading.Barrier) -> Outcome:
    """One session: open the app, wait for the others, then the loop of re-rank and save."""
    out = Outcome()
    ready = False
    try:
        with connect(
            url.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None,
            open_timeout=60,
            ping_interval=None,  # as a browser: no client pings (the server pings itself)
        ) as ws:
            session = Session(ws)
            _, first = session.rerun()  # the first page view, as a browser opens the app
            out.errors += problems(first)
            slider = first.widgets[WEIGHT_KEY]
            ready = True
            start.wait()
            for i in range(iterations):
                iteration(session, slider, f"{tag} {i}", i + sum(map(ord, tag)), out)
    except Exception as exc:  # a benchmark reports every failure as an error, never stops
        out.errors.append(f"{tag}: {type(exc).__name__}: {exc}")
    finally:
        if not ready:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait()
    return out


def iteration(session: Session, slider: str, tag: str, step: int, out: Outcome) -> None:
    """Move the weight (re-rank), then save the view as scenario ``load <tag>``."""
    value = round(10 + 50 * (step % 7) / 6, 1)  # the group's share of the score, in %
    session.page_hash = session.pages.get("map", "")
    seconds, run = session.rerun([(slider, "double_array_value", [value])])
    out.latencies["rerank"].append(seconds)
    out.errors += [f"{tag} rerank: {p}" for p in problems(run)]
    _, page = session.goto("scenarios")
    out.errors += [f"{tag} scenarios page: {p}" for p in problems(page)]
    seconds, run = session.rerun(
        [
            (page.widgets["Name"], "string_value", f"load {tag}"),
            (page.widgets["Save scenario"], "trigger_value", True),
        ]
    )
    out.latencies["save"].append(seconds)
    found = problems(run)
    if not any(f == Alert.SUCCESS and "Saved" in body for f, body in run.alerts):
        found.append("no 'Saved' message")
    out.errors += [f"{tag} save: {p}" for p in found]


@contextmanager
def app_server(db: str, log: Path) -> Iterator[str]:
    """The app as the README runs it, on 127.0.0.1, with its store at ``db``."""
    proc, url = start_app(log, {"SITESELECT_DB": db, "SITESELECT_AUTH": "off"})
    try:
        wait_healthy(url, proc, log, timeout_s=120)
        yield url
    finally:
        stop(proc)


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A new, empty store of ``backend`` (a SQLite file, or a PostgreSQL database)."""
    if backend == "sqlite":
        yield str(folder / "load.sqlite")
        return
    with postgresql_database(os.environ[PG_ENV], prefix="siteselect_load") as url:
        yield url


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between order statistics."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass
class Result:
    backend: str
    sessions: int
    iterations: int
    wall_s: float
    latencies: dict[str, list[float]]
    errors: list[str]
    stored: int


def load_test(url: str, db: str, backend: str, sessions: int, iterations: int) -> Result:
    """``sessions`` concurrent sessions × ``iterations`` (re-rank, save) against ``url``."""
    barrier = threading.Barrier(sessions + 1)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    run_tag = uuid.uuid4().hex[:6]

    def work(i: int) -> None:
        got = session_loop(url, f"{run_tag}-{i:02d}", iterations, barrier)
        with lock:
            outcomes.append(got)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    barrier.wait(timeout=REQUEST_TIMEOUT_S * 2)  # every session has opened the app
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    with ScenarioStore(db) as store:
        listing = store.list()
    stored = int(listing["name"].str.startswith(f"load {run_tag}-").sum())
    errors = [e for o in outcomes for e in o.errors]
    if stored != sessions * iterations:
        errors.append(f"the store holds {stored} of {sessions * iterations} saved scenarios")
    latencies = {
        k: sorted(x for o in outcomes for x in o.latencies[k]) for k in ("rerank", "save")
    }
    return Result(backend, sessions, iterations, wall, latencies, errors, stored)


def report(results: list[Result], note: str) -> str:
    lines = [
        "# Load test: concurrent sessions re-ranking and saving",
        "",
        "`benchmarks/load.py`: the app started as the README runs it (streamlit on 127.0.0.1,",
        "sign-in off), N sessions speaking Streamlit's websocket protocol at once, each in a",
        "loop of (move a weight → re-rank, submit the Scenarios save form → save). Latency:",
        "request sent → script run finished, in seconds. Errors: exceptions or error messages",
        "in a run, a save without its success message, no reply, or a stored count that is not",
        "sessions × iterations.",
        "",
        note,
        "",
        "| store | sessions | iterations | request | n | p50 s | p90 s | p99 s | max s "
        "| errors | stored | wall s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, values in r.latencies.items():
            if not values:
                continue
            lines.append(
                f"| {r.backend} | {r.sessions} | {r.iterations} | {kind} | {len(values)} "
                f"| {percentile(values, 50):.2f} | {percentile(values, 90):.2f} "
                f"| {percentile(values, 99):.2f} | {max(values):.2f} | {len(r.errors)} "
                f"| {r.stored} | {r.wall_s:.1f} |"
            )
    errors = [e for r in results for e in r.errors]
    lines += ["", f"Errors: {len(errors)}."]
    lines += [f"- {e}" for e in errors[:50]]
    return "\n".join(lines) + "\n"


def run_backend(backend: str, folder: Path, sessions: list[int], iterations: int) -> list[Result]:
    """One app on a new store of ``backend``; a load test per number of sessions."""
    out = []
    with database(backend, folder) as db:
        ScenarioStore(db).close()  # migrate once, before the app starts
        with app_server(db, folder / f"{backend}.log") as url:
            for n in sessions:
                result = load_test(url, db, backend, n, iterations)
                out.append(result)
                medians = {
                    k: round(percentile(v or [0.0], 50), 2) for k, v in result.latencies.items()
                }
                print(f"{backend}, {n} sessions: {len(result.errors)} errors; p50 s {medians}")
                for error in result.errors[:20]:
                    print(f"  {error}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 25])
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    backends = ["sqlite", *(["postgresql"] if os.environ.get(PG_ENV) else [])]
    results = []
    with tempfile.TemporaryDirectory(prefix="siteselect-load-") as tmp:
        for backend in backends:
            results += run_backend(backend, Path(tmp), args.sessions, args.iterations)
    note = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} "
        "CPU(s), shared with other work; absolute times drift with the machine's load."
    )
    text = report(results, note)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if not any(r.errors for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
