"""Saleor objects -> the plain pieces the payload builders take."""

from __future__ import annotations

from typing import Any

from .. import payloads
from .config import ShopConfig
from .sources import funnel_reference


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def saleor_channel(channel: Any) -> payloads.SaleorChannel | None:
    """Saleor's ``Channel`` (an order's or a checkout's: the store it was made in) as events name it."""
    return None if channel is None else payloads.SaleorChannel(slug=channel.slug, name=channel.name)


def contact_from_user(user: Any) -> dict[str, Any]:
    address = getattr(user, "default_billing_address", None)
    return payloads.customer(
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        phone=str(getattr(address, "phone", "") or "") if address else "",
        user_id=str(user.pk),
    )


def contact_from_order(order: Any) -> dict[str, Any]:
    address = order.billing_address
    user = order.user
    return payloads.customer(
        email=order.user_email or (user.email if user else ""),
        first_name=(address.first_name if address else "") or (user.first_name if user else ""),
        last_name=(address.last_name if address else "") or (user.last_name if user else ""),
        phone=str(address.phone or "") if address else "",
        user_id=str(order.user_id) if order.user_id else None,
    )


def contact_from_checkout(checkout: Any) -> dict[str, Any]:
    address = checkout.billing_address
    return payloads.customer(
        email=checkout.email or "",
        first_name=address.first_name if address else "",
        last_name=address.last_name if address else "",
        phone=str(address.phone or "") if address else "",
        user_id=str(checkout.user_id) if checkout.user_id else None,
    )


def order_ref(order: Any) -> dict[str, Any]:
    return payloads.order_ref(
        id=str(order.pk),
        number=str(order.number),
        status=order.status,
        channel=order.channel.slug,
        email=order.user_email or "",
    )


def order_lines(order: Any) -> list[Any]:
    """The order's lines with their products (one query)."""
    return list(order.lines.select_related("variant__product__product_type").order_by("created_at"))


def line_summary(line: Any) -> dict[str, Any]:
    variant = line.variant
    return payloads.order_line(
        id=str(line.pk),
        product_id=str(variant.product_id) if variant else None,
        product_name=line.product_name,
        variant_id=str(line.variant_id) if line.variant_id else line.product_variant_id,
        variant_name=line.variant_name,
        sku=line.product_sku,
        quantity=line.quantity,
        unit_price=payloads.money(line.unit_price_gross_amount, line.currency),
        total=payloads.money(line.total_price_gross_amount, line.currency),
        requires_shipping=bool(line.is_shipping_required),
    )


def order_summary(order: Any, config: ShopConfig, lines: list[Any] | None = None) -> dict[str, Any]:
    lines = order_lines(order) if lines is None else lines
    currency = order.currency
    return payloads.order_summary(
        ref=order_ref(order),
        origin=order.origin,
        created_at=order.created_at,
        currency=currency,
        customer=contact_from_order(order),
        lines=[line_summary(line) for line in lines],
        subtotal=payloads.money(order.subtotal_gross_amount, currency),
        shipping=payloads.money(order.shipping_price_gross_amount, currency),
        total=payloads.money(order.total_gross_amount, currency),
        charge_status=order.charge_status,
        checkout_token=order.checkout_token or None,
        funnel_reference=funnel_reference(order.metadata, config),
    )


def has_metadata_flag(line: Any, key: str) -> bool:
    """The product or its type carries ``key`` in public metadata (any value but false-ish)."""
    if not key or line.variant is None:
        return False
    product = line.variant.product
    for meta in (product.metadata, product.product_type.metadata):
        value = (meta or {}).get(key)
        if value not in (None, "", "false", "0", "no"):
            return True
    return False
