"""Contact created (a new lead, or a known one coming back): from customers, checkouts and orders."""

from __future__ import annotations

from typing import Any

from saleor.account.models import User
from saleor.order.models import Order

from ..events import EventType, Source
from ..payloads import SaleorChannel
from ..switches import enabled_events
from . import contacts, history, serialize
from .config import ShopConfig
from .order_states import NOT_PLACED
from .sources import checkout_source, funnel_reference, order_source


def on_customer_created(user: Any, config: ShopConfig, *, staff: bool) -> None:
    """customerCreate by staff or an App (``staff``): Admin; accountRegister (no requestor): Shop/Funnel.

    An account belongs to no store (Saleor's customers are shared by its channels): no store.
    """
    if EventType.CONTACT_CREATED not in enabled_events():
        return
    if staff:
        source = Source.ADMIN
    else:
        source = Source.FUNNEL if funnel_reference(user.metadata, config) else Source.SHOP
    contacts.record_contact(
        serialize.contact_from_user(user),
        source,
        context_kind="customer_create" if staff else "registration",
        context_id=str(user.pk),
    )


def checkout_facts(checkout: Any, config: ShopConfig) -> dict[str, Any] | None:
    """What a checkout that gives an e-mail address tells (None: it gives none), as plain data:
    taken when Saleor calls the hook, since completing the checkout deletes it."""
    if not checkout.email:
        return None
    channel = serialize.saleor_channel(checkout.channel)
    return {
        "email": checkout.email,
        "contact": serialize.contact_from_checkout(checkout),
        "source": checkout_source(checkout, config).value,
        "token": str(checkout.token),
        "saleor_channel": channel.data() if channel is not None else None,
    }


def record_checkout_contact(
    *, email: str, contact: dict[str, Any], source: str, token: str, saleor_channel: SaleorChannel | None
) -> None:
    """Contact created for a checkout's address (``checkout_facts``)."""
    if EventType.CONTACT_CREATED not in enabled_events():
        return

    def known_elsewhere() -> bool:
        ordered = history.ordered_elsewhere(email, "")
        if ordered is not None:
            return ordered or history.has_account(email)
        # Saleor's tables asked directly: only until the history import has finished.
        return (
            User.objects.filter(email__iexact=email).exists()
            or Order.objects.filter(user_email__iexact=email).exists()
        )

    contacts.record_contact(
        contact,
        Source(source),
        context_kind="checkout",
        context_id=token,
        known_elsewhere=known_elsewhere,
        saleor_channel=saleor_channel,
    )


def on_order_created(order: Any, config: ShopConfig) -> None:
    """A placed order gives its e-mail address (shop and funnel)."""
    if order.status in NOT_PLACED or not order.user_email:
        return
    history.record_placed(order)  # whatever the switches: later answers need it
    if EventType.CONTACT_CREATED not in enabled_events():
        return
    source = order_source(order, config)
    context = ("checkout", order.checkout_token) if order.checkout_token else ("order", str(order.pk))

    def known_elsewhere() -> bool:
        known = history.ordered_elsewhere(order.user_email, order.pk)
        if known is not None:
            return known
        # Saleor's tables asked directly: only until the history import has finished.
        return Order.objects.filter(user_email__iexact=order.user_email).exclude(pk=order.pk).exists()

    contacts.record_contact(
        serialize.contact_from_order(order), source, context_kind=context[0], context_id=context[1],
        known_elsewhere=known_elsewhere, saleor_channel=serialize.saleor_channel(order.channel),
    )
