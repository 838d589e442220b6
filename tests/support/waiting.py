"""Polling helpers: wait for something the worker does, with a clear failure message."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for[T](condition: Callable[[], T], timeout_s: float = 15.0, interval_s: float = 0.05, what: str = "") -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or condition}")
        time.sleep(interval_s)
