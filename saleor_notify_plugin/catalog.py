"""The event catalog: an AsyncAPI 3.0 document of the ten postbacks, built from the published schemas.

Nothing here is a second copy: each message's ``data`` is the event's JSON Schema from
``schemas/`` (their shared ``$defs`` hoisted into ``components/schemas``), the envelope around
it follows ``delivery/envelope.py``, the headers and the signature ``delivery/signing.py``, and
each example is the event's published example, wrapped and signed as a receiver would get it.

The document describes the shop (this plugin) as the application, so its operations ``send``:
AsyncAPI 3 writes every operation from the point of view of the application the document is
about, and this one is served by, and versioned with, the sender. A receiver's tooling reads a
peer's ``send`` as what it has to receive.
``python -m saleor_notify_plugin.catalog > docs/asyncapi.json`` writes the committed copy.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from . import __version__
from .delivery import envelope, signing
from .events import EventType, Source
from .payloads.schemas import SCHEMA_VERSION, load_example, load_schema

ASYNCAPI_VERSION = "3.0.0"
_DEFS = "#/$defs/"
_SCHEMAS = "#/components/schemas/"

#: The examples are signed with this made-up secret (no channel has it), so that a receiver's
#: verification can be tried on them.
EXAMPLE_SECRET = "whsec_ItS0mrG2v0hPeS63Zb5zQIjrjQeM7z75XcOh6M1xEW0="
EXAMPLE_OCCURRED_AT = datetime(2026, 11, 29, 14, 3, 11, 204512, tzinfo=UTC)
EXAMPLE_SENT_AT_S = int(EXAMPLE_OCCURRED_AT.timestamp()) + 1

_INFO = """\
The business events a Saleor shop with saleor-notify posts to the postback channels its owner
attaches to them: one JSON envelope per event (`id`, `event`, `version`, `timestamp`, `source`,
`data`), sent as an HTTP `POST` with `Content-Type: application/json` to the channel's URL.

