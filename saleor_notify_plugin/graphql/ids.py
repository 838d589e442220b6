"""Relay global IDs of our types, and Saleor's global IDs of orders and checkouts."""

from __future__ import annotations

import base64
import binascii
import uuid

from ..errors import NotifyError, NotifyErrorCode

MAX_ID_LENGTH = 200
_MAX_PK = 2**63 - 1


def to_global_id(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def _split(global_id: object, field: str) -> tuple[str, str]:
    if not isinstance(global_id, str) or not global_id or len(global_id) > MAX_ID_LENGTH:
        raise NotifyError(NotifyErrorCode.INVALID, "Invalid ID.", field)
    try:
        raw = base64.b64decode(global_id + "=" * (-len(global_id) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise NotifyError(
            NotifyErrorCode.INVALID, f"Couldn't resolve ID {global_id[:40]!r}: not a global ID.", field
        ) from None
    type_name, sep, value = raw.partition(":")
    if not sep or not value:
        raise NotifyError(NotifyErrorCode.INVALID, f"Couldn't resolve ID {global_id[:40]!r}: not a global ID.", field)
    return type_name, value


def from_global_id(global_id: object, expected_type: str, field: str = "id") -> int:
    """The primary key behind one of our IDs, or a NotifyError(INVALID) naming ``field``."""
    type_name, value = _split(global_id, field)
    if type_name != expected_type:
        raise NotifyError(NotifyErrorCode.INVALID, f"Must receive a {expected_type} ID (got {type_name[:40]}).", field)
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= _MAX_PK:
        raise NotifyError(NotifyErrorCode.INVALID, f"Couldn't resolve ID: malformed {expected_type} ID.", field)
    return int(value)


def saleor_uuid(global_id: object, expected_type: str, field: str) -> str:
    """The UUID behind a Saleor global ID (``Order:<uuid>``, ``Checkout:<token>``), as a string."""
    type_name, value = _split(global_id, field)
    if type_name != expected_type:
        raise NotifyError(
            NotifyErrorCode.INVALID, f"Must receive a Saleor {expected_type} ID (got {type_name[:40]}).", field
        )
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotifyError(
            NotifyErrorCode.INVALID, f"Couldn't resolve ID: malformed {expected_type} ID.", field
        ) from None


def saleor_order_id(uuid_str: str) -> str:
    """Saleor's global ID of an order, from the order UUID the plugin stores."""
    return to_global_id("Order", uuid_str)
