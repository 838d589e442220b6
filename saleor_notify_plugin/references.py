"""The proof of an anonymous storefront call: the checkout or order it names, as the shop knows it.

The shop (:mod:`.shop`) finds checkouts and orders; the rules of what counts as proof are
here, and only here. A deployment may name another lookup for checkouts and orders with
``SALEOR_NOTIFY['REFERENCE_LOOKUP']`` (a dotted path to a ``shop.ReferenceLookup`` class);
by default the installed shop answers.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from . import shop
from .conf import get_settings
from .errors import NotifyError, NotifyErrorCode
from .shop import Reference, ReferenceLookup

__all__ = ["Reference", "find", "lookup", "prove_order"]

_PROOF_UNAVAILABLE = (
    "Checkouts and orders cannot be looked up here (Saleor is not installed), so the proof cannot be checked."
)


def lookup() -> ReferenceLookup:
    """The configured lookup (``REFERENCE_LOOKUP``), else the installed shop; ShopUnavailable if neither."""
    path = get_settings().reference_lookup
    if path:
        return import_string(path)()
    try:
        return shop.installed()
    except shop.ShopUnavailable:
        raise shop.ShopUnavailable(_PROOF_UNAVAILABLE) from None


def find(checkout_token: str | None, order_id: str | None) -> Reference | None:
    """The purchase the given references name, or None if one is unknown or they disagree."""
    port = lookup()
    refs: list[Reference | None] = []
    if checkout_token:
        refs.append(port.checkout(checkout_token))
    if order_id:
        refs.append(port.order(order_id))
    known = [ref for ref in refs if ref is not None]
    if not refs or len(known) < len(refs):
        return None
    if len(known) == 2 and not known[0].same_purchase(known[1]):
        return None
    # The order, when there is one, knows most (its id and its checkout's token).
    return next((ref for ref in known if ref.order_id), known[0])


def prove_order(order_id: str, checkout_token: str | None, *, trusted: bool) -> Reference:
    """The order, if the caller may act on it: staff need none, anyone else its checkout's token.

    A storefront learns nothing about orders it cannot prove: an unknown order and a wrong
    token get the same answer.
    """
    order = lookup().order(order_id)
    if trusted:
        if order is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such order.", "orderId")
        return order
    if order is None or not checkout_token or checkout_token != (order.checkout_token or ""):
        raise NotifyError(NotifyErrorCode.PERMISSION_DENIED, "The order and checkout token do not match.", "token")
    return order
