"""The published JSON Schemas and examples of every event's payload (package data)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..events import EventType

#: The ``data`` shapes' version; the envelope's ``version`` field (PAYLOAD_VERSION) tracks it.
SCHEMA_VERSION = 1


def _name(event: EventType | str) -> str:
    return EventType(str(getattr(event, "value", event)).upper()).payload_name


@cache
def load_schema(event: EventType | str) -> dict[str, Any]:
    text = resources.files("saleor_notify_plugin").joinpath("schemas", f"{_name(event)}.json").read_text()
    return json.loads(text)


def load_example(event: EventType | str) -> dict[str, Any]:
    path = resources.files("saleor_notify_plugin").joinpath("schemas", "examples", f"{_name(event)}.json")
    return json.loads(path.read_text())


def validate(event: EventType | str, data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``data`` does not match the event's schema.

    The payload is round-tripped through JSON first, as a receiver sees it.
    """
    import jsonschema

    from ..delivery.envelope import _default

    jsonschema.validate(json.loads(json.dumps(data, default=_default)), load_schema(event))
