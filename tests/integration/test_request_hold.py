"""A request's messages leave once its response has been sent: the worker never takes the shop's
cores while the shop is still answering, and nothing waits longer than that (or than the hold's
deadline, when a server never says the request ended)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path as url_path

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.pipeline import broker
from tests.builders import attach, postback_channel, record
from tests.support.waiting import wait_for

#: How long the view waits, after its commit, for a notification that should not come yet.
WATCH_S = 1.5


def _record_and_watch(request: HttpRequest) -> JsonResponse:
    """Records an event, as a hook in Saleor's request does, then watches the receiver a while."""
    receiver, watched = _watching["receiver"], _watching["path"]
    record(EventType.ORDER_COMPLETED, order_id="held-1")
    deadline = time.monotonic() + WATCH_S
    while time.monotonic() < deadline and not receiver.received(watched):
        time.sleep(0.02)
    return JsonResponse({"arrived_during_request": bool(receiver.received(watched))})


_watching: dict = {}
urlpatterns = [url_path("record-and-watch/", _record_and_watch)]


@pytest.fixture
def watched(live, receiver, path, settings):
    settings.ROOT_URLCONF = __name__
    attach(EventType.ORDER_COMPLETED, postback_channel(receiver.url(path)))
    _watching.update(receiver=receiver, path=path)
    yield path
    _watching.clear()


def test_a_requests_notification_leaves_once_its_response_is_sent(watched, receiver):
    response = Client().get("/record-and-watch/")
    assert response.status_code == 200
    assert json.loads(response.content) == {"arrived_during_request": False}
    # Sent right after the response, well before the hold's deadline.
    wait_for(lambda: receiver.received(watched), broker.REQUEST_HOLD_MAX_S - 2, what="the notification")


def test_outside_a_request_it_leaves_at_once(watched, receiver):
    """The same work in a worker or a command (no request): the notification comes within the watch."""
    record(EventType.ORDER_COMPLETED, order_id="held-1")
    wait_for(lambda: receiver.received(watched), WATCH_S, what="the notification, with no request holding it")


# --- the publisher's hold, on a publisher of its own --------------------------------------------


@pytest.fixture
def published():
    """A publisher whose messages land in a list: (task name, items) each."""
    sent: list[tuple[str, list]] = []
    publisher = broker.BackgroundPublisher(lambda name, args: sent.append((name, args[0])))
    yield publisher, sent
    publisher.flush()


def _items(sent):
    return [item for _, items in sent for item in items]


def test_what_a_request_submits_waits_for_its_release_then_goes_as_one_message(published):
    publisher, sent = published
    publisher.hold()
    for n in range(3):
        publisher.submit("task", n)
    time.sleep(0.3)
    assert sent == []
    publisher.release()
    wait_for(lambda: _items(sent) == [0, 1, 2], 2)
    assert sent == [("task", [0, 1, 2])]
    publisher.submit("task", 3)  # released: no longer held
    wait_for(lambda: _items(sent) == [0, 1, 2, 3], 2)


def test_other_threads_are_not_held(published):
    publisher, sent = published
    publisher.hold()
    other = threading.Thread(target=publisher.submit, args=("task", "from-a-task"))
    other.start()
    other.join()
    publisher.submit("task", "from-the-request")
    wait_for(lambda: _items(sent) == ["from-a-task"], 2)
    time.sleep(0.2)
    assert _items(sent) == ["from-a-task"]
    publisher.release()
    wait_for(lambda: _items(sent) == ["from-a-task", "from-the-request"], 2)


def test_a_hold_never_released_goes_at_its_deadline(published, monkeypatch):
    publisher, sent = published
    monkeypatch.setattr(broker, "REQUEST_HOLD_MAX_S", 0.5)
    started = time.monotonic()
    publisher.hold()
    publisher.submit("task", "kept")
    wait_for(lambda: _items(sent) == ["kept"], 3)
    assert time.monotonic() - started >= 0.5
    publisher.submit("task", "after")  # the hold ended with its deadline
    wait_for(lambda: _items(sent) == ["kept", "after"], 1)


def test_a_thread_holding_again_hands_over_what_its_last_hold_kept(published):
    """A request whose end was never reported: its messages go when the thread's next one starts."""
    publisher, sent = published
    publisher.hold()
    publisher.submit("task", "first request")
    publisher.hold()
    wait_for(lambda: _items(sent) == ["first request"], 2)
    publisher.submit("task", "second request")
    time.sleep(0.2)
    assert _items(sent) == ["first request"]
    publisher.release()
    wait_for(lambda: _items(sent) == ["first request", "second request"], 2)


def test_a_flush_hands_over_what_requests_hold_before_it_answers(published):
    """A finishing process (and the tests' flush between tests) loses nothing a request held."""
    publisher, sent = published
    publisher.hold()
    for n in range(250):
        publisher.submit("task", n)
    assert publisher.flush(timeout_s=3)
    assert _items(sent) == list(range(250))
    assert [len(items) for _, items in sent] == [100, 100, 50]  # still at most MAX_BATCH a message
