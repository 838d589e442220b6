"""The shop behind the port (``saleor_notify_plugin.shop.Shop``) for the tests: Saleor's rules, in memory.

It keeps the rules of Saleor that the core depends on: a checkout has a token and maybe an
e-mail address (a user's, or one typed in); placing the order removes the checkout, and the
order keeps the checkout's token (and its store, the Saleor channel it was made in); an
order has its own id and a status (a draft is not placed); an unknown checkout or order is
unknown; the shop's stores are the ones a test adds (``add_saleor_channel``). A caller is known by a bearer token the
test gave out (``tokens``), an unknown token is refused, no token is an anonymous caller;
the dashboard app's token is known only if a test says so (``app_tokens``). Completing a
funnel order records Order completed (FUNNEL) once, with the key every completion shares.

``tests.support.apps`` installs :data:`SHOP` when Django starts (see ``tests/settings.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from saleor_notify_plugin import payloads, shop
from saleor_notify_plugin.capture.order_completed import order_completed_key
from saleor_notify_plugin.capture.order_states import NOT_PLACED
from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.graphql.requestor import ANONYMOUS, InvalidToken, Requestor
from saleor_notify_plugin.models import FunnelTimer
from saleor_notify_plugin.payloads import SaleorChannel
from saleor_notify_plugin.pipeline import recording
from saleor_notify_plugin.shop import Reference, VerifiedApp


@dataclass
class FakeOrder:
    checkout_token: str | None
    email: str
    status: str = "unfulfilled"  # Saleor's OrderStatus; "draft" and "expired" are not placed
    funnel: bool = False  # the order carries the funnel marker
    saleor_channel: str | None = None  # the slug of the store it was placed in


@dataclass
class FakeShop:
    checkouts: dict[str, str] = field(default_factory=dict)  # token -> e-mail ("" if none)
    checkout_stores: dict[str, str] = field(default_factory=dict)  # token -> the slug of its store
    orders: dict[str, FakeOrder] = field(default_factory=dict)  # id -> order
    tokens: dict[str, Requestor] = field(default_factory=dict)  # bearer token -> the caller it stands for
    app_tokens: dict[str, VerifiedApp] = field(default_factory=dict)  # app token -> the app installed from us
    stores: dict[str, str] = field(default_factory=dict)  # the shop's Saleor channels: slug -> name

    def add_saleor_channel(self, slug: str, name: str) -> SaleorChannel:
        self.stores[slug] = name
        return SaleorChannel(slug=slug, name=name)

    def add_checkout(self, email: str = "", saleor_channel: str | None = None) -> str:
        token = str(uuid.uuid4())
        self.checkouts[token] = email
        if saleor_channel is not None:
            self.checkout_stores[token] = saleor_channel
        return token

    def place_order(
        self,
        checkout_token: str | None = None,
        email: str = "",
        *,
        funnel: bool = False,
        status: str = "unfulfilled",
        saleor_channel: str | None = None,
    ) -> str:
        """Complete a checkout (it disappears, its order keeps the token and the store), or add an order without one."""
        order_id = str(uuid.uuid4())
        if checkout_token is not None:
            email = self.checkouts.pop(checkout_token)
            saleor_channel = self.checkout_stores.pop(checkout_token, saleor_channel)
        self.orders[order_id] = FakeOrder(
            checkout_token, email, status=status, funnel=funnel, saleor_channel=saleor_channel
        )
        return order_id

    def clear(self) -> None:
        self.checkouts.clear()
        self.checkout_stores.clear()
        self.orders.clear()
        self.tokens.clear()
        self.app_tokens.clear()
        self.stores.clear()

    def _store(self, slug: str | None) -> SaleorChannel | None:
        return None if slug is None else SaleorChannel(slug=slug, name=self.stores.get(slug, slug))

    def _order_reference(self, order_id: str, order: FakeOrder) -> Reference:
        return Reference(
            checkout_token=order.checkout_token,
            order_id=order_id,
            email=order.email,
            saleor_channel=self._store(order.saleor_channel),
        )

    # --- the port -------------------------------------------------------------------------

    def checkout(self, token: str) -> Reference | None:
        if token in self.checkouts:
            return Reference(
                checkout_token=token,
                order_id=None,
                email=self.checkouts[token],
                saleor_channel=self._store(self.checkout_stores.get(token)),
            )
        for order_id, order in self.orders.items():
            if order.checkout_token == token:
                return self._order_reference(order_id, order)
        return None

    def order(self, order_id: str) -> Reference | None:
        order = self.orders.get(order_id)
        return None if order is None else self._order_reference(order_id, order)

    def saleor_channels(self) -> list[SaleorChannel]:
        return [SaleorChannel(slug=slug, name=name) for slug, name in sorted(self.stores.items())]

    def requestor(self, request: HttpRequest) -> Requestor:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return ANONYMOUS
        try:
            return self.tokens[header[len("Bearer ") :]]
        except KeyError:
            raise InvalidToken("Invalid token.") from None

    def dashboard_app(self, token: str) -> VerifiedApp | None:
        return self.app_tokens.get(token)

    def complete_funnel_order(self, order_id: str) -> bool:
        order = self.orders.get(order_id)
        if order is None:
            raise NotifyError(NotifyErrorCode.NOT_FOUND, "No such order.", "orderId")
        if order.status in NOT_PLACED:
            raise NotifyError(NotifyErrorCode.INVALID, "The order has not been placed.", "orderId")
        if not order.funnel:
            return False
        with transaction.atomic():
            recorded = recording.record_event(
                EventType.ORDER_COMPLETED,
                Source.FUNNEL,
                subject_type="order",
                subject_id=order_id,
                order_id=order_id,
                payload=payloads.order_completed_data({"id": order_id, "email": order.email}, trigger="thank_you"),
                idempotency_key=order_completed_key(order_id),
                saleor_channel=self._store(order.saleor_channel),
            )
            FunnelTimer.objects.filter(order_id=order_id, fired_at__isnull=True).update(fired_at=timezone.now())
        return recorded is not None


SHOP = FakeShop()


@contextmanager
def no_shop() -> Iterator[None]:
    """Within the block no shop is installed, as in a process outside Saleor."""
    shop.install(None)
    try:
        yield
    finally:
        shop.install(SHOP)
