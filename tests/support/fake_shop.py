"""The shop behind the port (``saleor_notify_plugin.shop.Shop``) for the tests: Saleor's rules, in memory.

It keeps the rules of Saleor that the core depends on: a checkout has a token and maybe an
e-mail address (a user's, or one typed in); placing the order removes the checkout, and the
order keeps the checkout's token; an order has its own id and a status (a draft is not
placed); an unknown checkout or order is unknown. A caller is known by a bearer token the
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
from saleor_notify_plugin.pipeline import recording
from saleor_notify_plugin.shop import Reference, VerifiedApp


@dataclass
class FakeOrder:
    checkout_token: str | None
    email: str
    status: str = "unfulfilled"  # Saleor's OrderStatus; "draft" and "expired" are not placed
    funnel: bool = False  # the order carries the funnel marker


@dataclass
class FakeShop:
    checkouts: dict[str, str] = field(default_factory=dict)  # token -> e-mail ("" if none)
    orders: dict[str, FakeOrder] = field(default_factory=dict)  # id -> order
    tokens: dict[str, Requestor] = field(default_factory=dict)  # bearer token -> the caller it stands for
    app_tokens: dict[str, VerifiedApp] = field(default_factory=dict)  # app token -> the app installed from us

    def add_checkout(self, email: str = "") -> str:
        token = str(uuid.uuid4())
        self.checkouts[token] = email
        return token

    def place_order(
        self, checkout_token: str | None = None, email: str = "", *, funnel: bool = False, status: str = "unfulfilled"
    ) -> str:
        """Complete a checkout (it disappears, its order keeps the token), or add an order without one."""
        order_id = str(uuid.uuid4())
        if checkout_token is not None:
            email = self.checkouts.pop(checkout_token)
        self.orders[order_id] = FakeOrder(checkout_token, email, status=status, funnel=funnel)
        return order_id

    def clear(self) -> None:
        self.checkouts.clear()
        self.orders.clear()
        self.tokens.clear()
        self.app_tokens.clear()

    # --- the port -------------------------------------------------------------------------

    def checkout(self, token: str) -> Reference | None:
        if token in self.checkouts:
            return Reference(checkout_token=token, order_id=None, email=self.checkouts[token])
        for order_id, order in self.orders.items():
            if order.checkout_token == token:
                return Reference(checkout_token=token, order_id=order_id, email=order.email)
        return None

    def order(self, order_id: str) -> Reference | None:
        order = self.orders.get(order_id)
        if order is None:
            return None
        return Reference(checkout_token=order.checkout_token, order_id=order_id, email=order.email)

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
