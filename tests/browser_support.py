"""What the real-browser tests share: Debian's Chromium, app servers on local ports, and
browser contexts in which only the local app loads."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    log: Path, env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``streamlit run app.py`` on a free local port, with ``env`` added to the
    environment and its output in ``log``; returns the process and the app's address."""
    port = free_port()
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", "app.py"),
                *("--server.port", str(port), "--server.address", "127.0.0.1"),
                *("--server.headless", "true"),
            ],
            cwd=ROOT,
            env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 90
) -> None:
    """Wait until the app at ``url`` answers its health check; fail with the end of
    its ``log`` if it exits or does not answer in time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    stop(proc)
    pytest.fail(f"the app at {url} did not start: " + log.read_text(errors="replace")[-2000:])


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def offline(context: Any) -> list[str]:
    """Abort every request of ``context`` that is not to the local app (or a data:, blob:
    or about: URL); returns the list the aborted URLs are appended to."""
    blocked: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    return blocked


def wait_for_rerun(pg: Any, timeout_s: float = 120.0) -> None:
    """Wait until the script run started by the last input has finished: Streamlit's
    status widget shows while a run is in progress (a fixed pause fails on a loaded host)."""
    pg.wait_for_timeout(500)
    status = pg.locator('[data-testid="stStatusWidget"]')
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:
        quiet = quiet + 1 if status.count() == 0 or not status.first.is_visible() else 0
        pg.wait_for_timeout(400)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, as the README starts it, for the tests of one module; its address."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    proc, url = start_app(log)
    wait_healthy(url, proc, log)
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page 1,400 px wide, offline but for the local app; ``page.blocked`` lists the
    requests it aborted."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked = offline(context)
    pg = context.new_page()
    pg.blocked = blocked
    yield pg
    context.close()
