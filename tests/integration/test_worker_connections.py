"""A stock Celery worker (no ``CELERY_DB_REUSE_MAX``) delivers without a database connection per task.

Celery's Django fixup closes the connections of the thread that runs a task around every task;
the plugin's task bodies run in threads of their own (``task_thread``), whose connections last.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection

from saleor_notify_plugin.events import EventType
from tests.builders import attach, postback_channel, record
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def sessions_opened() -> int:
    """Connections ever opened to the test database, once the statistics have settled."""

    def read() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    # A backend reports its session within about a second of going idle, or when it exits.
    last, settled_since = read(), time.monotonic()
    while time.monotonic() - settled_since < 2.5:
        time.sleep(0.5)
        now = read()
        if now != last:
            last, settled_since = now, time.monotonic()
    return last


def test_a_stock_worker_keeps_its_database_connection_between_tasks(live, receiver, path):
    assert not getattr(settings, "CELERY_DB_REUSE_MAX", None)  # the test worker runs Celery's defaults
    attach(EventType.ORDER_COMPLETED, postback_channel(receiver.url(path)))
    record()
    wait_for(lambda: len(receiver.received(path)) == 1, 10)  # each worker process has met the database
    record()
    wait_for(lambda: len(receiver.received(path)) == 2, 10)
    before = sessions_opened()

    for n in range(3, 23):  # twenty tasks, one after the other
        record()
        wait_for(lambda n=n: len(receiver.received(path)) == n, 10)

    # At most one new connection per worker process (one may first have met a task now).
    assert sessions_opened() - before <= 2
