"""Handing task messages to the broker, never failing the caller.

Owns the names of the tasks the pipeline sends, the circuit breaker (after a failed enqueue the
broker is skipped for a while) and the background publisher: the shop's request only puts an
id on an in-memory queue after commit, and a thread of the same process publishes it (ids
queued close together go as one message). A message lost here (process killed, broker down)
is recovered by the sweep (``upkeep``): the recorded row is the source of truth. A hook's
capture has no row yet: what cannot be published runs on the publisher's thread instead
(:func:`run_here_when_unpublished`).

Hands to the next stage: ``saleor_notify.fan_out`` and ``saleor_notify.deliver`` messages,
which the workers run through ``saleor_notify_plugin.tasks``.

:func:`send_task` is the one seam between the pipeline and Celery: every stage calls it as
``broker.send_task`` (looked up at call time), so a benchmark can replace it.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.db import connections, transaction

from ..conf import get_settings

logger = logging.getLogger(__name__)

FAN_OUT_TASK = "saleor_notify.fan_out"
DELIVER_TASK = "saleor_notify.deliver"
RELEASE_TASK = "saleor_notify.release"

#: After an enqueue failed, skip the broker for this long: each try would hold the shop's request
#: for the broker's connect timeout (seconds), and the sweep enqueues whatever was skipped.
BROKER_PAUSE_S = 10.0
_broker_paused_until = 0.0

#: How long a finishing process waits for the messages it still holds.
EXIT_FLUSH_S = 3.0
#: The most items one message carries.
MAX_BATCH = 100
#: A process's publisher publishes at most this often (one message per task name each time):
#: what is submitted meanwhile waits and goes together. A worker takes messages one at a time,
#: at a cost of its own (a few milliseconds each, whatever they carry), so under a burst fewer,
#: fuller messages arrive sooner; an item submitted after a quiet spell is published at once.
MIN_INTERVAL_S = 0.02


def send_task(name: str, args: list[Any], countdown: float | None = None) -> bool:
    """Hand a task to the broker; never raise (the sweep recovers what did not arrive).

    A Celery app without a broker (Saleor's ``CELERY_TASK_ALWAYS_EAGER`` setups) runs the
    task here and now, as Saleor does with its own tasks; countdowns are then ignored.
    """
    global _broker_paused_until
    try:
        if current_app.conf.task_always_eager:
            current_app.tasks[name].apply(args=args)
        elif time.monotonic() < _broker_paused_until:
            logger.warning("saleor-notify: broker unavailable, %s%s left to the sweep", name, args)
            return False
        else:
            current_app.send_task(
                name, args=args, countdown=countdown or None, queue=get_settings().queue, retry=False
            )
    except Exception:  # noqa: BLE001 - a broker outage must not break the caller
        if not current_app.conf.task_always_eager:
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_S
        logger.warning("saleor-notify: could not enqueue %s%s; the sweep will retry", name, args, exc_info=True)
        return False
    return True


def send_after_commit(using: str, name: str, item: Any) -> None:
    """From the shop's request: after commit, publish ``item`` on the background thread.

    The request never waits for the broker; items published close together travel as one
    message (the task takes a list). An app without a broker runs the task here.
    """

    def hand_over() -> None:
        if current_app.conf.task_always_eager:
            send_task(name, [[item]])
        else:
            publisher.submit(name, item)

    transaction.on_commit(hand_over, using=using, robust=True)


Publish = Callable[[str, list[Any]], object]


class BackgroundPublisher:
    """One daemon thread that publishes what :meth:`submit` queued, batching what waits together."""

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
        last_published = 0.0
        while True:
            batches: dict[str, list[Any]] = {}
            flushes: list[threading.Event] = []
            item = self._queue.get()
            wait_s = last_published + MIN_INTERVAL_S - time.monotonic()
            if wait_s > 0 and not isinstance(item, threading.Event):
                time.sleep(wait_s)  # a burst: let what follows within the interval join this message
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
            if batches:
                last_published = time.monotonic()
            for done in flushes:
                done.set()


#: Per task name, what runs its items on the publisher's thread when they could not be published
#: (for work that no sweep would find again: a hook's capture, see ``capture.deferred``).
_run_unpublished: dict[str, Callable[[list[Any]], object]] = {}


def run_here_when_unpublished(name: str, run: Callable[[list[Any]], object]) -> None:
    """When a ``name`` message cannot be published, ``run`` its items in this process instead."""
    _run_unpublished[name] = run


def _publish_now(name: str, args: list[Any]) -> object:
    try:
        published = send_task(name, args)
        if not published and (run := _run_unpublished.get(name)) is not None:
            from ..tasks import run_in_task_context

            logger.warning("saleor-notify: running %d %s items in this process", len(args[0]), name)
            run_in_task_context(run, args[0])
        return published
    finally:
        # Reading the settings may have opened a database connection in this thread; a
        # long-lived thread must not hold one (it would go stale, and keeps the database busy).
        connections.close_all()


publisher = BackgroundPublisher(_publish_now)
os.register_at_fork(after_in_child=publisher._reset)  # a forked web worker starts its own thread
atexit.register(publisher.flush)