* **Signed** per [Standard Webhooks](https://www.standardwebhooks.com): `webhook-id`,
  `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of
  `<webhook-id>.<webhook-timestamp>.<body>` keyed with the channel's `whsec_...` secret; two
  space-separated signatures for 24 hours after a secret rotation). Any Standard Webhooks
  library verifies them. The body is compact UTF-8 JSON with sorted keys; the examples are
  signed over that encoding of their payload with the made-up secret `{secret}`.
* **At least once**: a 408, 429 or 5xx answer, or a connection that failed before the request
  was sent, is retried automatically (at most 3 retries, `Retry-After` honoured). Every attempt,
  automatic or by hand, carries the same `id` and `webhook-id`: drop what you have already
  processed. No complete answer within the time limit (30 s unless the deployment sets another)
  fails the delivery without an automatic retry (the receiver may have processed it); a 3xx
  (redirects are not followed) or any other 4xx fails it at once. Answer 2xx quickly.
* **Versioned**: `version` is {version}; an incompatible change of `data` raises it. Fields may
  be added within a version: ignore the ones you do not know.

A test send (**Send test** on a channel's page) carries `event: "test"` and a `data` of its own;
it is not one of the events below.
"""


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (_SCHEMAS + value[len(_DEFS) :] if key == "$ref" and value.startswith(_DEFS) else _rewrite_refs(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _data_schema(event: EventType, shared: dict[str, Any]) -> dict[str, Any]:
    """The event's published schema as an AsyncAPI schema; its ``$defs`` go into ``shared``."""
    schema = load_schema(event)
    for name, definition in schema.get("$defs", {}).items():
        definition = _rewrite_refs(definition)
        if shared.setdefault(name, definition) != definition:
            raise ValueError(f"schemas/{event.payload_name}.json: $defs/{name} differs from another schema's")
    # $schema and $id belong to a standalone file; inside the document refs resolve against it.
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}
    return _rewrite_refs(body)


def _envelope_schema(event: EventType) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "event", "version", "timestamp", "source", "data"],
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^evt_[0-9a-f]{32}$",
                "description": "The event's id, also the `webhook-id` header: the same on every attempt.",
            },
            "event": {"type": "string", "const": event.payload_name},
            "version": {"type": "integer", "const": envelope.PAYLOAD_VERSION},
            "timestamp": {
                "type": "string",
                "format": "date-time",
                "description": "When the event happened in the shop (ISO 8601 with offset).",
            },
            "source": {
                "type": "string",
                "enum": [source.value.lower() for source in Source],
                "description": "Who the order, contact or subscription belongs to: admin, shop or funnel.",
            },
            "data": {"$ref": f"{_SCHEMAS}{event.payload_name}_data"},
        },
    }


def _funnel_reference(node: Any) -> bool:
    """Whether an example names a funnel (its order carries the funnel marker)."""
    if isinstance(node, dict):
        return bool(node.get("funnel_reference")) or any(_funnel_reference(v) for v in node.values())
    return isinstance(node, list) and any(_funnel_reference(v) for v in node)


def example_envelope(event: EventType) -> dict[str, Any]:
    """The event's published example as a receiver gets it."""
    data = load_example(event)
    return envelope.build_envelope(
        event_id=f"evt_{uuid.uuid5(uuid.NAMESPACE_URL, f'saleor-notify:{event.payload_name}').hex}",
        event=event.payload_name,
        source=(Source.FUNNEL if _funnel_reference(data) else Source.SHOP).value.lower(),
        occurred_at=EXAMPLE_OCCURRED_AT,
        data=data,
    )


def _example(event: EventType) -> dict[str, Any]:
    payload = example_envelope(event)
    headers = signing.webhook_headers([EXAMPLE_SECRET], payload["id"], EXAMPLE_SENT_AT_S, envelope.encode(payload))
    return {
        "name": f"{event.payload_name}_example",
        "summary": f"The published example of {event.label}, signed with the example secret.",
        "headers": headers,
        "payload": payload,
    }


def _first_sentence(text: str) -> str:
    return text.split(". ", 1)[0].rstrip(".") + "."


def _headers_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
        "properties": {
            "webhook-id": {
                "type": "string",
                "description": "The envelope's `id`: the same on every attempt; use it to drop duplicates.",
            },
            "webhook-timestamp": {
                "type": "string",
                "pattern": "^[0-9]+$",
                "description": "When this attempt was signed, in Unix seconds: reject one far from your clock.",
            },
            "webhook-signature": {
                "type": "string",
                "pattern": "^v1,[A-Za-z0-9+/]+=*( v1,[A-Za-z0-9+/]+=*)*$",
                "description": (
                    "`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` keyed "
                    "with the channel's secret (the base64 after `whsec_`); space-separated, one per "
                    "secret, while a rotated secret still signs."
                ),
            },
        },
    }


def build_catalog() -> dict[str, Any]:
    """The AsyncAPI document (a new dict each call)."""
    shared: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    data_schemas: dict[str, Any] = {}
    for event in EventType:
        name = event.payload_name
        data_schemas[f"{name}_data"] = _data_schema(event, shared)
        summary = _first_sentence(load_schema(event).get("description", event.label))
        messages[name] = {
            "name": name,
            "title": event.label,
            "summary": summary,
            "contentType": "application/json",
            "headers": {"$ref": f"{_SCHEMAS}webhook_headers"},
            "payload": _envelope_schema(event),
            "examples": [_example(event)],
        }
        channels[name] = {
            "address": None,
            "title": event.label,
            "summary": summary,
            "description": (
                f"Every `{name}` event, posted to each active postback channel attached to {event.label} "
                "whose sources include the event's source. All events go to the channel's one URL: "
                "tell them apart by the envelope's `event`."
            ),
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        retry = (
            "A failed delivery can also be retried by hand from the dashboard or the API (one attempt, same id)."
            if event.manual_retry
            else "No manual retry exists for this event."
        )
        operations[f"send_{name}"] = {
            "action": "send",
            "title": f"Send {event.label}",
            "summary": summary,
            "description": f"The shop posts the event to the receiver's URL. {retry}",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
            "security": [{"$ref": "#/components/securitySchemes/standard_webhooks"}],
            "bindings": {"http": {"method": "POST", "bindingVersion": "0.3.0"}},
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:saleor-notify:events",
        "info": {
            "title": "saleor-notify events",
            "version": __version__,
            "description": _INFO.format(secret=EXAMPLE_SECRET, version=SCHEMA_VERSION),
            "license": {"name": "BSD-3-Clause", "url": "https://opensource.org/license/bsd-3-clause"},
            "externalDocs": {"description": "Standard Webhooks", "url": "https://www.standardwebhooks.com"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "receiver": {
                "host": "{host}",
                "pathname": "/{path}",
                "protocol": "https",
                "title": "The receiver",
                "description": "A postback channel's URL, as the shop owner set it (https, or plain http).",
                "variables": {
                    "host": {"description": "The URL's host (and port)."},
                    "path": {"description": "The URL's path (and query)."},
                },
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {"webhook_headers": _headers_schema(), **dict(sorted(shared.items())), **data_schemas},
            "messages": messages,
            "securitySchemes": {
                "standard_webhooks": {
                    "type": "httpApiKey",
                    "name": "webhook-signature",
                    "in": "header",
                    "description": (
                        "Not a key to send but a signature to check: Standard Webhooks' HMAC-SHA256 "
                        "(see `webhook-signature`). The receiver holds the channel's `whsec_...` secret, "
                        "shown once when the channel is created or its secret rotated."
                    ),
                }
            },
        },
    }


@cache
def catalog_json() -> str:
    """The document as served and committed: indented, keys in build order, a final newline."""
    return json.dumps(build_catalog(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    print(catalog_json(), end="")


if __name__ == "__main__":
    main()
