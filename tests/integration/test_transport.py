"""The postback transport against a real local receiver: what each situation reports."""

import time

import pytest

from saleor_notify_plugin.delivery import http
from saleor_notify_plugin.delivery.outcome import ErrorKind
from tests.support.ports import free_port
from tests.support.receiver import Receiver, Reply

OPEN = http.HttpSettings(timeout_s=2.0, connect_timeout_s=1.0, allow_private_targets=True)


def post(url, settings=OPEN):
    return http.post(url, b'{"id":"evt_1"}', {"webhook-id": "evt_1"}, settings)


closed_port = free_port  # nobody listens there


def test_success_reports_status_and_excerpt(receiver, path):
    outcome = post(receiver.script(path, Reply(200, body=b"thanks")))
    assert outcome.succeeded and outcome.status_code == 200 and outcome.response_excerpt == "thanks"
    sent = receiver.received(path)[0]
    assert sent.headers["Content-Type"] == "application/json" and sent.body == b'{"id":"evt_1"}'


def test_redirect_is_reported_not_followed(receiver, path):
    outcome = post(receiver.script(path, Reply(301, headers={"Location": receiver.url("/elsewhere")})))
    assert outcome.status_code == 301
    assert receiver.received("/elsewhere") == []


def test_retry_after_header_is_passed_to_the_policy(receiver, path):
    outcome = post(receiver.script(path, Reply(429, headers={"Retry-After": "7"})))
    assert outcome.status_code == 429 and outcome.retry_after == "7"


def test_connection_refused_is_a_failure_before_sending():
    outcome = post(f"http://127.0.0.1:{closed_port()}/hook")
    assert outcome.error_kind is ErrorKind.CONNECT_ERROR
    assert "refused" in outcome.error_message.lower()


def test_unresolvable_host_is_a_failure_before_sending():
    outcome = post("http://does-not-exist.invalid/hook")
    assert outcome.error_kind is ErrorKind.CONNECT_ERROR


def test_slow_answer_times_out_at_the_deadline(receiver, path):
    started = time.monotonic()
    outcome = post(receiver.script(path, Reply(200, delay_s=5)))
    assert outcome.error_kind is ErrorKind.TIMEOUT
    assert 1.9 <= time.monotonic() - started < 3.0


def test_byte_by_byte_answer_cannot_outlive_the_deadline(receiver, path):
    """Each byte arrives well within a socket timeout; the whole exchange is still cut at 2 s."""
    started = time.monotonic()
    outcome = post(receiver.script(path, Reply(200, body=b"y" * 200, trickle_s=0.2)))
    assert outcome.error_kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 3.0


def test_huge_body_is_read_only_up_to_the_limit(receiver, path):
    settings = http.HttpSettings(
        timeout_s=5, allow_private_targets=True, max_response_bytes=64 * 1024, response_excerpt_chars=100
    )
    outcome = post(receiver.script(path, Reply(200, body_size=50 * 1024 * 1024)), settings)
    assert outcome.status_code == 200
    assert outcome.response_excerpt.startswith("x" * 100) and outcome.response_excerpt.endswith("[truncated]")
    assert outcome.duration_ms < 3000


def test_reset_after_the_request_is_a_lost_connection(receiver, path):
    outcome = post(receiver.script(path, Reply(reset=True)))
    assert outcome.error_kind is ErrorKind.CONNECTION_LOST


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/hook", "http://localhost:1/hook", "http://[::1]:1/hook",
                                 "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook"])
def test_private_and_loopback_targets_are_refused_by_default(url):
    outcome = post(url, http.HttpSettings(timeout_s=2))
    assert outcome.error_kind is ErrorKind.BLOCKED_ADDRESS


def test_loopback_receiver_is_refused_by_default_and_never_contacted(receiver, path):
    outcome = post(receiver.script(path), http.HttpSettings(timeout_s=2))
    assert outcome.error_kind is ErrorKind.BLOCKED_ADDRESS
    assert receiver.received(path) == []


def test_error_messages_do_not_repeat_the_url():
    """Slack URLs carry a token: it must not end up in the attempt log."""
    outcome = post(f"http://127.0.0.1:{closed_port()}/services/T000/B000/SECRET-TOKEN")
    assert "SECRET-TOKEN" not in outcome.error_message


def test_connections_are_kept_alive_between_posts(receiver, path):
    url = receiver.script(path)
    before = receiver.connections
    for _ in range(5):
        assert post(url).succeeded
    assert receiver.connections - before <= 1


def test_a_connection_the_receiver_closed_while_idle_is_replaced_not_failed(path):
    """Receivers close idle kept-alive connections (some after a few seconds): the next post
    connects again instead of failing on the dead one."""
    receiver = Receiver()
    try:
        url = receiver.script(path, Reply(200, hang_up=True), Reply(200, headers={"Connection": "close"}), Reply(200))
        for _ in range(3):
            assert post(url).succeeded
            time.sleep(0.05)  # idle: the receiver's close arrives
        assert receiver.connections == 3 and len(receiver.received(path)) == 3
    finally:
        receiver.close()


def test_kept_connections_are_bounded_least_recently_used_closed_first():
    """A sender thread keeps at most ``KEPT_CONNECTIONS`` idle connections, whatever the number of receivers."""
    receivers = [Receiver() for _ in range(http.KEPT_CONNECTIONS + 2)]
    try:
        for r in receivers:
            assert post(r.url("/hook")).succeeded
        assert post(receivers[-1].url("/hook")).succeeded  # still kept: no new connection
        assert post(receivers[0].url("/hook")).succeeded  # closed to make room: connects again
        assert [r.connections for r in (receivers[0], receivers[-1])] == [2, 1]
    finally:
        for r in receivers:
            r.close()


def test_a_receivers_cookie_is_never_sent_back(receiver, path):
    """One receiver's cookie must not follow later deliveries (to it, or to another channel on its host)."""
    url = receiver.script(path, Reply(200, headers={"Set-Cookie": "session=abc123; Path=/"}), Reply(200))
    assert post(url).succeeded and post(url).succeeded
    first, second = receiver.received(path)
    assert "Cookie" not in second.headers and "cookie" not in {name.lower() for name in second.headers}
    assert first.headers["Accept"] == "*/*" and second.headers["User-Agent"] == "saleor-notify"


def test_default_timeout_is_30_seconds():
    assert http.HttpSettings().timeout_s == 30.0
