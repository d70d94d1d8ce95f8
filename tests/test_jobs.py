"""jobs: at most N heavy jobs at once per process; the next one gets a clear "busy" error."""

from __future__ import annotations

import threading
import time

import pytest

from siteselect import jobs
from siteselect.errors import SiteSelectError
from siteselect.jobs import BusyError, JobLimiter


def hold(limiter: JobLimiter, name: str, started: threading.Event, release: threading.Event):
    def run() -> None:
        with limiter.job(name):
            started.set()
            release.wait(30)

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(30)
    return thread


def test_the_job_over_the_limit_is_refused_with_what_runs():
    limiter = JobLimiter(2)
    release = threading.Event()
    threads = [
        hold(limiter, name, threading.Event(), release) for name in ("SMAA", "decision record")
    ]
    try:
        assert limiter.running() == {"SMAA": 1, "decision record": 1}
        with (
            pytest.raises(
                BusyError,
                match=r"^busy: 2 heavy jobs running \(SMAA, decision record\), "
                r"try again in a moment$",
            ),
            limiter.job("export", wait=0),
        ):
            pytest.fail("a third job ran")
    finally:
        release.set()
        for t in threads:
            t.join()
    assert limiter.running() == {}
    with limiter.job("export", wait=0):
        assert limiter.running() == {"export": 1}


def test_a_job_waits_briefly_for_a_slot_that_frees():
    limiter = JobLimiter(1)
    release = threading.Event()
    thread = hold(limiter, "SMAA", threading.Event(), release)
    threading.Timer(0.2, release.set).start()
    with limiter.job("export", wait=20):
        assert limiter.running() == {"export": 1}
    thread.join()


def test_many_threads_never_exceed_the_limit_and_all_finish_or_are_told_busy():
    limiter = JobLimiter(3)
    lock = threading.Lock()
    now = [0]
    peak = [0]
    outcome: list[str] = []

    def work(i: int) -> None:
        try:
            with limiter.job(f"job{i % 4}", wait=0.05 if i % 2 else 30):
                with lock:
                    now[0] += 1
                    peak[0] = max(peak[0], now[0])
                time.sleep(0.02)
                with lock:
                    now[0] -= 1
            outcome.append("done")
        except BusyError as exc:
            outcome.append(str(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 3
    assert len(outcome) == 40
    assert outcome.count("done") >= 20  # every patient job (wait 30 s) ran
    busy = [o for o in outcome if o != "done"]
    assert all(o.startswith("busy: 3 heavy jobs running (") for o in busy)
    assert limiter.running() == {}


def test_a_failing_job_frees_its_slot():
    limiter = JobLimiter(1)
    with pytest.raises(RuntimeError, match="boom"), limiter.job("SMAA"):
        raise RuntimeError("boom")
    with limiter.job("SMAA", wait=0):
        pass


@pytest.mark.parametrize(
    ("value", "limit"), [("", jobs.DEFAULT_MAX), ("1", 1), (" 8 ", 8)], ids=["unset", "1", "8"]
)
def test_the_limit_comes_from_the_setting(monkeypatch, value, limit):
    monkeypatch.setenv(jobs.MAX_ENV, value)
    assert JobLimiter.from_env().limit == limit


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "100000"])
def test_a_bad_setting_is_named(monkeypatch, value):
    monkeypatch.setenv(jobs.MAX_ENV, value)
    with pytest.raises(
        SiteSelectError, match=rf"SITESELECT_MAX_HEAVY_JOBS must be a whole number .*{value!r}"
    ):
        JobLimiter.from_env()


def test_heavy_wraps_a_callable_under_the_process_limit():
    doubled = jobs.heavy("export", lambda x: 2 * x, wait=0)
    assert doubled(21) == 42
    limiter = jobs.default_limiter()
    assert limiter is jobs.default_limiter()
    release = threading.Event()
    threads = [hold(limiter, "SMAA", threading.Event(), release) for _ in range(limiter.limit)]
    try:
        with pytest.raises(BusyError, match=r"busy: \d+ heavy jobs? running \(SMAA\)"):
            doubled(1)
    finally:
        release.set()
        for t in threads:
            t.join()
