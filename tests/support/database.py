"""The PostgreSQL side of the harness: whole databases, and the sessions other processes hold.

Plain psycopg, no Django: the benchmarks use it before Django is set up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg

#: The maintenance database a CREATE or DROP DATABASE is issued from.
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def recreate_database(name: str) -> None:
    """Drop ``name`` (whoever is connected) and create it empty."""
    assert not name.startswith("test_"), "the test databases belong to pytest-django"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connect(settings_dict: dict[str, Any]) -> psycopg.Connection:
    """An autocommit connection of its own to the database of a Django ``settings_dict``."""
    return psycopg.connect(dbname=settings_dict["NAME"], host=settings_dict["HOST"], port=settings_dict["PORT"],
                           user=settings_dict["USER"], autocommit=True)


def other_sessions(conn: Any, busy_only: bool = False, application_name: str | None = None) -> int:
    """Sessions on ``conn``'s database other than ``conn`` itself (``busy_only``: those running a
    statement or holding a transaction open; ``application_name``: only those of that name).
    ``conn``: a psycopg or a Django connection."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    if busy_only:
        sql += " AND state IN ('active', 'idle in transaction')"
    if application_name is not None:
        sql += " AND application_name = %s"
    with conn.cursor() as cursor:
        cursor.execute(sql, [application_name] if application_name is not None else None)
        row = cursor.fetchone()
    assert row is not None
    return row[0]


def wait_until_idle(conn: psycopg.Connection, timeout_s: float, describe: Callable[[], str] = str,
                    quiet_s: float = 0.2, application_name: str | None = None) -> None:
    """Return once no other session (of ``application_name``, if given) has been busy for ``quiet_s``
    (a task may be between two statements); raise AssertionError, with ``describe()``, if that does
    not happen in ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    idle_since = None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if other_sessions(conn, busy_only=True, application_name=application_name):
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= quiet_s:
            return
        time.sleep(0.02)
    raise AssertionError(f"the database was still busy {timeout_s} s later; {describe()}")


def wait_for_sessions(conn: Any, at_most: int, timeout_s: float = 5.0,
                      describe: Callable[[], str] = str) -> None:
    """Return once at most ``at_most`` other sessions are left; raise AssertionError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while (left := other_sessions(conn)) > at_most:
        if time.monotonic() > deadline:
            raise AssertionError(f"{left} sessions still open {timeout_s} s later (expected at most {at_most}); "
                                 f"{describe()}")
        time.sleep(0.05)
