"""Fixtures for fault injection: private Redis servers, workers to kill, a shop process, a report.

Every fault here is real: processes are SIGKILLed, a private ``redis-server`` is stopped,
sockets to PostgreSQL are reset by a proxy. The machine's shared PostgreSQL and Redis are
never stopped or reconfigured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.support import database
from tests.support.redis_server import RedisServer
from tests.support.worker_process import ROOT, WorkerProcess

REPORT_ENV = "NOTIFY_RELIABILITY_REPORT"  # a path: the fault table of this run is written there as JSON


@dataclass
class FaultRow:
    fault: str
    what_happened: str
    events: int
    deliveries_expected: int
    received: int
    duplicates: int
    lost: int
    phantom: int
    cut_in_transit: int


_rows: list[FaultRow] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest's signature
    if not _rows:
        return
    terminalreporter.section("fault table (tests/reliability)")
    terminalreporter.write_line(
        "fault | events | deliveries expected | received | duplicates | lost | phantom | cut in transit"
    )
    for row in _rows:
        terminalreporter.write_line(
            f"{row.fault} | {row.events} | {row.deliveries_expected} | {row.received} | {row.duplicates} | "
            f"{row.lost} | {row.phantom} | {row.cut_in_transit}  ({row.what_happened})"
        )
    if path := os.environ.get(REPORT_ENV):
        Path(path).write_text(json.dumps([asdict(r) for r in _rows], indent=2) + "\n")


@dataclass
class Tally:
    """What receivers got, against what the database says was sent."""

    expected: int
    received: int
    unique: int
    duplicates: int
    lost: int
    phantom: int
    cut_in_transit: int  # requests whose body never fully arrived (the sender died): not deliveries


def complete(request) -> bool:
    """The whole body arrived (a worker killed while sending leaves a truncated one)."""
    return len(request.body) >= int(request.headers.get("Content-Length", "0"))


def tally(requests_by_path: dict[str, list], expected_ids: set[str]) -> Tally:
    """Count, per channel, each expected webhook-id received: duplicates, lost and phantom ids."""
    received = unique = lost = phantom = cut = 0
    for requests in requests_by_path.values():
        cut += sum(not complete(r) for r in requests)
        counts = Counter(r.headers["webhook-id"] for r in requests if complete(r))
        received += sum(counts.values())
        unique += len(counts.keys() & expected_ids)
        lost += len(expected_ids - counts.keys())
        phantom += len(counts.keys() - expected_ids)
    expected = len(expected_ids) * len(requests_by_path)
    return Tally(expected, received, unique, received - unique, lost, phantom, cut)


@pytest.fixture
def fault_report() -> Callable[..., None]:
    """``fault_report(fault, what_happened, events, tally)``: a row of the fault table."""

    def add(fault: str, what_happened: str, events: int, counts: Tally) -> None:
        _rows.append(FaultRow(fault, what_happened, events, counts.expected, counts.received, counts.duplicates,
                              counts.lost, counts.phantom, counts.cut_in_transit))

    return add


@pytest.fixture
def db_name(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The test database's name, for the processes a test starts; after them, waits for their sessions."""
    from django.db import connection

    with django_db_blocker.unblock():
        before = database.other_sessions(connection)
    yield connection.settings_dict["NAME"]
    # A stopped worker's backends end a moment later; the test database is dropped only after.
    with django_db_blocker.unblock():
        database.wait_for_sessions(connection, before, describe=lambda: "left by the processes this test started")


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def spawn_worker(db_name, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """``spawn_worker(env)``: a started worker on a fresh queue of its own (stopped after the test)."""
    workers: list[WorkerProcess] = []

    def spawn(env: dict[str, str] | None = None, queue: str | None = None, concurrency: int = 2) -> WorkerProcess:
        queue = queue or f"saleor-notify-reliab-{uuid.uuid4().hex[:8]}"
        worker = WorkerProcess(db_name, queue, tmp_path / f"worker-{len(workers)}.log", env, concurrency)
        workers.append(worker)
        worker.start()
        return worker

    yield spawn
    for worker in workers:
        worker.stop()


class Shop:
    """The shop process of tests/support/shop_process.py, driven line by line."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.shop_process"], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(log_path, "w"),  # noqa: SIM115
        )

    def _ask(self, line: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the shop process died: {self.log()}")
        return json.loads(answer)

    def record(self, count: int, prefix: str) -> dict:
        return self._ask(f"record {count} {prefix}")

    def sweep(self) -> dict:
        return self._ask("sweep")

    def log(self) -> str:
        """What the shop process logged (its stderr)."""
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(timeout=10)


@pytest.fixture
def start_shop(db_name, tmp_path) -> Iterator[Callable[..., Shop]]:
    """``start_shop(broker_url, queue)``: a shop process recording through that broker."""
    shops: list[Shop] = []

    def start(broker_url: str, queue: str) -> Shop:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
               "NOTIFY_TEST_DB_NAME": db_name, "NOTIFY_TEST_BROKER_URL": broker_url, "NOTIFY_TEST_QUEUE": queue}
        shop = Shop(env, tmp_path / f"shop-{len(shops)}.log")
        shops.append(shop)
        return shop

    yield start
    for shop in shops:
        shop.close()
