"""Shared fixtures: real PostgreSQL, Redis, a Celery worker process and HTTP receivers."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.support import database
from tests.support.mail_server import MailServer
from tests.support.receiver import Receiver
from tests.support.worker_process import WorkerProcess

PG_ADDRESS = ("127.0.0.1", int(os.environ.get("NOTIFY_TEST_DB_PORT", "5432")))
REDIS_ADDRESS = ("127.0.0.1", 6379)


def _reachable(address: tuple[str, int]) -> str | None:
    try:
        with socket.create_connection(address, timeout=2):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"


#: Where the README says what the suite needs (a test checks the heading exists).
README_SECTION = "The two commands"


def missing_services() -> list[str]:
    problems = []
    if error := _reachable(PG_ADDRESS):
        problems.append(f"PostgreSQL is not reachable at {PG_ADDRESS[0]}:{PG_ADDRESS[1]} ({error}).")
    if error := _reachable(REDIS_ADDRESS):
        problems.append(f"Redis is not reachable at {REDIS_ADDRESS[0]}:{REDIS_ADDRESS[1]} ({error}).")
    return problems


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Stop at once, with one message instead of a stack trace, when a service is missing."""
    if config.option.help or config.option.version or config.option.collectonly:
        return None
    problems = missing_services()
    if not problems:
        return None
    sys.stderr.write(
        "The tests need the real services on this machine:\n  "
        + "\n  ".join(problems)
        + f"\nStart them (see README.md, '{README_SECTION}') and run again.\n"
    )
    return 3


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def path() -> str:
    """A fresh receiver path for one test."""
    return f"/hook/{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def worker(django_db_setup, django_db_blocker, tmp_path_factory, mail_server) -> Iterator[WorkerProcess]:
    """One worker for the session, on a queue of its own, reading the test database."""
    from django.conf import settings
    from django.db import connection

    queue = f"saleor-notify-tests-{uuid.uuid4().hex[:8]}"
    settings.SALEOR_NOTIFY["QUEUE"] = queue
    proc = WorkerProcess(
        connection.settings_dict["NAME"], queue, tmp_path_factory.mktemp("worker") / "worker.log",
        {"NOTIFY_TEST_SMTP_PORT": str(mail_server.port), "NOTIFY_TEST_DB_APPLICATION_NAME": SESSION_WORKER},
    )
    proc.start()
    _running_workers.append(proc)
    yield proc
    _running_workers.remove(proc)
    proc.stop()


_running_workers: list[WorkerProcess] = []
#: The session worker's database sessions carry this name (tests.settings passes it to PostgreSQL).
SESSION_WORKER = "saleor-notify-session-worker"


def _wait_until_the_worker_is_idle(timeout_s: float = 10.0) -> None:
    """Let the worker finish what a test's events started before the tables are emptied: a
    TRUNCATE racing a fan-out deadlocks. The test process's publisher is flushed first, then
    the worker must stay idle for a moment (a message may still be on its way). A worker still
    busy after ``timeout_s`` is an AssertionError with its log: emptying the tables then would
    race it (a deadlock, or rows of this test leaking into the next). Only the session worker
    counts: the workers and shop processes a test starts itself are stopped by their fixtures
    before the flush."""
    from django.db import connection

    from tests.support import internals

    internals.flush_publisher()
    with database.connect(connection.settings_dict) as watcher:
        database.wait_until_idle(watcher, timeout_s, application_name=SESSION_WORKER,
                                 describe=lambda: "the worker's log:\n" + "\n".join(
                                     w.log_tail() for w in _running_workers))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Runs before the test's fixtures are finalised, i.e. before pytest-django's flush."""
    marker = item.get_closest_marker("django_db")
    committed = "transactional_db" in getattr(item, "fixturenames", ()) or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    busy: AssertionError | None = None
    if _running_workers and committed:
        try:
            _wait_until_the_worker_is_idle()
        except AssertionError as exc:
            busy = exc
    outcome = yield
    if busy is not None and outcome.excinfo is None:
        raise busy  # after the teardown ran: the test errors, the next one still starts clean


@pytest.fixture
def live(worker, transactional_db) -> WorkerProcess:
    """Tests that let the worker deliver: committed data, a running worker."""
    return worker


@pytest.fixture
def worker_idle(live) -> Callable[..., None]:
    """``worker_idle(timeout_s=10)``: returns once the worker has nothing left to do (an extra
    request it was about to send has arrived by then); fails the test if it stays busy."""
    return _wait_until_the_worker_is_idle


@pytest.fixture
def shop_settings() -> Iterator[Callable[[dict], None]]:
    """``shop_settings({name: value})`` saves settings as the plugin's dashboard page does (the
    worker reads them from the shop row); this process forgets them after the test."""
    from saleor_notify_plugin import conf

    yield conf.save_shop_values
    conf.forget_shop_settings()


@pytest.fixture
def names(monkeypatch):
    """``{name: [addresses]}``: what the stand-in resolver answers (in that order)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        asked = host.encode("idna").decode("ascii") if isinstance(host, str) else host.decode("ascii")
        if asked.lower().rstrip(".") not in table:
            return real(host, port, family, type, proto, flags)
        answers = []
        for ip in table[asked.lower().rstrip(".")]:
            try:
                answers += real(ip, port, family, type, proto, flags)
            except socket.gaierror:
                pass  # an address of a family not asked for
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table
