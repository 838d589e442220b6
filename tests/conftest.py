"""Shared fixtures: real PostgreSQL, Redis, a Celery worker process and HTTP receivers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.receiver import Receiver

ROOT = Path(__file__).resolve().parent.parent
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


class Worker:
    """A real ``celery worker`` process consuming this test session's queue."""

    def __init__(self, db_name: str, queue: str, log_path: Path, extra_env: dict[str, str] | None = None) -> None:
        self.db_name, self.queue, self.log_path = db_name, queue, log_path
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "NOTIFY_TEST_DB_NAME": self.db_name,
            "NOTIFY_TEST_QUEUE": self.queue,
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open by the child
        self._log_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "saleor_notify_plugin.celery_app", "worker",
             "-Q", self.queue, "-c", "2", "-P", "prefork", "-l", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start:\n{self.log_tail()}")
            if b"ready." in self.log_path.read_bytes()[self._log_offset :]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the Celery worker did not become ready:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class MailServer:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], bytes]] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 - aiosmtpd's name
                server.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
                return "250 OK"

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def worker(django_db_setup, django_db_blocker, tmp_path_factory, mail_server) -> Iterator[Worker]:
    """One worker for the session, on a queue of its own, reading the test database."""
    from django.conf import settings
    from django.db import connection

    queue = f"saleor-notify-tests-{uuid.uuid4().hex[:8]}"
    settings.SALEOR_NOTIFY["QUEUE"] = queue
    proc = Worker(
        connection.settings_dict["NAME"], queue, tmp_path_factory.mktemp("worker") / "worker.log",
        {"NOTIFY_TEST_SMTP_PORT": str(mail_server.port)},
    )
    proc.start()
    _running_workers.append(proc)
    yield proc
    _running_workers.remove(proc)
    proc.stop()


_running_workers: list[Worker] = []


def _wait_until_the_worker_is_idle(timeout_s: float = 10.0) -> None:
    """Let the worker finish what a test's events started before the tables are emptied: a
    TRUNCATE racing a fan-out deadlocks. The test process's publisher is flushed first, then
    the worker must stay idle for a moment (a message may still be on its way)."""
    import psycopg
    from django.db import connection

    from saleor_notify_plugin.pipeline.broker import publisher

    publisher.flush()

    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"], host=params["HOST"], port=params["PORT"], user=params["USER"], autocommit=True
    ) as watcher:
        deadline = time.monotonic() + timeout_s
        idle_since = None
        while time.monotonic() < deadline:
            busy = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            ).fetchone()[0]
            now = time.monotonic()
            if busy:
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif now - idle_since >= 0.2:
                return
            time.sleep(0.02)
    # Emptying the tables now would race the worker (a deadlock, or rows of this test leaking
    # into the next): say so instead of going on.
    raise AssertionError(f"the worker was still busy {timeout_s} s after the test; its log:\n"
                         + "\n".join(w.log_tail() for w in _running_workers))


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
def live(worker, transactional_db) -> Worker:
    """Tests that let the worker deliver: committed data, a running worker."""
    return worker
