"""The deadline watchdog keeps only running exchanges, however many have finished."""

from saleor_notify_plugin.delivery import deadline
from tests.support import internals


def test_finished_exchanges_do_not_accumulate():
    for _ in range(10_000):
        with deadline.exchange(30.0):
            pass
    assert internals.running_exchanges_watched() <= 512
