"""What every benchmark part shares: the settings, the figures' arithmetic, the shop's fixture.

Importing this module first points Django at ``benchmarks.settings`` (the benchmark's own
database, Redis DB and queue).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Results of a run, and the worker's log: build/ is not tracked, so a run leaves the checkout clean.
BUILD = ROOT / "build" / "benchmarks"
DEFAULT_OUT = BUILD / "performance.md"
#: The published figures, written only with --publish.
PUBLISHED = ROOT / "docs" / "performance.md"
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import settings as bench_settings  # noqa: E402
from tests.support.load_receiver import LoadReceiver  # noqa: E402
from tests.support.worker_process import WorkerProcess, cpu_s  # noqa: E402

SINK_QUEUE = bench_settings.QUEUE + "-sink"  # nobody consumes it: request-path runs enqueue here
SOURCE = "SHOP"


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": values,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def fmt(s: dict[str, Any], digits: int = 2, unit: str = "") -> str:
    f = f"{{:.{digits}f}}"
    return f"{f.format(s['median'])}{unit} [{f.format(s['min'])}-{f.format(s['max'])}]"


# --- CPU accounting ----------------------------------------------------------------------------

def _named_pids(*names: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(entry.name)
            except OSError:
                continue
    return found


def cpu_snapshot(worker: WorkerProcess | None, receiver: LoadReceiver) -> dict[str, float]:
    """CPU seconds used so far, by whom: the worker (main and pool processes), PostgreSQL (every
    server process: on a quiet machine, this run's), Redis, the receiver, this process (the
    recorder, or the baseline's client), and the whole machine (``/proc/stat``)."""
    busy = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in busy[:8])
    own = os.times()
    tick_s = 1 / os.sysconf("SC_CLK_TCK")
    return {
        "worker": sum(cpu_s(pid) for pid in ([worker.process.pid, *worker.pool_pids()] if worker else [])),
        "postgresql": sum(cpu_s(pid) for pid in _named_pids("postgres")),
        "redis": sum(cpu_s(pid) for pid in _named_pids("redis-server")),
        "receiver": cpu_s(receiver.process.pid),
        "this_process": own.user + own.system,
        "machine": (user + nice + system + irq + softirq + steal) * tick_s,
    }


def cpu_ms_per(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    """CPU milliseconds per item between two snapshots, by whom."""
    return {who: (after[who] - before[who]) * 1000 / n for who in before}


# --- services --------------------------------------------------------------------------------


def redis_client():
    import redis

    return redis.Redis.from_url(bench_settings.BROKER_URL)


def new_worker(log_path: Path) -> WorkerProcess:
    """``celery -A saleor_notify_plugin.celery_app worker``: prefork, concurrency 2, defaults otherwise."""
    return WorkerProcess(None, bench_settings.QUEUE, log_path, settings="benchmarks.settings", quiet=False,
                         ready_timeout_s=60, stop_timeout_s=30)


# --- fixtures --------------------------------------------------------------------------------


def order_payload(n: int = 0) -> dict[str, Any]:
    """An order-completed payload of about 1.5 kB (the anchors' Saleor order payload is 1.65 kB)."""
    return {
        "id": f"T3JkZXI6{uuid.UUID(int=n).hex}",
        "number": str(100000 + n),
        "email": "customer@example.com",
        "status": "FULFILLED",
        "channel": "default-channel",
        "currency": "USD",
        "total": {"gross": "129.90", "net": "105.61", "tax": "24.29"},
        "shipping": {"method": "DHL Express", "price": "9.90"},
        "billing_address": {
            "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "12 Analytical Engine Street",
            "city": "London", "postal_code": "EC1A 1BB", "country": "GB", "phone": "+442071234567",
        },
        "shipping_address": {
            "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "12 Analytical Engine Street",
            "city": "London", "postal_code": "EC1A 1BB", "country": "GB", "phone": "+442071234567",
        },
        "lines": [
            {
                "sku": f"SKU-{i:05d}", "product_name": f"Product number {i} with a long name",
                "variant_name": "Size M / Colour blue", "quantity": i + 1, "unit_price": "24.00",
                "total_price": f"{24 * (i + 1)}.00", "metadata": {"digital": "false"},
            }
            for i in range(5)
        ],
        "metadata": {"funnel": "summer-campaign", "utm_source": "newsletter"},
    }


class Fixture:
    """Channels and switches: one event type per configuration, postback channels to the receiver."""

    def __init__(self, receiver: LoadReceiver) -> None:
        from saleor_notify_plugin import channels, switches

        self.receiver = receiver
        self.events = {1: "ORDER_COMPLETED", 10: "REFUND_APPLIED", 50: "TRANSACTION_APPROVED"}
        made: list[int] = []
        for i in range(50):
            made.append(channels.create_channel(name=f"bench {i}", kind="POSTBACK", url=receiver.url(f"/c/{i}")).pk)
        for n, event in self.events.items():
            switches.set_event_enabled(event, True)
            for pk in made[:n]:
                channels.attach_channel(event, pk, ["SHOP"])
        # Throughput / latency / backlog: one event type with one channel of its own.
        self.single_event = "CUSTOMER_CREATED"
        self.single_channel = channels.create_channel(name="bench single", kind="POSTBACK", url=receiver.url("/one"))
        switches.set_event_enabled(self.single_event, True)
        channels.attach_channel(self.single_event, self.single_channel.pk, ["SHOP"])
        self.payload = order_payload()

    def record(self, event: str, n: int = 0):
        from saleor_notify_plugin.pipeline import recording

        return recording.record_event(
            event, SOURCE, subject_type="order", subject_id=str(n), order_id=str(n),
            payload=self.payload, idempotency_key=uuid.uuid4().hex,
        )

    def sample_request(self) -> tuple[bytes, dict[str, str]]:
        """Body and headers as the worker sends them for this payload (for the baseline loops)."""
        from saleor_notify_plugin.delivery import envelope, signing

        body = envelope.encode(envelope.build_envelope(
            event_id=f"evt_{uuid.uuid4().hex}", event="customer_created", source="shop",
            occurred_at=dt.datetime.now(dt.UTC), data=self.payload,
        ))
        headers = signing.webhook_headers([self.single_channel.secret], "evt_x", int(time.time()), body)
        headers.update({"Content-Type": "application/json", "User-Agent": "saleor-notify/bench",
                        "Accept-Encoding": "identity"})
        return body, headers


def use_queue(name: str) -> None:
    from django.conf import settings

    settings.SALEOR_NOTIFY["QUEUE"] = name


def machine_notes() -> dict[str, Any]:
    import celery
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "python": platform.python_version(),
        "postgresql": pg,
        "redis": redis_client().info("server")["redis_version"],
        "django": django.get_version(),
        "celery": celery.__version__,
        "kernel": platform.release(),
        "load_average_at_start": os.getloadavg(),
    }
