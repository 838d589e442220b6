"""The JSON envelope every notification carries, serialised the same way on every attempt."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

#: Bumped when a payload changes incompatibly; receivers can branch on it.
PAYLOAD_VERSION = 1


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    # Decimal and anything else with a faithful string form (amounts stay exact).
    return str(value)


def build_envelope(
    *, event_id: str, event: str, source: str, occurred_at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": event_id,
        "event": event,
        "version": PAYLOAD_VERSION,
        "timestamp": occurred_at.isoformat(),
        "source": source,
        "data": data,
    }


def encode(envelope: dict[str, Any]) -> bytes:
    """Compact, key-ordered UTF-8 JSON: identical bytes for identical envelopes."""
    return json.dumps(envelope, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
