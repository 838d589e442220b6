"""Hostile or broken receivers, end to end through the real worker (whose limit is 2 s in the tests).

tests/integration/test_transport.py checks what the transport reports for each; here the worker
applies the rules, logs the attempts, is never held past the limit and keeps its memory bounded.
A receiver that never answers is tests/integration/test_delivery_rules.py::test_timeout_fails_and_is_not_retried.
"""

from __future__ import annotations

import time

import pytest

from saleor_notify_plugin.delivery import http
from saleor_notify_plugin.delivery.outcome import NOT_SENT_KINDS, ErrorKind
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery
from tests.builders import attach, postback_channel, record
from tests.support.receiver import Reply
from tests.support.tcp_proxy import TcpProxy
from tests.support.tls_receiver import TlsReceiver
from tests.support.waiting import wait_for
from tests.support.worker_process import anon_kib

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT_MS = 2000  # TIMEOUT_S of the tests' worker
SLACK_MS = 700  # scheduling on a busy two-core machine
HUGE_BYTES = 50 * 1024 * 1024


def pool_anon_kib(worker) -> int:
    """What the pool processes allocated. Not their whole RSS: that also counts the pages of library
    code a first TLS handshake touches (about 10 MiB per process, seen on a fresh machine)."""
    children = open(f"/proc/{worker.process.pid}/task/{worker.process.pid}/children").read().split()
    return sum(anon_kib(int(pid)) for pid in children)


@pytest.fixture
def tls_receiver(tmp_path):
    server = TlsReceiver(tmp_path)
    yield server
    server.close()


def test_hostile_receivers_get_the_spec_outcome_and_never_hold_the_worker(live, receiver, tls_receiver):
    """One event fanned out to six hostile receivers and a healthy one: each ends as the rules say."""
    hostile = {
        "trickle": Reply(200, body=b"y" * 200, trickle_s=0.2),
        "huge": Reply(200, body_size=HUGE_BYTES),
        "reset": Reply(reset=True),
        "redirect-internal": Reply(302, headers={"Location": receiver.url("/internal/admin")}),
        "redirect-metadata": Reply(307, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
        "healthy": Reply(200),
    }
    channels = {}
    for name, reply in hostile.items():
        channels[name] = postback_channel(receiver.script(f"/hostile/{name}", reply), name=name)
    channels["bad-certificate"] = postback_channel(tls_receiver.url(), name="bad-certificate")
    for channel in channels.values():
        attach(EventType.ORDER_COMPLETED, channel)
    anon_before = pool_anon_kib(live)

    record()
    wait_for(lambda: Delivery.objects.exclude(status="PENDING").count() == len(channels), 40,
             what=lambda: f"every delivery to finish\n{live.log_tail()}")

    outcome = {
        d.channel_name: (d.status, d.failure_kind, [a.duration_ms for a in d.attempts.all()], d)
        for d in Delivery.objects.prefetch_related("attempts")
    }
    assert outcome["healthy"][:2] == ("SUCCESS", "")
    assert outcome["trickle"][:2] == ("FAILED", "timeout") and len(outcome["trickle"][2]) == 1
    assert outcome["reset"][:2] == ("FAILED", "connection_lost") and len(outcome["reset"][2]) == 1
    assert outcome["redirect-internal"][:2] == ("FAILED", "http_302")
    assert outcome["redirect-metadata"][:2] == ("FAILED", "http_307")
    assert receiver.received("/internal/admin") == []  # redirects are never followed
    # An invalid certificate: nothing was sent, so retried like a 5xx, then failed; the receiver saw no request.
    assert outcome["bad-certificate"][:2] == ("FAILED", "tls_error") and len(outcome["bad-certificate"][2]) == 4
    assert tls_receiver.requests == [] and tls_receiver.failed_handshakes == 4
    assert "certificate" in outcome["bad-certificate"][3].attempts.first().error_message
    # A huge body: read up to the limit, the rest dropped with the connection; the excerpt is bounded.
    huge = outcome["huge"][3].attempts.get()
    assert outcome["huge"][0] == "SUCCESS" and huge.response_excerpt.endswith("[truncated]")
    assert len(huge.response_excerpt) <= 1024 + len(" [truncated]")
    assert pool_anon_kib(live) - anon_before < 16 * 1024  # far below the 50 MiB that was offered
    # No attempt outlived the limit, however the receiver behaved.
    for name, (_, _, durations, _) in outcome.items():
        assert all(d <= LIMIT_MS + SLACK_MS for d in durations), (name, durations)


def test_a_certificate_the_client_trusts_is_accepted_by_the_same_receiver(tls_receiver, monkeypatch):
    """The control: the TLS receiver works; what the worker refuses is only its certificate."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_receiver.cert))
    outcome = http.post(tls_receiver.url(), b"{}", {}, http.HttpSettings(timeout_s=2, allow_private_targets=True))
    assert outcome.succeeded and len(tls_receiver.requests) == 1


def test_a_tls_handshake_sent_byte_by_byte_cannot_outlive_the_limit(tls_receiver):
    """Every byte arrives within a socket timeout; the handshake is still cut, and nothing was sent."""
    settings = http.HttpSettings(timeout_s=2, connect_timeout_s=1, allow_private_targets=True)
    with TcpProxy(("127.0.0.1", tls_receiver.port), trickle_s=0.01) as slow:
        started = time.monotonic()
        outcome = http.post(f"https://127.0.0.1:{slow.port}/hook", b"{}", {}, settings)
    assert time.monotonic() - started < 2.5
    assert outcome.error_kind in NOT_SENT_KINDS | {ErrorKind.TIMEOUT}
    assert tls_receiver.requests == []


@pytest.mark.parametrize("reused", [False, True])
def test_a_tls_answer_sent_byte_by_byte_cannot_outlive_the_limit(tmp_path, monkeypatch, reused):
    """Before: the deadline shut the TCP socket the TLS socket had taken over (already detached), so
    a trickled answer over TLS ran on for as long as the receiver kept sending. Now: cut at the limit."""
    server = TlsReceiver(tmp_path, trickle_s=0.2, keep_alive=True)
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert))
        settings = http.HttpSettings(timeout_s=1, connect_timeout_s=1, allow_private_targets=True)
        if reused:  # a kept-alive connection: the deadline must cut that one too
            server.trickle_s = None
            assert http.post(server.url(), b"{}", {}, settings).succeeded
            server.trickle_s = 0.2
        started = time.monotonic()
        outcome = http.post(server.url(), b"{}", {}, settings)
        assert outcome.error_kind is ErrorKind.TIMEOUT and time.monotonic() - started < 1.6
        assert server.handshakes == 1
    finally:
        server.close()
