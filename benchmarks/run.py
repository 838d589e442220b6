"""Run every benchmark and write performance.md and performance.json under build/benchmarks/.

    .venv/bin/python -m benchmarks [--quick] [--runs N] [--scale-rows N] [--backlog N] ... [--publish]

``--publish`` writes the published docs/performance.md and docs/performance.json instead (not
with ``--quick``: a smoke run's figures are not published).

Services: PostgreSQL 127.0.0.1:5432 (user postgres; database ``bench_saleor_notify`` is dropped
and re-created), Redis 127.0.0.1:6379 DB 13 (flushed), a ``celery worker`` process (prefork,
concurrency 2, Celery's defaults otherwise) and the receiver of ``tests.support.load_receiver``
in its own process. Every figure is the median of ``--runs`` runs with the range, and a ratio to a
baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import (
    BUILD,
    DEFAULT_OUT,
    PUBLISHED,
    ROOT,
    Fixture,
    bench_settings,
    fmt,
    log,
    machine_notes,
    new_worker,
    redis_client,
)
from benchmarks.fanout import bench_fanout
from benchmarks.latency import bench_latency
from benchmarks.request_path import bench_request_path, create_bare_table
from benchmarks.scale import bench_backlog, fill_history
from benchmarks.throughput import bench_throughput
from tests.support import database
from tests.support.load_receiver import LoadReceiver
from tests.support.worker_process import WorkerProcess

PARTS = ("request", "throughput", "latency", "fanout", "scale")


@dataclass
class Config:
    """The sizes of one run (written at the top of the report)."""

    quick: bool
    runs: int
    rp_iters: int
    deliveries: int
    latency_seconds: float
    rate: float
    scale_rows: int
    backlog: int
    only: list[str]
    command: str
    low_rate: float = field(default=0.0, metadata={"report": False})
    high_rate: float = field(default=0.0, metadata={"report": False})
    variant: bool = field(default=True, metadata={"report": False})
    keep_db: bool = field(default=False, metadata={"report": False})
    out: Path = field(default=DEFAULT_OUT, metadata={"report": False})
    publish: bool = field(default=False, metadata={"report": False})
    repeat: int = field(default=1, metadata={"report": False})

    def report(self) -> dict[str, Any]:
        hidden = {f for f, spec in self.__dataclass_fields__.items() if spec.metadata.get("report") is False}
        return {k: v for k, v in asdict(self).items() if k not in hidden}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--runs", type=int, help="runs per figure (default 5; at least 5 for the report)")
    p.add_argument("--rp-iters", type=int, help="recordings per request-path run (default 200; quick 40)")
    p.add_argument("--deliveries", type=int, help="deliveries per throughput run (default 600; quick 200)")
    p.add_argument("--latency-seconds", type=float, help="seconds per latency run (default 3; quick 2)")
    p.add_argument("--rate", type=float, default=100.0, help="events/s of the latency runs (default 100)")
    p.add_argument("--low-rate", type=float, default=10.0,
                   help="events/s of a second latency measurement below the worker's capacity (0: skip)")
    p.add_argument("--high-rate", type=float, default=300.0,
                   help="events/s of a third latency measurement, above --rate (default 300; 0: skip)")
    p.add_argument("--scale-rows", type=int, help="rows in each log table for the scale part (default 1000000; "
                   "quick 20000; 0 skips the scale part)")
    p.add_argument("--backlog", type=int, help="pending deliveries to drain (default 10000, see docs; quick 2000)")
    p.add_argument("--only", default="", help="comma list among " + ",".join(PARTS))
    p.add_argument("--no-variant", action="store_true",
                   help="skip the re-run of throughput, latency and fan-out with a tuned worker "
                   "(CELERY_DB_REUSE_MAX, CONN_MAX_AGE, prefetch 4; the main run's is stock Saleor's)")
    p.add_argument("--out", help=f"where to write the report (default {DEFAULT_OUT.relative_to(ROOT)})")
    p.add_argument("--publish", action="store_true",
                   help=f"write the published {PUBLISHED.relative_to(ROOT)} (and .json); not with --quick")
    p.add_argument("--keep-db", action="store_true", help="leave the benchmark database in place")
    p.add_argument("--repeat", type=int, default=1,
                   help="whole runs, one after the other (each with fresh services); the report says in how "
                   "many of them each goal was met (default 1)")
    return p


def parse_config(argv: list[str] | None) -> Config:
    p = parser()
    raw_argv = list(sys.argv[1:] if argv is None else argv)
    a = p.parse_args(argv)
    if a.publish and (a.quick or a.out):
        p.error("--publish writes docs/performance.md from a full run: not with --quick or --out")
    if a.repeat < 1:
        p.error("--repeat: at least 1")
    q = a.quick
    return Config(
        quick=q,
        runs=a.runs or 5,
        rp_iters=a.rp_iters or (40 if q else 200),
        deliveries=a.deliveries or (200 if q else 600),
        latency_seconds=a.latency_seconds or (2.0 if q else 3.0),
        rate=a.rate,
        scale_rows=a.scale_rows if a.scale_rows is not None else (20_000 if q else 1_000_000),
        backlog=a.backlog or (2_000 if q else 10_000),
        only=sorted(set(filter(None, a.only.split(","))) or set(PARTS)),
        command=" ".join(["python -m benchmarks", *raw_argv]),
        low_rate=a.low_rate,
        high_rate=a.high_rate,
        variant=not a.no_variant,
        keep_db=a.keep_db,
        out=PUBLISHED if a.publish else Path(a.out) if a.out else DEFAULT_OUT,
        publish=a.publish,
        repeat=a.repeat,
    )


@dataclass
class Bench:
    """The services of a run and the shop's fixture on them."""

    config: Config
    receiver: LoadReceiver
    worker: WorkerProcess
    fx: Fixture
    machine: dict[str, Any]

    def wants(self, part: str) -> bool:
        return part in self.config.only

    def restart_worker(self, env: dict[str, str]) -> None:
        self.worker.stop()
        self.worker.env = env
        self.worker.start()


