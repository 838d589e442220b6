"""Ordinary-but-unusual receivers and slow peers, end to end through real workers.

Every exchange must end logged, whatever the response holds; no delivery may be sent more
often than the rules allow; a slow name server or mail server is held to the time limit
(2 s in the tests' workers) like a slow receiver.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction

from saleor_notify_plugin import channels, switches
from saleor_notify_plugin.capture import contacts
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import Delivery, DeliveryAttempt, RecordedEvent
from saleor_notify_plugin.pipeline import recording, upkeep
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.waiting import wait_for
from tests.support.worker_process import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT_S = 2.0  # TIMEOUT_S of the tests' workers
SLACK_S = 0.7  # scheduling on a busy two-core machine


def finished(count: int) -> bool:
    return Delivery.objects.exclude(status="PENDING").count() == count


def test_a_binary_body_and_an_unparsable_retry_after_are_logged_and_the_batch_keeps_its_results(live, receiver):
    """A NUL-holding 200, a 503 whose Retry-After is the byte 0xB2, and a healthy receiver, in one batch.

    The 200 is a success whose excerpt shows the bytes escaped; the 503 is retried on the usual
    backoff (the header ignored) until its 4 attempts are used; the healthy one succeeds. Every
    attempt has its row: one result the log cannot take as it came never costs the others theirs.
    """
    replies = {
        "binary": Reply(200, body=b"\x00\x01protobuf\xff\x00"),
        "odd-retry-after": Reply(503, headers={"Retry-After": b"\xb2"}),
        "healthy": Reply(200),
    }
    for name, reply in replies.items():
        url = receiver.script(f"/edges/{uuid.uuid4().hex[:8]}/{name}", *[reply] * 4)
        attach(EventType.ORDER_COMPLETED, postback_channel(url, name=name))

    record()
    wait_for(lambda: finished(3), 30, what=lambda: f"the three deliveries to finish\n{live.log_tail()}")

    by_name = {d.channel_name: d for d in Delivery.objects.prefetch_related("attempts")}
    binary = by_name["binary"]
    assert (binary.status, binary.attempt_count) == ("SUCCESS", 1)
    assert binary.attempts.get().response_excerpt.startswith("\\x00\\x01protobuf")
    odd = by_name["odd-retry-after"]
    assert (odd.status, odd.failure_kind) == ("FAILED", "http_503")
    assert [a.verdict for a in odd.attempts.all()] == ["retry", "retry", "retry", "failed"]
    assert by_name["healthy"].status == "SUCCESS"
    print(f"\nattempts logged: {DeliveryAttempt.objects.count()} for 3 deliveries (1 + 4 + 1 expected)")
    assert DeliveryAttempt.objects.count() == 6


@pytest.mark.reliability
def test_slow_receivers_behind_a_full_batch_are_sent_once(spawn_worker, receiver, monkeypatch):
    """40 events to a receiver that takes 1 s each, two workers, leases of 2.5 s, the sweep every half second.

    With 8 sends at a time the last deliveries wait 5 s for a sender, twice a lease: claimed only
    when their send starts, none of them is taken by the other worker while still waiting, and
    none times out. Every webhook-id arrives exactly once.
    """
    events = 40
    env = {"NOTIFY_TEST_LEASE_MARGIN_S": "0.5", "NOTIFY_TEST_SWEEP_STALE_AFTER_S": "0.5"}
    first = spawn_worker(env)
    spawn_worker(env, queue=first.queue)
    monkeypatch.setitem(settings.SALEOR_NOTIFY, "QUEUE", first.queue)
    monkeypatch.setitem(settings.SALEOR_NOTIFY, "LEASE_MARGIN_S", 0.5)
    monkeypatch.setitem(settings.SALEOR_NOTIFY, "SWEEP_STALE_AFTER_S", 0.5)
    path = f"/slow/{uuid.uuid4().hex[:8]}"
    channel = postback_channel(receiver.url(path), name="slow")
    receiver.script(path, *[Reply(delay_s=1.0)] * (2 * events), secret=channel.secret)
    attach(EventType.ORDER_COMPLETED, channel)
    # Recorded in one transaction: one fan-out message, so one worker holds the whole batch.
    with transaction.atomic():
        for _ in range(events):
            recording.record_event(
                EventType.ORDER_COMPLETED, Source.SHOP, subject_type="order", subject_id="o",
                payload={"number": "1"}, idempotency_key=f"slow:{uuid.uuid4()}",
            )

    def all_sent() -> bool:
        upkeep.sweep()  # beat's sweep, run here every half second
        return finished(events)

    wait_for(all_sent, 60, interval_s=0.5, what=lambda: f"every delivery to finish\n{first.log_tail()}")
    per_id = Counter(r.headers["webhook-id"] for r in receiver.received(path))
    duplicates = sum(n - 1 for n in per_id.values())
    print(f"\n{events} events -> {sum(per_id.values())} requests, {duplicates} duplicates")
    assert Delivery.objects.filter(status="SUCCESS").count() == events
    assert len(per_id) == events and duplicates == 0
    assert DeliveryAttempt.objects.count() == events


@pytest.mark.reliability
def test_a_slow_name_server_is_held_to_the_limit_and_retried_as_nothing_was_sent(spawn_worker, receiver, monkeypatch):
    """The receiver's name takes 5 s to resolve; the limit is 2 s.

    Each attempt ends at the limit (not after the resolver), reported as a connection failure,
    since nothing was sent; so it is retried like one: 4 attempts, then failed.
    """
    env = {"PYTHONPATH": f"{ROOT}:{ROOT / 'tests' / 'support' / 'slow_dns'}", "NOTIFY_TEST_SLOW_DNS_S": "5"}
    worker = spawn_worker(env)
    monkeypatch.setitem(settings.SALEOR_NOTIFY, "QUEUE", worker.queue)
    path = f"/dns/{uuid.uuid4().hex[:8]}"
    url = receiver.url(path).replace("127.0.0.1", "receiver.slow-dns.test")
    attach(EventType.ORDER_COMPLETED, postback_channel(url, name="slow-dns"))

    record()
    wait_for(lambda: finished(1), 60, what=lambda: f"the delivery to finish\n{worker.log_tail()}")

    delivery = Delivery.objects.get()
    durations = [a.duration_ms / 1000 for a in delivery.attempts.all()]
    print(f"\nattempts against a 5 s resolver with a {LIMIT_S} s limit: {durations} s")
    assert (delivery.status, delivery.failure_kind) == ("FAILED", "connect_error")
    assert len(durations) == 4 and all(d < LIMIT_S + SLACK_S for d in durations)
    assert "time limit" in delivery.attempts.first().error_message
    assert receiver.received(path) == []


class _StallingSmtpServer:
    """A real SMTP conversation that stalls: either in its greeting, or after taking the message.

    It trickles one byte a second, so no socket operation ever waits long enough to time out.
    """

    def __init__(self, stall: str) -> None:
        self.stall = stall  # "greeting" or "after_data"
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.messages = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    @staticmethod
    def _trickle(conn: socket.socket, line: bytes) -> None:
        for byte in line:
            conn.sendall(bytes([byte]))
            time.sleep(1.0)

    def _talk(self, conn: socket.socket) -> None:
        try:
            if self.stall == "greeting":
                self._trickle(conn, b"220 slow.example ESMTP\r\n")
                return
            conn.sendall(b"220 slow.example ESMTP\r\n")
            reader = conn.makefile("rb")
            in_data = False
            for line in reader:
                if in_data:
                    if line == b".\r\n":
                        self.messages += 1
                        self._trickle(conn, b"250 queued\r\n")
                        return
                    continue
                verb = line[:4].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250 slow.example\r\n")
                elif verb == b"DATA":
                    in_data = True
                    conn.sendall(b"354 go ahead\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


def _email_through(spawn_worker, monkeypatch, server: _StallingSmtpServer) -> Delivery:
    try:
        worker = spawn_worker({"NOTIFY_TEST_SMTP_PORT": str(server.port)})
        monkeypatch.setitem(settings.SALEOR_NOTIFY, "QUEUE", worker.queue)
        channel = channels.create_channel(name="ops mail", kind="EMAIL", emails=["ops@example.com"])
        attach(EventType.ORDER_COMPLETED, channel)
        record()
        wait_for(lambda: finished(1), 60, what=lambda: f"the delivery to finish\n{worker.log_tail()}")
    finally:
        server.close()
    return Delivery.objects.prefetch_related("attempts").get()


@pytest.mark.reliability
def test_a_mail_server_stalling_in_its_greeting_is_cut_at_the_limit_and_retried(spawn_worker, monkeypatch):
    """The greeting comes one byte a second: each attempt ends at 2 s (not after minutes); nothing was
    sent, so it is retried like an unreachable server: 4 attempts."""
    delivery = _email_through(spawn_worker, monkeypatch, _StallingSmtpServer("greeting"))
    attempts = list(delivery.attempts.all())
    print(f"\ne-mail attempts, greeting trickled: {[a.duration_ms for a in attempts]} ms")
    assert (delivery.status, delivery.failure_kind, len(attempts)) == ("FAILED", "smtp_temporary", 4)
    assert all(a.duration_ms / 1000 < LIMIT_S + SLACK_S for a in attempts)
    assert "time limit" in attempts[0].error_message


@pytest.mark.reliability
def test_a_mail_server_stalling_after_the_message_is_cut_at_the_limit_and_not_retried(spawn_worker, monkeypatch):
    """The server takes the message, then trickles its reply: the attempt ends at 2 s as a timeout, and
    is not retried (the server may have queued the message)."""
    server = _StallingSmtpServer("after_data")
    delivery = _email_through(spawn_worker, monkeypatch, server)
    attempts = list(delivery.attempts.all())
    kinds = [a.error_kind for a in attempts]
    print(f"\ne-mail attempts, reply trickled: {[a.duration_ms for a in attempts]} ms, {kinds}")
    assert (delivery.status, delivery.failure_kind) == ("FAILED", "timeout")
    # Only an attempt that never reached the server may come before (a loaded machine can take
    # 2 s to connect); once the message went out, nothing more.
    assert kinds[-1] == "timeout" and set(kinds[:-1]) <= {"smtp_temporary"}
    assert all(a.duration_ms / 1000 < LIMIT_S + SLACK_S for a in attempts)
    assert server.messages == 1


def test_a_contact_with_a_long_address_is_recorded_and_delivered(live, receiver):
    """An address of 200 characters (valid: a 64-character local part and a long domain) is not lost."""
    path = f"/long/{uuid.uuid4().hex[:8]}"
    channel = postback_channel(receiver.url(path), name="crm")
    receiver.script(path, Reply(), secret=channel.secret)
    attach(EventType.CONTACT_CREATED, channel)
    email = f"{'l' * 64}@{'d' * 60}.{'e' * 60}.{'x' * 10}.example"
    assert len(email) > 128

    outcome = contacts.record_contact(
        {"email": email, "first_name": "", "last_name": "", "phone": "", "user_id": None},
        Source.SHOP, context_kind="checkout", context_id=str(uuid.uuid4()),
    )

    assert outcome == contacts.CREATED
    wait_for(lambda: finished(1), 20, what=lambda: f"the delivery\n{live.log_tail()}")
    [event] = RecordedEvent.objects.all()
    assert event.subject_id == email
    [request] = receiver.received(path)
    assert request.verified and email.encode() in request.body


def test_a_long_reactivation_key_keeps_two_contexts_apart():
    """Two reactivations of one long address differ only past 255 characters: two events, not one."""
    switches.set_event_enabled(EventType.CONTACT_CREATED, True)
    email = f"{'a' * 64}@{'b' * 150}.example"
    contact = {"email": email, "first_name": "", "last_name": "", "phone": "", "user_id": None}
    common = "f" * 60
    assert contacts.record_contact(contact, Source.SHOP, context_kind="checkout", context_id=f"{common}1")
    for suffix in ("2", "3"):
        assert contacts.record_contact(contact, Source.SHOP, context_kind="checkout", context_id=common + suffix)
    keys = list(RecordedEvent.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 3 and len(set(keys)) == 3 and all(len(k) <= 255 for k in keys)

