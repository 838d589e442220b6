"""The proof of an anonymous storefront call: the checkout or order it names, as the shop knows it.

A small port: :class:`ReferenceLookup` finds a checkout or order and says whose it is. Saleor's
implementation is ``saleor_references.SaleorReferences`` (the default); a deployment or a test
names another with ``SALEOR_NOTIFY['REFERENCE_LOOKUP']`` (a dotted path to a class).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.utils.module_loading import import_string

from .conf import get_settings
from .errors import NotifyError, NotifyErrorCode

SALEOR_LOOKUP = "saleor_notify_plugin.saleor_references.SaleorReferences"


@dataclass(frozen=True, slots=True)
class Reference:
    """A checkout or an order. An order placed from a checkout keeps the checkout's token."""

    checkout_token: str | None
    order_id: str | None
    email: str  # the customer's address; "" when a checkout has none yet

    def same_purchase(self, other: Reference) -> bool:
        if self.order_id and other.order_id:
            return self.order_id == other.order_id
        return bool(self.checkout_token) and self.checkout_token == other.checkout_token


class ReferenceLookup(Protocol):
    def checkout(self, token: str) -> Reference | None:
        """The checkout with this token, or, once it became an order, that order (None: neither)."""

    def order(self, order_id: str) -> Reference | None:
        """The order with this id (a UUID), or None."""


def lookup() -> ReferenceLookup:
    path = get_settings().reference_lookup or SALEOR_LOOKUP
    try:
        return import_string(path)()
    except ImportError:
        raise NotifyError(
            NotifyErrorCode.UNAVAILABLE,
            "Checkouts and orders cannot be looked up here (Saleor is not installed), so the proof cannot be checked.",
        ) from None


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
