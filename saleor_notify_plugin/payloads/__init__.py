"""Payload builders: the envelope's ``data`` of each event, from plain values (no Saleor).

The capture layer reads Saleor's objects into the plain pieces below (``money``,
``customer``, ``order_summary``...); each ``*_data`` function assembles one event's data.
Every shape has a JSON Schema in ``saleor_notify_plugin/schemas/<event>.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .schemas import SCHEMA_VERSION, load_example, load_schema, validate

__all__ = [
    "SCHEMA_VERSION",
    "SaleorChannel",
    "load_example",
    "load_schema",
    "validate",
]

Amount = Decimal | int | float | str | None


@dataclass(frozen=True, slots=True)
class SaleorChannel:
    """A store of the shop (a Saleor channel: a country store, a wholesale store), as events name it.

    Every event's data carries it as ``saleor_channel`` (``{"slug", "name"}``, or null when the
    event has no store); ``pipeline.recording.record_event`` puts it there and on the row.
    """

    slug: str
    name: str

    def data(self) -> dict[str, str]:
        return {"slug": self.slug, "name": self.name}


def money(amount: Amount, currency: str) -> dict[str, str]:
    """An exact amount as a decimal string, with its currency."""
    value = Decimal(str(amount if amount is not None else 0))
    return {"amount": format(value, "f"), "currency": currency}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def customer(
    *, email: str, first_name: str = "", last_name: str = "", phone: str = "", user_id: str | None = None
) -> dict[str, Any]:
    return {
        "email": (email or "").strip().lower(),
        "first_name": first_name or "",
        "last_name": last_name or "",
        "phone": phone or "",
        "user_id": user_id,
    }


def order_ref(*, id: str, number: str, status: str, channel: str, email: str) -> dict[str, Any]:
    """Enough to identify an order without its lines."""
    return {"id": id, "number": str(number), "status": status, "channel": channel, "email": (email or "").lower()}


def order_line(
    *,
    id: str,
    product_id: str | None,
    product_name: str,
    variant_id: str | None,
    variant_name: str,
    sku: str | None,
    quantity: int,
    unit_price: dict[str, str],
    total: dict[str, str],
    requires_shipping: bool,
) -> dict[str, Any]:
    return {
        "id": id,
        "product_id": product_id,
        "product_name": product_name,
        "variant_id": variant_id,
        "variant_name": variant_name,
        "sku": sku,
        "quantity": quantity,
        "unit_price": unit_price,
        "total": total,
        "requires_shipping": requires_shipping,
    }


def order_summary(
    *,
    ref: dict[str, Any],
    origin: str,
    created_at: datetime,
    currency: str,
    customer: dict[str, Any],
    lines: list[dict[str, Any]],
    subtotal: dict[str, str],
    shipping: dict[str, str],
    total: dict[str, str],
    charge_status: str,
    checkout_token: str | None,
    funnel_reference: str | None,
) -> dict[str, Any]:
    return {
        **ref,
        "origin": origin,
        "created_at": iso(created_at),
        "currency": currency,
        "customer": customer,
        "lines": lines,
        "subtotal": subtotal,
        "shipping": shipping,
        "total": total,
        "charge_status": charge_status,
        "checkout_token": checkout_token or None,
        "funnel_reference": funnel_reference or None,
    }


# --- one function per event ----------------------------------------------------------------


def order_completed_data(order: dict[str, Any], *, trigger: str) -> dict[str, Any]:
    """``trigger``: payment (Admin/Shop), thank_you or fallback_timer (Funnel)."""
    return {"order": order, "trigger": trigger}


def contact_data(contact: dict[str, Any], *, reactivation: bool, context: str) -> dict[str, Any]:
    """Contact created; ``context``: customer_create, registration, checkout or order."""
    return {"contact": contact, "reactivation": reactivation, "context": context}


def customer_created_data(contact: dict[str, Any], order: dict[str, Any]) -> dict[str, Any]:
    return {"contact": contact, "first_order": order}


def tracking_data(
    *, tracking_number: str, fulfillment_id: str, fulfillment_number: int, fulfillment_status: str,
    order: dict[str, Any], lines: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "tracking_number": tracking_number,
        "fulfillment": {
            "id": fulfillment_id,
            "number": fulfillment_number,
            "status": fulfillment_status,
            "lines": lines,
        },
        "order": order,
    }


def product_conflict_data(
    *, order: dict[str, Any], customer: dict[str, Any], products: list[dict[str, Any]]
) -> dict[str, Any]:
    """``products``: each {product_id, product_name, sku, previous_order_ids}."""
    return {"order": order, "customer": customer, "products": products}


def transaction(
    *,
    id: str,
    api: str,
    type: str,
    amount: dict[str, str],
    psp_reference: str | None,
    message: str | None,
    created_at: datetime,
    gateway: str | None,
) -> dict[str, Any]:
    """One transaction-level record: a TransactionEvent (api "transactions") or a legacy row."""
    return {
        "id": id,
        "api": api,
        "type": type,
        "amount": amount,
        "psp_reference": psp_reference or None,
        "message": message or None,
        "created_at": iso(created_at),
        "gateway": gateway or None,
    }


def transaction_data(
    txn: dict[str, Any], *, order: dict[str, Any] | None, checkout_token: str | None
) -> dict[str, Any]:
    return {"transaction": txn, "order": order, "checkout_token": checkout_token or None}


def refund_data(
    txn: dict[str, Any], *, kind: str, order: dict[str, Any] | None
) -> dict[str, Any]:
    """``kind``: refund or void; ``txn['amount']`` is what this one refund or void returned."""
    return {"refund": {**txn, "kind": kind}, "amount": txn["amount"], "order": order}


def subscription_canceled_data(
    *, subscription_id: str, email: str, order_id: str | None, reason: str,
    product: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "subscription_id": subscription_id,
        "email": (email or "").lower(),
        "order_id": order_id or None,
        "reason": reason or "",
        "product": product,
    }
