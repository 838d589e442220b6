"""The default limit is 30 seconds for the whole exchange (slow: it waits for it)."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from saleor_notify_plugin.conf import NotifySettings
from saleor_notify_plugin.delivery import http
from saleor_notify_plugin.delivery.outcome import ErrorKind
from tests.support.receiver import Reply


@pytest.mark.slow
def test_default_limit_is_30_seconds(receiver):
    """With default settings, a 28 s answer is received and a silent receiver is cut at 30 s."""
    settings = NotifySettings(allow_private_targets=True).http  # every other value is the default
    slow_url = receiver.script("/default-timeout/slow", Reply(200, delay_s=28))
    silent_url = receiver.script("/default-timeout/silent", Reply(200, delay_s=45))

    def timed(url):
        started = time.monotonic()
        return http.post(url, b"{}", {}, settings), time.monotonic() - started

    with ThreadPoolExecutor(2) as pool:
        slow, silent = pool.map(timed, [slow_url, silent_url])

    assert slow[0].status_code == 200
    assert silent[0].error_kind is ErrorKind.TIMEOUT
    assert 30.0 <= silent[1] < 31.5
