"""Which of the three sources an order, checkout or customer belongs to (spec §3)."""

from __future__ import annotations

from typing import Any

from ..events import Source
from .config import ShopConfig

#: Orders staff made or re-made: draft orders ("quotes"), reissues, bulk imports by apps.
ADMIN_ORIGINS = frozenset({"draft", "reissue", "bulk_create"})


def funnel_reference(metadata: dict[str, Any] | None, config: ShopConfig) -> str | None:
    """The funnel marker's value ("" counts as absent), or None."""
    if not config.funnel_marker_key or not metadata:
        return None
    value = metadata.get(config.funnel_marker_key)
    return str(value) if value not in (None, "", "false", "0") else None


def is_funnel(metadata: dict[str, Any] | None, channel_slug: str | None, config: ShopConfig) -> bool:
    return funnel_reference(metadata, config) is not None or (
        bool(channel_slug) and channel_slug in config.funnel_channel_slugs
    )


def order_source(order: Any, config: ShopConfig, channel_slug: str | None = None) -> Source:
    slug = channel_slug if channel_slug is not None else order.channel.slug
    if is_funnel(order.metadata, slug, config):
        return Source.FUNNEL
    if order.origin in ADMIN_ORIGINS:
        return Source.ADMIN
    return Source.SHOP


def checkout_metadata(checkout: Any) -> dict[str, Any]:
    """A checkout's public metadata (Saleor keeps it in a separate CheckoutMetadata row)."""
    try:
        return checkout.metadata_storage.metadata or {}
    except Exception:  # noqa: BLE001 - no metadata row yet
        return {}


def checkout_source(checkout: Any, config: ShopConfig) -> Source:
    return Source.FUNNEL if is_funnel(checkout_metadata(checkout), checkout.channel.slug, config) else Source.SHOP


def requestor_is_staff_or_app(requestor: Any) -> bool:
    """True for a staff user or an App (Saleor's requestor), False for a shopper or nobody."""
    if requestor is None:
        return False
    try:
        if getattr(requestor, "is_staff", False):
            return True
        return requestor.__class__.__name__ == "App"
    except Exception:  # noqa: BLE001 - a lazy requestor that cannot load is nobody
        return False
