"""A bounded number of heavy jobs at once per process, with a clear "busy" answer.

Heavy jobs (SMAA and the robustness summary, exports, the decision record, region
screening) take seconds of CPU each. One app process serves every visitor's session in
threads, so without a bound a crowd of them would stall every session together. Each heavy
job runs inside :func:`heavy_job`; at most :data:`MAX_ENV` (``SITESELECT_MAX_HEAVY_JOBS``,
default :data:`DEFAULT_MAX`) run at once, and a job that cannot start within a short wait
raises :class:`BusyError`, whose message the app shows as is.

>>> limiter = JobLimiter(1)
>>> with limiter.job("SMAA"):
...     try:
...         with limiter.job("export", wait=0):
...             pass
...     except BusyError as exc:
...         print(exc)
busy: 1 heavy job running (SMAA), try again in a moment
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from siteselect.errors import SiteSelectError

MAX_ENV = "SITESELECT_MAX_HEAVY_JOBS"
DEFAULT_MAX = 2
"""Heavy jobs at once when :data:`MAX_ENV` is not set (about one per core of a small server)."""
DEFAULT_WAIT_S = 2.0
"""How long a job waits for a free slot before :class:`BusyError` (a short queue, no stall)."""
DOWNLOAD_WAIT_S = 30.0
"""The wait of a job behind a download button: the browser shows no message, so it queues."""
MAX_LIMIT = 256

P = ParamSpec("P")
R = TypeVar("R")


class BusyError(SiteSelectError):
    """Too many heavy jobs are running in this process; the user should try again soon."""


class JobLimiter:
    """At most ``limit`` jobs at once (a :class:`threading.BoundedSemaphore`), by name."""

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise SiteSelectError(f"the heavy-job limit must be 1 to {MAX_LIMIT}; got {limit!r}")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()

    @classmethod
    def from_env(cls) -> JobLimiter:
        """The limit of :data:`MAX_ENV` (default :data:`DEFAULT_MAX`).

        Raises
        ------
        SiteSelectError
            Naming the setting when it is not a whole number from 1 to :data:`MAX_LIMIT`.
        """
        raw = os.environ.get(MAX_ENV, "").strip()
        if not raw:
            return cls(DEFAULT_MAX)
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not 1 <= value <= MAX_LIMIT:
            raise SiteSelectError(
                f"{MAX_ENV} must be a whole number from 1 to {MAX_LIMIT}; got {raw!r}"
            )
        return cls(value)

    def running(self) -> dict[str, int]:
        """The jobs running now, by name."""
        with self._lock:
            return dict(+self._running)

    @contextmanager
    def job(self, name: str, *, wait: float = DEFAULT_WAIT_S) -> Iterator[None]:
        """Run the block as the heavy job ``name``, or raise :class:`BusyError` when no slot
        frees within ``wait`` seconds."""
        if wait > 0:
            acquired = self._slots.acquire(timeout=wait)
        else:
            acquired = self._slots.acquire(blocking=False)
        if not acquired:
            raise BusyError(self._busy_text())
        with self._lock:
            self._running[name] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[name] -= 1
            self._slots.release()

    def _busy_text(self) -> str:
        running = self.running()
        count = sum(running.values())
        names = ", ".join(sorted(running))
        plural = "s" if count != 1 else ""
        return f"busy: {count} heavy job{plural} running ({names}), try again in a moment"


_DEFAULT: list[JobLimiter] = []  # this process's limiter, once built
_DEFAULT_LOCK = threading.Lock()


def default_limiter() -> JobLimiter:
    """This process's limiter, built from :data:`MAX_ENV` on first use."""
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            _DEFAULT.append(JobLimiter.from_env())
        return _DEFAULT[0]


@contextmanager
def heavy_job(name: str, *, wait: float = DEFAULT_WAIT_S) -> Iterator[None]:
    """Run the block as the heavy job ``name`` under this process's limit.

    Raises
    ------
    BusyError
        "busy: N heavy jobs running (...), try again in a moment" when the limit is reached
        and no slot frees within ``wait`` seconds.
    """
    with default_limiter().job(name, wait=wait):
        yield


def heavy(name: str, fn: Callable[P, R], *, wait: float = DEFAULT_WAIT_S) -> Callable[P, R]:
    """``fn`` run as the heavy job ``name`` (for a call site that takes a callable, e.g. a
    deferred download)."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with heavy_job(name, wait=wait):
            return fn(*args, **kwargs)

    return run
