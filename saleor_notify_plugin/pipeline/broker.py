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
import weakref
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
#: What a request submits waits until its response has been sent (``hold``/``release``, connected
#: to Django's request signals), at most this long: a server that never reports the request's end
#: delays its messages, it does not lose them.
REQUEST_HOLD_MAX_S = 5.0


#: Per Celery app: the keys its configuration looks ``task_always_eager`` up under, and the value
#: its sources (Django's settings, the defaults) gave.
_eager_by_app: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], bool]] = weakref.WeakKeyDictionary()


def runs_eagerly() -> bool:
    """Whether Celery runs tasks here and now (``CELERY_TASK_ALWAYS_EAGER``), as Celery would answer.

    Asked on every hook. Celery's own lookup tries each spelling of the key in each source of
    its configuration, failing over on exceptions (some 15 microseconds); the sources' answer is
    kept here. A value set on the app at run time (``app.conf.task_always_eager = ...``) is seen
    at once, and a changed Django setting (``override_settings``, pytest-django's ``settings``)
    forgets the kept answer (:func:`forget_eagerness`).
    """
    app = current_app._get_current_object()
    conf = app.conf
    known = _eager_by_app.get(app)
    if known is None:
        keys = tuple(conf._to_keys("task_always_eager")) if hasattr(conf, "_to_keys") else ("task_always_eager",)
        known = _eager_by_app[app] = (keys, bool(conf.task_always_eager))
    keys, eager = known
    changes = conf.changes
    for key in keys:
        if key in changes:
            return bool(changes[key])
    return eager


def forget_eagerness(**_: Any) -> None:
    """Django's ``setting_changed``: ask Celery again at the next :func:`runs_eagerly`."""
    _eager_by_app.clear()


def send_task(name: str, args: list[Any], countdown: float | None = None) -> bool:
    """Hand a task to the broker; never raise (the sweep recovers what did not arrive).

    A Celery app without a broker (Saleor's ``CELERY_TASK_ALWAYS_EAGER`` setups) runs the
    task here and now, as Saleor does with its own tasks; countdowns are then ignored.
    """
    global _broker_paused_until
    eager = runs_eagerly()
    try:
        if eager:
            current_app.tasks[name].apply(args=args)
        elif time.monotonic() < _broker_paused_until:
            logger.warning("saleor-notify: broker unavailable, %s%s left to the sweep", name, args)
            return False
        else:
            current_app.send_task(
                name, args=args, countdown=countdown or None, queue=get_settings().queue, retry=False
            )
    except Exception:  # noqa: BLE001 - a broker outage must not break the caller
        if not eager:
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
        if runs_eagerly():
            send_task(name, [[item]])
        else:
            publisher.submit(name, item)

    transaction.on_commit(hand_over, using=using, robust=True)


Publish = Callable[[str, list[Any]], object]


class _Hold:
    """What one request thread submitted while its response was not yet sent."""

    __slots__ = ("deadline", "items")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.items: list[tuple[str, Any]] = []


class BackgroundPublisher:
    """One daemon thread that publishes what :meth:`submit` queued, batching what waits together.

    Between :meth:`hold` and :meth:`release` (a request, see ``apps``), what a thread submits waits:
    the worker that would take it shares the machine's cores with the request still being answered.
    """

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._reset()

    def _reset(self) -> None:
        self._queue: queue.SimpleQueue[tuple[str, Any] | threading.Event | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._holds: dict[int, _Hold] = {}

    def submit(self, name: str, item: Any) -> None:
        """Publish task ``name`` with a list holding ``item`` (and others submitted meanwhile)."""
        self._start()
        with self._lock:
            hold = self._holds.get(threading.get_ident())
            if hold is not None:
                first = not hold.items
                hold.items.append((name, item))
        if hold is None:
            self._queue.put((name, item))
        elif first:
            self._queue.put(None)  # wakes the thread: it now watches this hold's deadline

    def hold(self) -> None:
        """From now on, what this thread submits waits for :meth:`release` (or the deadline)."""
        ident = threading.get_ident()
        with self._lock:
            left = self._holds.pop(ident, None)  # a thread whose last request never reported its end
            self._holds[ident] = _Hold(time.monotonic() + REQUEST_HOLD_MAX_S)
        self._enqueue(left)

    def release(self) -> None:
        """Hand over what this thread submitted since :meth:`hold`, and stop holding."""
        with self._lock:
            hold = self._holds.pop(threading.get_ident(), None)
        self._enqueue(hold)

    def flush(self, timeout_s: float = EXIT_FLUSH_S) -> bool:
        """Wait until everything submitted so far, held or not, was handed over (or timeout)."""
        if self._thread is None:
            return True
        with self._lock:
            for hold in self._holds.values():
                if hold.items:
                    hold.deadline = 0.0  # due now: the thread takes them at once
        self._queue.put(None)
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout_s)

    def _start(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="notify-publisher", daemon=True)
                    self._thread.start()

    def _enqueue(self, hold: _Hold | None) -> None:
        for entry in hold.items if hold is not None else ():
            self._queue.put(entry)

    def _take_due(self) -> tuple[list[tuple[str, Any]], float | None]:
        """The items of the holds past their deadline (those holds end), and the seconds until the
        next deadline of a hold with items (None: none)."""
        now = time.monotonic()
        due: list[tuple[str, Any]] = []
        next_s: float | None = None
        with self._lock:
            for ident, hold in list(self._holds.items()):
                if hold.deadline <= now:
                    due += hold.items
                    del self._holds[ident]  # its thread submits straight away from now on
                elif hold.items:
                    left = hold.deadline - now
                    next_s = left if next_s is None else min(next_s, left)
        return due, next_s

    def _run(self) -> None:
        last_published = 0.0
        while True:
            entries: list[tuple[str, Any] | threading.Event | None]
            due, next_s = self._take_due()
            if due:
                entries = list(due)
            else:
                try:
                    entries = [self._queue.get(timeout=next_s)]
                except queue.Empty:
                    continue  # a hold's deadline passed
            if entries == [None]:
                continue  # a wake-up: look at the holds again
            wait_s = last_published + MIN_INTERVAL_S - time.monotonic()
            if wait_s > 0 and not isinstance(entries[0], threading.Event):
                time.sleep(wait_s)  # a burst: let what follows within the interval join this message
            while len(entries) < MAX_BATCH:
                try:
                    entries.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            # A flush came with them: what it released from the holds goes before its answer.
            if any(isinstance(entry, threading.Event) for entry in entries):
                entries += self._take_due()[0]
            batches: dict[str, list[Any]] = {}
            flushes: list[threading.Event] = []
            for entry in entries:
                if isinstance(entry, threading.Event):
                    flushes.append(entry)
                elif entry is not None:
                    batches.setdefault(entry[0], []).append(entry[1])
            for name, items in batches.items():
                for start in range(0, len(items), MAX_BATCH):
                    try:
                        self._publish(name, [items[start : start + MAX_BATCH]])
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


def hold_for_request(**_: Any) -> None:
    """``request_started``: what this request submits waits until its response has been sent."""
    publisher.hold()


def release_after_response(**_: Any) -> None:
    """``request_finished`` (Django sends it once the response is out): publish what was held."""
    publisher.release()


os.register_at_fork(after_in_child=publisher._reset)  # a forked web worker starts its own thread
atexit.register(publisher.flush)
