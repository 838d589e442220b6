"""The deadline watchdog keeps only running exchanges, however many have finished."""

from saleor_notify_plugin.delivery import deadline
from tests.support import internals


def test_finished_exchanges_do_not_accumulate():
    for _ in range(10_000):
        with deadline.exchange(30.0):
            pass
    assert internals.running_exchanges_watched() <= 512


def test_a_shorter_limit_fires_on_time_while_longer_exchanges_run():
    """The watchdog sleeps until the earliest deadline and is woken only for an earlier one: an
    exchange with a short limit, begun while long ones run, is still stopped at its own limit."""
    import time

    with deadline.exchange(30.0), deadline.exchange(20.0):
        started = time.monotonic()
        with deadline.exchange(0.2) as short:
            while not short.fired and time.monotonic() - started < 5:
                time.sleep(0.01)
        assert short.fired
        assert time.monotonic() - started < 1.0
        with deadline.exchange(25.0) as later:  # a later deadline: no wake-up needed, and none fires early
            time.sleep(0.1)
        assert not later.fired
