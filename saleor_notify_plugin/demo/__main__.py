"""Run the delivery engine end to end on an embedded default: SQLite and an in-process worker.

    python -m saleor_notify_plugin.demo

It records each of the ten events with the published example payload, delivers them to
local receivers (one answering 503 then 200, one too slow), and prints the delivery log.
The 30-second limit is shortened to 2 seconds here so the demo does not wait.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django
from django.conf import settings

if TYPE_CHECKING:  # imported for real once the demo's settings are configured
    from saleor_notify_plugin.models import Delivery

TIMEOUT_S = 2.0
MANUAL_MARK = {"MANUAL": ", manual"}


def configure(tmp: Path) -> None:
    settings.configure(
        SECRET_KEY="demo",
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.contenttypes", "saleor_notify_plugin"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(tmp / "demo.sqlite3"),
                # The worker's threads write concurrently: take the write lock up front and wait for it.
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
            }
        },
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="shop@example.com",
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_IGNORE_RESULT=True,
        SILENCED_SYSTEM_CHECKS=["saleor_notify.W001"],
        SALEOR_NOTIFY={
            "ALLOW_PRIVATE_TARGETS": True,  # the receivers are on 127.0.0.1
            "SLACK_HOSTS": ["127.0.0.1"],  # so is the Slack stand-in
            "TIMEOUT_S": TIMEOUT_S,
            "RETRY_BASE_DELAY_S": 0.5,  # 0.25-0.5 s, 0.5-1 s, 1-2 s instead of 5-10 s, 10-20 s, 20-40 s
        },
        LOGGING_CONFIG=None,
    )
    django.setup()


def example_payload(event: str) -> dict[str, Any]:
    path = resources.files("saleor_notify_plugin") / "schemas" / "examples" / f"{event.lower()}.json"
    example = json.loads(path.read_text())
    return example.get("data", example)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="saleor-notify-demo-"))
    configure(tmp)

    from celery.contrib.testing.worker import start_worker
    from django.core.management import call_command
    from django.db import transaction

    from saleor_notify_plugin import channels, switches
    from saleor_notify_plugin.celery_app import app
    from saleor_notify_plugin.events import EventType, Source
    from saleor_notify_plugin.models import Delivery, NotificationChannel
    from saleor_notify_plugin.payloads import SaleorChannel
    from saleor_notify_plugin.pipeline import manual_retry, recording

    from .receivers import DemoReceivers

    call_command("migrate", verbosity=0)
    receivers = DemoReceivers()

    def postback(name: str, path: str, *, statuses: tuple[int, ...] = (), delay_s: float = 0.0) -> NotificationChannel:
        url = receivers.add(path, statuses=statuses, delay_s=delay_s)
        channel = channels.create_channel(name=name, kind="POSTBACK", url=url)
        receivers.secrets[path] = channel.secret  # the receiver verifies every signature
        return channel

    crm = postback("CRM postback", "/crm")
    flaky = postback("Fulfilment (503, then 200)", "/fulfilment", statuses=(503,))
    slow = postback("Analytics (answers after 4 s)", "/analytics", statuses=(200,), delay_s=TIMEOUT_S * 2)
    ops = channels.create_channel(name="Ops e-mail", kind="EMAIL", emails=["ops@example.com"])
    slack = channels.create_channel(name="#sales on Slack", kind="SLACK", url=receivers.add("/slack"))

    all_sources = ["ADMIN", "SHOP", "FUNNEL"]
    for event in EventType:
        switches.set_event_enabled(event, True)
        channels.attach_channel(event, crm.pk, all_sources)
    channels.attach_channel(EventType.ORDER_COMPLETED, flaky.pk, all_sources)
    channels.attach_channel(EventType.TRANSACTION_APPROVED, slow.pk, all_sources)
    channels.attach_channel(EventType.REFUND_APPLIED, ops.pk, all_sources)
    channels.attach_channel(EventType.ORDER_COMPLETED, slack.pk, ["SHOP", "FUNNEL"])

    sources = {
        EventType.CONTACT_CREATED: Source.FUNNEL,
        EventType.SURVEY_COMPLETED: Source.FUNNEL,
        EventType.SUBSCRIPTION_CANCELED: Source.ADMIN,
        EventType.REFUND_APPLIED: Source.ADMIN,
    }
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, loglevel="error"):
        for event in EventType:
            with transaction.atomic():  # as a hook inside the shop's request would
                payload = example_payload(event)
                store = payload.pop("saleor_channel", None)  # the store, as the capture layer passes it
                recording.record_event(
                    event, sources.get(event, Source.SHOP), subject_type="demo", subject_id=event.value.lower(),
                    order_id="demo-order" if event.manual_retry else "", payload=payload,
                    idempotency_key=f"demo:{event.value}",
                    saleor_channel=SaleorChannel(**store) if store else None,
                )
        wait_until_settled(Delivery, expected=14)
        # The shop owner retries the timed-out delivery by hand (the receiver is fast now).
        for failed in Delivery.objects.filter(status="FAILED", channel=slow):
            manual_retry.retry_delivery(failed.pk)
        wait_until_settled(Delivery, expected=14)

    print_log(Delivery.objects.order_by("event__occurred_at", "pk").select_related("event"))
    print("\nReceivers saw:")
    for line in receivers.log:
        print("  " + line)
    print(
        "\nWhat to notice: the 503 was retried and the same event id arrived again; the answer that came\n"
        f"after the {TIMEOUT_S:g} s limit failed and was not retried automatically; the manual retry (allowed for\n"
        "Approved transaction) was one attempt with the same event id;\n"
        "every postback carried a Standard Webhooks signature the receiver verified."
    )
    receivers.close()
    return 0


def wait_until_settled(delivery_model: type[Delivery], expected: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if delivery_model.objects.count() >= expected and not delivery_model.objects.filter(status="PENDING").exists():
            return
        time.sleep(0.2)


def print_log(deliveries: Iterable[Delivery]) -> None:
    print(f"Delivery log (the time limit is {TIMEOUT_S:g} s in this demo, 30 s by default)\n")
    header = f"{'event':<27} {'source':<7} {'channel':<30} {'status':<8} attempts"
    print(header + "\n" + "-" * (len(header) + 40))
    for delivery in deliveries:
        attempts = ", ".join(
            f"{a.status_code or a.error_kind} {a.duration_ms} ms ({a.verdict}{MANUAL_MARK.get(a.trigger, '')})"
            for a in delivery.attempts.all()
        )
        print(f"{delivery.event.event:<27} {delivery.event.source:<7} {delivery.channel_name:<30} "
              f"{delivery.status:<8} {attempts}")


if __name__ == "__main__":
    sys.exit(main())
