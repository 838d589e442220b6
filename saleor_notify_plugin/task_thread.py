"""Where a worker runs the plugin's task bodies: threads of the plugin's own, with lasting connections.

Celery's Django fixup closes every database connection of the thread that runs a task, before
and after each task, unless the deployment sets ``CELERY_DB_REUSE_MAX`` (``CONN_MAX_AGE`` does
not change that, and Saleor's settings set neither). Each of the plugin's tasks then opened a new
connection, and at 100 events/s (one small task per event) a stock worker spent more time
connecting than delivering. So in a worker the bodies run in a thread of this module, which the
fixup never looks at: its connections last between tasks, with Django's own checks before each
body (a connection an error left unusable is closed, one older than its age limit too).

A connection of these threads lasts ``CONN_MAX_AGE`` seconds, or :data:`KEEP_S` where that is 0
(Saleor's default, chosen for its API processes). That is at most one connection per concurrent
task of a worker process, the same number the process opens anyway while it runs a task.

Eager tasks (``CELERY_TASK_ALWAYS_EAGER``, Saleor's tests) and code outside a task run where they
are called: their caller's transaction must see what they write.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from celery import current_task
from django.db import connections

#: How long a connection of the task threads lasts where the database settings say 0.
KEEP_S = 300.0
#: Threads per worker process: one per task the process runs at once (prefork: one; a thread
#: pool's concurrency otherwise). The executor starts a thread only when none is idle.
MAX_THREADS = 16

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_seen = threading.local()  # per task thread: alias -> id of the connection already given its age


def in_worker_task() -> bool:
    """True inside a task a worker runs (not an eager one, not outside a task)."""
    task = current_task._get_current_object()  # noqa: SLF001 - None outside a task
    return task is not None and not getattr(task.request, "is_eager", False)


def run[T](body: Callable[..., T], *args: object) -> T:
    """``body(*args)`` in a task thread of this process; its result is returned, its exception raised here.

    Context variables (the current span, among others) go with it.
    """
    context = contextvars.copy_context()
    return _threads().submit(context.run, _run_body, body, args).result()


def _run_body[T](body: Callable[..., T], args: tuple[object, ...]) -> T:
    _check_connections()
    return body(*args)


def _check_connections() -> None:
    """Django's check of a request's connections, with a lasting age for those opened here."""
    seen: dict[str, int] = _seen.__dict__
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if seen.get(conn.alias) != id(conn.connection):
            # Opened during the previous body: it lasts its configured age, or KEEP_S where that is 0.
            seen[conn.alias] = id(conn.connection)
            if conn.close_at is not None and conn.settings_dict.get("CONN_MAX_AGE") == 0:
                conn.close_at = time.monotonic() + KEEP_S
        conn.close_if_unusable_or_obsolete()


def _threads() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="notify-task")
    return _executor


def _forget_after_fork() -> None:
    global _executor, _executor_lock
    _executor, _executor_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
