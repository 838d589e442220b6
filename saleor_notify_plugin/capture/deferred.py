"""Hooks hand their business events to a worker: the shop's request does none of the capture work.

Saleor calls a hook after its own commit, in the request's thread, and the request waits for it.
So a hook only takes, from the objects Saleor passes, the facts that make the event what it is
(the row's id, the order's status and charge status, the tracking number, a checkout's contact:
attributes of Saleor's objects, no query of the plugin's) and the moment, and puts them on the
process's background publisher (``pipeline.broker``). A worker runs ``capture_hooks``: it reloads
each row and runs the same capture code as before, as at the hook's moment
(``activity.recording_as_of``: the switches and the plugin as they were then), so what is
recorded does not depend on how long the message waited.

What the hook saw stays what the event reports: the worker puts the hook's status, charge status
or tracking number back on the row it reloads (a later change of the order is a later event of
its own). A checkout's contact is taken whole in the hook, because completing a checkout deletes it.

Loss: the broker unreachable, the web process records the events itself, on the publisher's
thread (beside the request, never in it). A process killed between the hook and the publish
(milliseconds): the reconciliation records an order's or an account's events from Saleor's own
rows within ``RECONCILE_DELAY_S`` (``reconcile``); a checkout's contact has no such row and is lost,
as it was before when a process died between Saleor's commit and the hook's insert.

A Celery app without a broker (Saleor's eager test settings) runs the capture here and now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import router, transaction
from django.utils import timezone
from saleor.account.models import User
from saleor.order.models import Fulfillment, Order

from .. import telemetry
from ..activity import recording_as_of
from ..models import RecordedEvent
from ..payloads import SaleorChannel
from ..pipeline import broker
from . import config as shop_config
from . import contact_created, payments, shipping_tracking, subscription_canceled
from .config import ShopConfig
from .sources import requestor_is_staff_or_app

logger = logging.getLogger(__name__)

CAPTURE_HOOKS_TASK = "saleor_notify.capture_hooks"

#: One hook call as the worker gets it: JSON (it travels through the broker).
Item = dict[str, Any]


def _hand_over(hook: str, **facts: Any) -> None:
    item: Item = {"hook": hook, "at": timezone.now().isoformat(), "trace": telemetry.current_context(), **facts}
    if broker.runs_eagerly():
        run_items([item])
    else:
        broker.send_after_commit(router.db_for_write(RecordedEvent), CAPTURE_HOOKS_TASK, item)


# --- the hooks' side: facts from loaded attributes --------------------------------------------------


def order_created(order: Any) -> None:
    _hand_over("order_created", order=str(order.pk), status=order.status)


def order_payment(order: Any) -> None:
    _hand_over("order_payment", order=str(order.pk), status=order.status, charge_status=order.charge_status)


def order_cancelled(order: Any) -> None:
    _hand_over("order_cancelled", order=str(order.pk), status=order.status)


def tracking(fulfillment: Any) -> None:
    number = (fulfillment.tracking_number or "").strip()
    if number:
        _hand_over("tracking", fulfillment=str(fulfillment.pk), tracking_number=number)


def customer_created(user: Any, requestor: Any) -> None:
    _hand_over("customer_created", user=str(user.pk), staff=requestor_is_staff_or_app(requestor))


def checkout(checkout: Any, config: ShopConfig) -> None:
    facts = contact_created.checkout_facts(checkout, config)
    if facts is not None:
        _hand_over("checkout", **facts)


# --- the worker's side --------------------------------------------------------------------------------


def _order(item: Item) -> Any:
    order = Order.objects.select_related("channel", "user", "billing_address").filter(pk=item["order"]).first()
    if order is not None:
        order.status = item["status"]
        order.charge_status = item.get("charge_status", order.charge_status)
    return order


def _run_order_created(item: Item, config: ShopConfig) -> None:
    if (order := _order(item)) is not None:
        contact_created.on_order_created(order, config)


def _run_order_payment(item: Item, config: ShopConfig) -> None:
    if (order := _order(item)) is not None:
        payments.on_order_payment(order, config)


def _run_order_cancelled(item: Item, config: ShopConfig) -> None:
    if (order := _order(item)) is not None:
        subscription_canceled.on_order_cancelled(order, config)


def _run_tracking(item: Item, config: ShopConfig) -> None:
    fulfillment = Fulfillment.objects.select_related("order__channel").filter(pk=item["fulfillment"]).first()
    if fulfillment is not None:
        fulfillment.tracking_number = item["tracking_number"]
        shipping_tracking.on_tracking(fulfillment, config)


def _run_customer_created(item: Item, config: ShopConfig) -> None:
    user = User.objects.select_related("default_billing_address").filter(pk=item["user"]).first()
    if user is not None:
        contact_created.on_customer_created(user, config, staff=bool(item["staff"]))


def _run_checkout(item: Item, config: ShopConfig) -> None:
    channel = item.get("saleor_channel")
    contact_created.record_checkout_contact(
        email=item["email"],
        contact=item["contact"],
        source=item["source"],
        token=item["token"],
        saleor_channel=SaleorChannel(**channel) if channel else None,
    )


_RUNNERS: dict[str, Callable[[Item, ShopConfig], None]] = {
    "order_created": _run_order_created,
    "order_payment": _run_order_payment,
    "order_cancelled": _run_order_cancelled,
    "tracking": _run_tracking,
    "customer_created": _run_customer_created,
    "checkout": _run_checkout,
}


def run_items(items: Iterable[Item]) -> int:
    """Record what each hook call stands for, as at its moment; returns how many ran.

    Each item in its own transaction: one that fails (a bug, a row it cannot read) is logged
    and the others go on. What a failed order or account item missed, the reconciliation finds.
    """
    config = shop_config.load()
    done = 0
    for item in items:
        try:
            run = _RUNNERS[item["hook"]]
            at = datetime.fromisoformat(item["at"])
            with transaction.atomic(), recording_as_of(at):
                run(item, config)
            done += 1
        except Exception:  # noqa: BLE001 - one bad item must not stop the others
            logger.exception("saleor-notify: could not capture %r", item)
    return done


broker.run_here_when_unpublished(CAPTURE_HOOKS_TASK, run_items)
