"""A hard deadline for a whole HTTP exchange.

``requests`` timeouts bound each socket operation, not the exchange: a receiver that
trickles one byte every few seconds never trips them. A single watchdog thread shuts
down the sockets of any exchange still running at its deadline, which makes the blocked
read return at once. The transport then reports a timeout.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_local = threading.local()


class Guard:
    """One exchange: its deadline, its sockets, and what happened to it."""

    __slots__ = ("deadline", "sockets", "fired", "finished", "request_sent", "reused_connection")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sockets: list[socket.socket] = []
        self.fired = False
        self.finished = False
        self.request_sent = False
        self.reused_connection = False

    def remaining_s(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def fire(self) -> None:
        if self.finished:
            return
        self.fired = True
        for sock in self.sockets:
            try:
                # The socket's own shutdown, also for a TLS socket (whose ``shutdown`` would first
                # drop its TLS state under the thread reading it): the blocked read returns at once.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


class _Watchdog:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Guard]] = []
        self._seq = itertools.count()
        self._started = False
        self._compact_at = 256

    def reset_after_fork(self) -> None:
        # Celery's prefork pool forks after import: a thread started in the parent is gone.
        self._reset()

    def arm(self, guard: Guard) -> None:
        with self._cond:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="notify-deadline-watchdog", daemon=True).start()
            if len(self._heap) >= self._compact_at:
                # Finished exchanges wait for their deadline otherwise: drop them in one pass
                # (amortised O(1) per exchange), so the heap holds running exchanges only.
                self._heap = [entry for entry in self._heap if not entry[2].finished]
                heapq.heapify(self._heap)
                self._compact_at = max(256, 2 * len(self._heap))
            heapq.heappush(self._heap, (guard.deadline, next(self._seq), guard))
            if self._heap[0][2] is guard:
                # Woken only for a new earliest deadline: otherwise the one it waits for comes
                # first (with one time limit for all, that is every exchange but the first).
                self._cond.notify()

    def _run(self) -> None:
        cond = self._cond
        while True:
            with cond:
                while not self._heap:
                    cond.wait()
                deadline, _, guard = self._heap[0]
                delay = deadline - time.monotonic()
                if delay > 0:
                    cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
            guard.fire()


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog.reset_after_fork)


@contextmanager
def exchange(timeout_s: float) -> Iterator[Guard]:
    """Run the block as one exchange that cannot outlive ``timeout_s``."""
    guard = Guard(time.monotonic() + timeout_s)
    _watchdog.arm(guard)
    _local.guard = guard
    try:
        yield guard
    finally:
        guard.finished = True
        _local.guard = None


def current() -> Guard | None:
    return getattr(_local, "guard", None)


class Overrun(OSError):
    """A step that cannot be interrupted (name resolution) did not finish by the deadline."""


def within[T](step: Callable[[], T], what: str) -> T:
    """Run ``step`` so that the current exchange's deadline bounds it, even if it blocks.

    Name resolution (``getaddrinfo``) ignores socket timeouts and cannot be shut down from
    outside: it runs on a helper thread, and the exchange stops waiting at its deadline (the
    thread finishes on its own, when the resolver gives up). Without a current exchange the
    step runs here.
    """
    guard = current()
    if guard is None:
        return step()
    outcome: list[Any] = []
    finished = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, step()))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            outcome.append((False, exc))
        finally:
            finished.set()

    threading.Thread(target=run, name="notify-resolve", daemon=True).start()
    if not finished.wait(guard.remaining_s()):
        guard.fired = True
        raise Overrun(f"{what} did not finish within the time limit")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
