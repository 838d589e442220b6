"""Polling helpers: wait for something the worker does, with a clear failure message."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for[T](
    condition: Callable[[], T], timeout_s: float = 15.0, interval_s: float = 0.05, what: str | Callable[[], str] = ""
) -> T:
    """``what``: the failure's message, or a function that makes it when the wait fails (a log's tail then)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            message = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout_s} s waiting for {message or condition}")
        time.sleep(interval_s)
