"""A stand-in for Saleor's checkouts and orders behind ``references.ReferenceLookup``.

It keeps Saleor's rules that the proof depends on: a checkout has a token and maybe an e-mail
address (a user's, or one typed in); placing the order removes the checkout, and the order
keeps the checkout's token; an order has its own id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from saleor_notify_plugin.references import Reference


@dataclass
class FakeShop:
    checkouts: dict[str, str] = field(default_factory=dict)  # token -> e-mail ("" if none)
    orders: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # id -> (checkout token, e-mail)

    def add_checkout(self, email: str = "") -> str:
        token = str(uuid.uuid4())
        self.checkouts[token] = email
        return token

    def place_order(self, checkout_token: str | None = None, email: str = "") -> str:
        """Complete a checkout (it disappears, its order keeps the token), or add an order without one."""
        order_id = str(uuid.uuid4())
        if checkout_token is not None:
            email = self.checkouts.pop(checkout_token)
        self.orders[order_id] = (checkout_token, email)
        return order_id

    def clear(self) -> None:
        self.checkouts.clear()
        self.orders.clear()


SHOP = FakeShop()


class FakeReferences:
    def checkout(self, token: str) -> Reference | None:
        if token in SHOP.checkouts:
            return Reference(checkout_token=token, order_id=None, email=SHOP.checkouts[token])
        for order_id, (checkout_token, email) in SHOP.orders.items():
            if checkout_token == token:
                return Reference(checkout_token=token, order_id=order_id, email=email)
        return None

    def order(self, order_id: str) -> Reference | None:
        if order_id not in SHOP.orders:
            return None
        checkout_token, email = SHOP.orders[order_id]
        return Reference(checkout_token=checkout_token, order_id=order_id, email=email)
