"""The port to the shop: everything the core asks Saleor, and which implementation answers.

The core never imports Saleor. What it needs from the shop is :class:`Shop`: find a checkout
or an order and whose it is (the proof of an anonymous storefront call), tell who sends a
request and what Saleor lets them do, say whether a token is the dashboard app's,
complete a funnel order, and list the shop's stores (its Saleor channels). Saleor's
implementation is ``saleor_shop.SaleorShop``; the plugin module installs it when Saleor
loads the plugin (``saleor_shop.install``). Elsewhere (the
standalone worker, the demo) nothing is installed and every question is answered with
:class:`ShopUnavailable`. The test suite installs its fake shop (``tests/support/fake_shop.py``)
the same way, with :func:`install`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.http import HttpRequest

from .errors import NotifyError, NotifyErrorCode
from .graphql.requestor import Requestor
from .payloads import SaleorChannel


@dataclass(frozen=True, slots=True)
class Reference:
    """A checkout or an order. An order placed from a checkout keeps the checkout's token."""

    checkout_token: str | None
    order_id: str | None
    email: str  # the customer's address; "" when a checkout has none yet
    saleor_channel: SaleorChannel | None = None  # the store it was made in (None: not told)

    def same_purchase(self, other: Reference) -> bool:
        if self.order_id and other.order_id:
            return self.order_id == other.order_id
        return bool(self.checkout_token) and self.checkout_token == other.checkout_token


@dataclass(frozen=True)
class VerifiedApp:
    """The Saleor app installed from this plugin's manifest."""

    pk: int
    identifier: str


class ReferenceLookup(Protocol):
    def checkout(self, token: str) -> Reference | None:
        """The checkout with this token, or, once it became an order, that order (None: neither)."""

    def order(self, order_id: str) -> Reference | None:
        """The order with this id (a UUID), or None."""


class Shop(ReferenceLookup, Protocol):
    def requestor(self, request: HttpRequest) -> Requestor:
        """Who sends ``request`` and what they hold; raises ``InvalidToken`` for a token the shop refuses."""

    def dashboard_app(self, token: str) -> VerifiedApp | None:
        """The app this token belongs to, if that app was installed from our manifest (None: refused)."""

    def complete_funnel_order(self, order_id: str) -> bool:
        """Order completed (FUNNEL, the thank-you page) for this order, once; the caller proved the order.

        False when the order is no funnel order or was completed before; NotifyError INVALID
        when it has not been placed.
        """

    def saleor_channels(self) -> list[SaleorChannel]:
        """The shop's stores (its Saleor channels, active or not), by slug."""


class ShopUnavailable(NotifyError):
    """No shop is installed in this process, so nothing can be asked of it."""

    def __init__(self, message: str = "This needs Saleor, which is not installed here.") -> None:
        super().__init__(NotifyErrorCode.UNAVAILABLE, message)


_installed: Shop | None = None


def install(shop: Shop | None) -> None:
    """Make ``shop`` the one that answers in this process (None: none, every question is unavailable)."""
    global _installed
    _installed = shop


def installed() -> Shop:
    """The installed shop; raises ShopUnavailable when there is none."""
    if _installed is None:
        raise ShopUnavailable()
    return _installed
