"""The suite's own harness: the wait before a table flush says when the session worker stays busy."""

import pytest

from saleor_notify_plugin.events import EventType
from tests.builders import attach, final_delivery, postback_channel, record
from tests.support import database
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_idle_wait_fails_with_the_log_while_the_session_worker_is_busy(live, worker_idle, receiver, path):
    """The worker's fan-out waits on a lock this test holds: the wait gives up loudly, with the log."""
    from django.db import connection

    channel = postback_channel(receiver.url(path))
    receiver.script(path, Reply(200))
    attach(EventType.ORDER_COMPLETED, channel)
    with database.connect(connection.settings_dict) as holder:
        with holder.transaction():
            holder.execute("LOCK TABLE saleor_notify_delivery IN ACCESS EXCLUSIVE MODE")
            record()
            with pytest.raises(AssertionError, match=r"(?s)still busy 1.0 s later; the worker's log:\n.*fan_out"):
                worker_idle(timeout_s=1.0)
    assert wait_for(lambda: final_delivery(channel), 15, what=live.log_tail).status == "SUCCESS"
    worker_idle()