@contextmanager
def services(config: Config) -> Iterator[Bench]:
    """A fresh benchmark database and Redis DB, the receiver and a started worker; all gone after."""
    database.recreate_database(bench_settings.DB_NAME)
    redis_client().flushdb()  # DB 13: the benchmark's own
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    create_bare_table()
    notes = machine_notes()
    log("machine", notes)
    BUILD.mkdir(parents=True, exist_ok=True)
    log_path = BUILD / "worker.log"
    log_path.write_bytes(b"")
    receiver = LoadReceiver()
    worker = new_worker(log_path)
    try:
        fx = Fixture(receiver)
        worker.start()
        yield Bench(config, receiver, worker, fx, notes)
    finally:
        worker.stop()
        receiver.close()
        from django.db import connections

        connections.close_all()
        if not config.keep_db:
            database.drop_database(bench_settings.DB_NAME)
        redis_client().flushdb()


def run_delivery_parts(b: Bench, results: dict[str, Any], announce: bool) -> None:
    """Throughput, latency and fan-out, as many as ``--only`` asks for, into ``results``."""
    c = b.config
    if b.wants("throughput"):
        if announce:
            log("2. throughput")
        results["throughput"] = bench_throughput(b.fx, b.receiver, c.runs, c.deliveries, b.worker)
        log("  ratio", fmt(results["throughput"]["ratio"]), "worker/s", fmt(results["throughput"]["worker_per_s"], 0))
    if b.wants("latency"):
        run_latency(b, results, announce)
    if b.wants("fanout"):
        if announce:
            log("5. fan-out")
        results["fanout"] = bench_fanout(b.fx, b.receiver, c.runs)
        log("  last arrival ms", fmt(results["fanout"]["last_arrival_ms"]))


def run_latency(b: Bench, results: dict[str, Any], announce: bool) -> None:
    """At ``--rate``, then at ``--high-rate`` and at ``--low-rate`` (below the worker's capacity), each unless 0."""
    c = b.config
    if announce:
        log("3. latency")
    results["latency"] = bench_latency(b.fx, b.receiver, c.runs, c.latency_seconds, c.rate)
    log("  p50", fmt(results["latency"]["p50_ms"]), "p99", fmt(results["latency"]["p99_ms"]))
    if c.high_rate:
        results["latency_high_rate"] = bench_latency(b.fx, b.receiver, c.runs, c.latency_seconds, c.high_rate)
        if announce:
            log("  high rate p50", fmt(results["latency_high_rate"]["p50_ms"]), "p99",
                fmt(results["latency_high_rate"]["p99_ms"]))
    if c.low_rate:
        seconds = max(c.latency_seconds, 50 / c.low_rate)
        results["latency_low_rate"] = bench_latency(b.fx, b.receiver, c.runs, seconds, c.low_rate)
        if announce:
            log("  low rate p50", fmt(results["latency_low_rate"]["p50_ms"]), "p99",
                fmt(results["latency_low_rate"]["p99_ms"]))


