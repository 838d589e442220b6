"""Who is calling and what they may do: a thin stand-in for Saleor's ``User`` and ``App``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Permission(enum.StrEnum):
    """The Saleor permissions this API checks (Saleor's codenames)."""

    MANAGE_PLUGINS = "plugins.manage_plugins"
    MANAGE_ORDERS = "order.manage_orders"
    MANAGE_USERS = "account.manage_users"  # customer data, as in Saleor


class RequestorKind(enum.StrEnum):
    USER = "user"  # a Saleor user: staff (is_staff) or a customer
    APP = "app"  # a Saleor app, by its token
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Requestor:
    """The caller, reduced to what the API decides on.

    ``permissions`` holds what Saleor granted (the bridge asks Saleor's own ``has_perm``,
    superusers included); the rules Saleor applies on top are checked again here: only
    active staff users and active apps hold permissions.
    """

    kind: RequestorKind
    is_active: bool = True
    is_staff: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)
    label: str = "anonymous"  # for logs: "user:12", "app:3"; never a token

    def has_perm(self, perm: Permission | str) -> bool:
        if self.kind is RequestorKind.ANONYMOUS or not self.is_active:
            return False
        if self.kind is RequestorKind.USER and not self.is_staff:
            return False
        return str(perm) in self.permissions


ANONYMOUS = Requestor(RequestorKind.ANONYMOUS)


class InvalidToken(Exception):
    """The caller sent a token that is expired, forged or unknown (not the same as no token)."""


@dataclass(frozen=True, slots=True)
class Context:
    """``info.context`` of every resolver."""

    requestor: Requestor
    request: Any = None
