"""Relay connections with keyset cursors: stable under inserts, no OFFSET scans of the log."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict

import graphene
from django.db.models import Model, Q, QuerySet
from graphql import GraphQLError

from ..errors import NotifyErrorCode

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageArgs(TypedDict, total=False):
    """A connection field's arguments, as a resolver receives them."""

    first: int | None
    after: str | None
    last: int | None
    before: str | None


def _bad(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": NotifyErrorCode.INVALID.value})


def _key_value(obj: Model, field: str) -> Any:
    value = getattr(obj, field)
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(obj: Model, keys: Sequence[str]) -> str:
    values = [_key_value(obj, k.lstrip("-")) for k in keys]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: object, keys: Sequence[str], name: str) -> list[Any]:
    try:
        if not isinstance(cursor, str) or len(cursor) > 200:
            raise ValueError
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        decoded: list[datetime | int] = []
        for key, value in zip(keys, values, strict=True):
            if key.lstrip("-").endswith("_at"):
                decoded.append(datetime.fromisoformat(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                decoded.append(value)
            else:
                raise ValueError
        return decoded
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad(f"Invalid cursor in '{name}'.") from None


def _beyond(keys: Sequence[str], values: list[Any], forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the cursor, in the order given by ``keys``."""
    condition = Q()
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        name = key.lstrip("-")
        descending = key.startswith("-")
        lookup = "lt" if descending == forward else "gt"
        condition |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    return condition


def _size(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if value < 0 or value > MAX_PAGE_SIZE:
        raise _bad(f"'{name}' must be between 0 and {MAX_PAGE_SIZE}.")
    return value


def paginate[C: graphene.relay.Connection](
    queryset: QuerySet[Any],
    connection_type: type[C],
    keys: Sequence[str],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> C:
    """One page of ``queryset`` ordered by ``keys`` (unique together; "-" for descending)."""
    first, last = _size(first, "first"), _size(last, "last")
    if first is not None and last is not None:
        raise _bad("Use 'first' or 'last', not both.")
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    queryset = queryset.order_by(*keys)
    if after is not None:
        queryset = queryset.filter(_beyond(keys, _decode_cursor(after, keys, "after"), forward=True))
    if before is not None:
        queryset = queryset.filter(_beyond(keys, _decode_cursor(before, keys, "before"), forward=False))
    if first is not None:
        rows = list(queryset[: first + 1])
        has_more = len(rows) > first
        rows = rows[:first]
        has_next, has_previous = has_more, after is not None
    else:
        assert last is not None
        reversed_keys = [k[1:] if k.startswith("-") else f"-{k}" for k in keys]
        rows = list(queryset.order_by(*reversed_keys)[: last + 1])
        has_more = len(rows) > last
        rows = list(reversed(rows[:last]))
        has_next, has_previous = before is not None, has_more
    edges = [connection_type.Edge(node=row, cursor=encode_cursor(row, keys)) for row in rows]
    page_info = graphene.relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return connection_type(edges=edges, page_info=page_info)