def run_variant(b: Bench) -> dict[str, Any]:
    """The delivery parts again with a worker tuned as the standalone settings (the main run's is stock Saleor's)."""
    log("variant: tuned worker (CELERY_DB_REUSE_MAX=1000, CONN_MAX_AGE=600, prefetch multiplier 4)")
    b.restart_worker({"NOTIFY_BENCH_TUNED": "1"})
    variant: dict[str, Any] = {"setting": "CELERY_DB_REUSE_MAX=1000, CONN_MAX_AGE=600, prefetch 4 (tuned)"}
    run_delivery_parts(b, variant, announce=False)
    b.restart_worker({})
    return variant


def run_backlog(b: Bench, label: str, tag: str) -> dict[str, Any]:
    log(f"4. scale: backlog of {b.config.backlog}{label}")
    drained = bench_backlog(b.fx, b.receiver, b.worker, b.config.backlog, max(5, b.config.runs), tag=tag)
    log("  drain/s", fmt(drained["window_per_s"], 0), "rss end/start", f"{drained['rss_end_over_start']:.3f}")
    return drained


def run_scale(b: Bench) -> dict[str, Any]:
    """A backlog with an empty log; the log filled; request path, throughput and the backlog again."""
    c = b.config
    empty_backlog = run_backlog(b, " with an empty log", "empty")
    log(f"4. scale: filling {c.scale_rows} rows per log table")
    fill_s = fill_history(c.scale_rows, b.fx.single_channel.pk)
    scale: dict[str, Any] = {"rows_per_table": c.scale_rows, "fill_s": fill_s, "backlog_empty_log": empty_backlog}
    log(f"  filled in {fill_s:.1f} s")
    if b.wants("request"):
        scale["request_path"] = bench_request_path(b.fx, c.runs, c.rp_iters)
    if b.wants("throughput"):
        scale["throughput"] = bench_throughput(b.fx, b.receiver, c.runs, c.deliveries, b.worker)
    scale["backlog"] = run_backlog(b, "", "full")
    return scale


def run_all(b: Bench, results: dict[str, Any]) -> None:
    if b.wants("request"):
        log("1. request path")
        results["request_path"] = bench_request_path(b.fx, b.config.runs, b.config.rp_iters)
        log("  ", json.dumps({k: v["ratio"]["median"] for k, v in results["request_path"]["channels"].items()}))
    run_delivery_parts(b, results, announce=True)
    if b.config.variant and {"throughput", "latency", "fanout"} & set(b.config.only):
        results["variant_db_reuse"] = run_variant(b)
    if b.wants("scale") and b.config.scale_rows:
        results["scale"] = run_scale(b)


def run_once(config: Config) -> dict[str, Any]:
    """One whole run: fresh services, every part asked for; its figures."""
    started = time.monotonic()
    with services(config) as bench:
        results: dict[str, Any] = {"config": config.report(), "machine": bench.machine}
        run_all(bench, results)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["elapsed_s"] = time.monotonic() - started
    return results


def main(argv: list[str] | None = None) -> int:
    config = parse_config(argv)
    log("config", config.report())
    from benchmarks.report import write

    if config.repeat == 1:
        results = run_once(config)
    else:
        runs = []
        for n in range(1, config.repeat + 1):
            log(f"whole run {n} of {config.repeat}")
            runs.append(run_once(config))
            # Each run's figures are kept as they come (untracked): a series cut short keeps what it measured.
            write(runs[-1], BUILD / f"performance.run{n}.md")
        results = {"config": {**config.report(), "repeat": config.repeat}, "runs": runs,
                   "elapsed_s": sum(r["elapsed_s"] for r in runs)}
    write(results, config.out)
    published = "" if config.publish else " (not published: --publish)"
    log(f"done in {results['elapsed_s']:.0f} s: {config.out}{published}")
    return 0
