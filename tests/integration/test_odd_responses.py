"""Responses as odd or broken receivers really send them, byte for byte, through the transport.

Each is read as far as it can be within the limits, reported as the rules say, and never makes a
later post read a stale answer or wait on a connection that cannot carry it.
"""

import time
from collections.abc import Iterator

import pytest

from saleor_notify_plugin.delivery import http, wire
from saleor_notify_plugin.delivery.outcome import ErrorKind
from tests.support.raw_receiver import CLOSE, RawReceiver

OPEN = http.HttpSettings(timeout_s=2.0, connect_timeout_s=1.0, allow_private_targets=True)
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.fixture
def raw() -> Iterator[type[RawReceiver]]:
    made: list[RawReceiver] = []

    def make(*answers: object) -> RawReceiver:
        made.append(RawReceiver(*answers))
        return made[-1]

    yield make  # type: ignore[misc]
    for r in made:
        r.close()


def post(url: str) -> http.Outcome:
    return http.post(url, b'{"id":"evt_1"}', {"webhook-id": "evt_1"}, OPEN)


def test_a_chunked_body_is_joined_and_the_connection_kept(raw):
    chunked = b"5;note=x\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"
    r = raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked, OK)
    first, second = post(r.url()), post(r.url())
    assert (first.status_code, first.response_excerpt) == (200, "hello world")
    assert (second.status_code, second.response_excerpt) == (200, "ok") and r.connections == 1


def test_an_http_1_0_answer_without_a_length_is_read_to_the_end_and_not_reused(raw):
    r = raw(b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of it", CLOSE, OK)
    first, second = post(r.url()), post(r.url())
    assert (first.status_code, first.response_excerpt) == (200, "all of it")
    assert second.response_excerpt == "ok" and r.connections == 2


def test_interim_answers_are_skipped_for_the_final_one(raw):
    r = raw(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + OK)
    outcome = post(r.url())
    assert (outcome.status_code, outcome.response_excerpt) == (200, "ok")


def test_endless_interim_answers_are_a_lost_connection_at_once(raw):
    r = raw(b"HTTP/1.1 100 Continue\r\n\r\n" * 500)
    started = time.monotonic()
    outcome = post(r.url())
    assert outcome.error_kind is ErrorKind.CONNECTION_LOST and "interim" in outcome.error_message
    assert time.monotonic() - started < 1.0  # refused by the count, not by the deadline


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", "status line"),
        (b"HTTP/1.1 2000 Huge\r\n\r\n", "status line"),
        (b"HTTP/2 200\r\n\r\n", "status line"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * (wire.MAX_HEADERS + 1) + b"\r\n", "headers beyond"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * wire.MAX_LINE + b"\r\n\r\n", "longer than"),
        (b"HTTP/1.1 200 OK\r\nX-A: b\r\n", "ended inside the headers"),
    ],
)
def test_what_is_not_http_is_a_lost_connection_with_the_reason(raw, answer, said):
    r = raw(answer, CLOSE)
    outcome = post(r.url())
    assert outcome.error_kind is ErrorKind.CONNECTION_LOST, outcome
    assert said in outcome.error_message and outcome.status_code is None


def test_a_body_cut_before_its_length_keeps_the_status_and_is_marked_truncated(raw):
    r = raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", CLOSE, OK)
    outcome = post(r.url())
    assert outcome.status_code == 200 and outcome.response_excerpt.endswith("[truncated]")
    assert post(r.url()).response_excerpt == "ok" and r.connections == 2


def test_a_bad_chunk_size_keeps_the_status_and_drops_the_connection(raw):
    r = raw(b"HTTP/1.1 502 Bad\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnope\r\n", OK)
    outcome = post(r.url())
    assert outcome.status_code == 502 and outcome.response_excerpt.endswith("[truncated]")
    assert post(r.url()).response_excerpt == "ok" and r.connections == 2


def test_bytes_after_the_answer_are_never_read_as_the_next_answer(raw):
    """A receiver that answers twice (or a proxy that desynchronises): the second post gets its own answer."""
    stale = b"HTTP/1.1 500 Stale\r\nContent-Length: 0\r\n\r\n"
    r = raw(OK + stale, b"HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew")
    first, second = post(r.url()), post(r.url())
    assert first.status_code == 200
    assert (second.status_code, second.response_excerpt) == (201, "new") and r.connections == 2


def test_repeated_and_folded_headers_are_kept_and_retry_after_read(raw):
    r = raw(b"HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nX-Trace: a\r\nX-Trace: b\r\nX-Long: one\r\n two\r\n"
            b"Content-Length: 0\r\n\r\n")
    outcome = post(r.url())
    assert outcome.status_code == 503 and outcome.retry_after == "7"
    assert [h for h in outcome.response_headers if h[0] in ("X-Trace", "X-Long")] == [
        ("X-Trace", "a"), ("X-Trace", "b"), ("X-Long", "one two")]


def test_a_204_with_no_length_is_complete_and_the_connection_kept(raw):
    r = raw(b"HTTP/1.1 204 No Content\r\n\r\n", OK)
    assert post(r.url()).status_code == 204
    assert post(r.url()).status_code == 200 and r.connections == 1


def test_connection_close_is_honoured(raw):
    r = raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", OK)
    assert post(r.url()).status_code == 200 and post(r.url()).status_code == 200
    assert r.connections == 2


def test_what_goes_on_the_wire_is_one_well_formed_request(raw):
    r = raw(OK)
    assert post(r.url("/in/a%20path?x=1")).succeeded
    assert r.request_lines == [b"POST /in/a%20path?x=1 HTTP/1.1"]


def test_a_header_value_with_a_line_break_is_never_sent(raw):
    r = raw(OK)
    outcome = http.post(r.url(), b"{}", {"webhook-id": "evt_1\r\nX-Injected: 1"}, OPEN)
    assert outcome.error_kind is ErrorKind.INVALID_TARGET and r.request_lines == []


def test_an_answer_before_the_whole_body_was_taken_is_read(raw):
    """A receiver that refuses a large body with 413 and closes before reading it: the answer counts
    (before: the broken pipe was taken for a request never sent)."""
    r = raw(b"HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", CLOSE)
    r.answer_before_body = True
    outcome = http.post(r.url(), b"x" * (8 * 1024 * 1024), {}, OPEN)
    assert outcome.status_code == 413, outcome


@pytest.mark.parametrize("url", ["http://example.com:99999/hook", "http://[::1/hook", "http://example.com:-1/hook",
                                 "ftp://example.com/hook", "http:///hook"])
def test_a_malformed_url_is_an_invalid_target_never_an_exception(url):
    outcome = post(url)
    assert outcome.error_kind is ErrorKind.INVALID_TARGET


def test_port_0_is_not_taken_for_the_default_port():
    """Before: requests dropped the port 0 and the post went to port 80."""
    outcome = post("http://127.0.0.1:0/hook")
    assert outcome.error_kind is ErrorKind.INVALID_TARGET and "port 0" in outcome.error_message


def test_a_name_with_a_trailing_dot_is_sent_without_it(raw, names):
    """A name written with its trailing dot is resolved as written; ``Host`` (and a TLS server name)
    go without the dot, as other clients send them."""
    r = raw(OK)
    names["receiver.names.test"] = ["127.0.0.1"]
    outcome = post(f"http://receiver.names.test.:{r.port}/hook")
    assert outcome.succeeded and dict(outcome.request.headers)["Host"] == f"receiver.names.test:{r.port}"
    assert r.request_heads[0].split(b"\r\n")[1] == f"Host: receiver.names.test:{r.port}".encode()
