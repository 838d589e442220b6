"""Contacts from Saleor's customers and checkouts (Contact created, with reactivation)."""

from __future__ import annotations

from typing import Any

from ..events import EventType, Source
from ..switches import enabled_events
from . import contacts, history, serialize
from .config import ShopConfig
from .sources import checkout_source, funnel_reference, requestor_is_staff_or_app


def on_customer_created(user: Any, config: ShopConfig, requestor: Any) -> None:
    """customerCreate by staff or an App: Admin; accountRegister (no requestor): Shop/Funnel."""
    if EventType.CONTACT_CREATED not in enabled_events():
        return
    staff = requestor_is_staff_or_app(requestor)
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


def on_checkout(checkout: Any, config: ShopConfig) -> None:
    """A checkout that gives an e-mail: a new lead, or a known one coming back."""
    if not checkout.email or EventType.CONTACT_CREATED not in enabled_events():
        return

    def known_elsewhere() -> bool:
        email = checkout.email
        ordered = history.ordered_elsewhere(email, "")
        if ordered is not None:
            return ordered or history.has_account(email)
        from saleor.account.models import User  # until the history import has finished
        from saleor.order.models import Order

        return (
            User.objects.filter(email__iexact=email).exists()
            or Order.objects.filter(user_email__iexact=email).exists()
        )

    contacts.record_contact(
        serialize.contact_from_checkout(checkout),
        checkout_source(checkout, config),
        context_kind="checkout",
        context_id=str(checkout.token),
        known_elsewhere=known_elsewhere,
    )
