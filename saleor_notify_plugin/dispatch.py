"""Hands task messages to the broker from a background thread of the recording process.

The shop's request only puts an id on an in-memory queue after commit; publishing (a
network round trip to the broker, or a timeout when it is down) happens beside it, and ids
queued close together go as one message (a burst of events becomes one task). A message
lost here (process killed, broker down) is recovered by the sweep: the outbox row is the
source of truth.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

#: How long a finishing process waits for the messages it still holds.
EXIT_FLUSH_S = 3.0
#: The most items one message carries.
MAX_BATCH = 100

Publish = Callable[[str, list[Any]], object]


class BackgroundPublisher:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._reset()

    def _reset(self) -> None:
        self._queue: queue.SimpleQueue[tuple[str, Any] | threading.Event] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, name: str, item: Any) -> None:
        """Publish task ``name`` with a list holding ``item`` (and others submitted meanwhile)."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="notify-publisher", daemon=True)
                    self._thread.start()
        self._queue.put((name, item))

    def flush(self, timeout_s: float = EXIT_FLUSH_S) -> bool:
        """Wait until everything submitted so far was handed over (or timeout)."""
        if self._thread is None:
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout_s)

    def _run(self) -> None:
        while True:
            batches: dict[str, list[Any]] = {}
            flushes: list[threading.Event] = []
            item = self._queue.get()
            while True:
                if isinstance(item, threading.Event):
                    flushes.append(item)
                else:
                    batches.setdefault(item[0], []).append(item[1])
                if sum(len(b) for b in batches.values()) >= MAX_BATCH:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            for name, items in batches.items():
                try:
                    self._publish(name, [items])
                except Exception:  # noqa: BLE001 - the publisher must outlive any one message
                    logger.exception("saleor-notify: publishing %s failed; the sweep will retry", name)
            for done in flushes:
                done.set()


def _publish_now(name: str, args: list[Any]) -> object:
    from django.db import connections

    from .services import _send_task

    try:
        return _send_task(name, args)
    finally:
        # Reading the settings may have opened a database connection in this thread; a
        # long-lived thread must not hold one (it would go stale, and keeps the database busy).
        connections.close_all()


publisher = BackgroundPublisher(_publish_now)
os.register_at_fork(after_in_child=publisher._reset)  # a forked web worker starts its own thread
atexit.register(publisher.flush)
