"""The event catalog (AsyncAPI 3.0): one channel, send operation and message per event, whose
payload is what a receiver gets and whose examples are signed as postbacks are."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import jsonschema
import pytest

from saleor_notify_plugin import catalog, payloads
from saleor_notify_plugin.delivery import envelope
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.models import RecordedEvent
from saleor_notify_plugin.pipeline import send

DOC = catalog.build_catalog()
NAMES = [event.payload_name for event in EventType]


def message_validator(name: str) -> jsonschema.Draft202012Validator:
    """The message's payload schema, its references resolved inside the document."""
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/components/messages/{name}/payload", "components": DOC["components"]}
    )


def test_one_channel_one_send_operation_and_one_message_per_event():
    assert list(DOC["channels"]) == NAMES
    assert list(DOC["components"]["messages"]) == NAMES
    operations = list(DOC["operations"].values())
    assert [op["action"] for op in operations] == ["send"] * 10
    assert [op["channel"]["$ref"] for op in operations] == [f"#/channels/{name}" for name in NAMES]
    assert [op["messages"] for op in operations] == [[{"$ref": f"#/channels/{n}/messages/{n}"}] for n in NAMES]
    labels = {message["title"] for message in DOC["components"]["messages"].values()}
    assert labels == {event.label for event in EventType}


@pytest.mark.parametrize("event", list(EventType), ids=lambda e: e.payload_name)
def test_what_a_receiver_gets_matches_the_events_message(event):
    """The envelope the pipeline sends, from any source, is valid; another event's or an incomplete one is not."""
    validator = message_validator(event.payload_name)
    recorded = RecordedEvent(
        event=event.value, source=Source.SHOP.value, payload=payloads.load_example(event),
        occurred_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
    for source in Source:
        recorded.source = source.value
        validator.validate(json.loads(envelope.encode(send.event_envelope(recorded))))

    sent = json.loads(envelope.encode(send.event_envelope(recorded)))
    other = next(e for e in EventType if e is not event)
    assert not validator.is_valid({**sent, "event": other.payload_name})
    assert not validator.is_valid({**sent, "id": "not-an-event-id"})
    first_required = payloads.load_schema(event)["required"][0]
    incomplete = {k: v for k, v in sent["data"].items() if k != first_required}
    assert not validator.is_valid({**sent, "data": incomplete})


def test_the_data_schemas_are_the_published_ones():
    """Only the references move (the shared $defs into components/schemas); nothing else differs."""
    schemas = DOC["components"]["schemas"]
    for event in EventType:
        published = json.dumps(payloads.load_schema(event)).replace('"#/$defs/', '"#/components/schemas/')
        published_schema = json.loads(published)
        assert schemas[f"{event.payload_name}_data"] == {
            k: v for k, v in published_schema.items() if k not in ("$schema", "$id", "$defs")
        }
        for name, definition in published_schema.get("$defs", {}).items():
            assert schemas[name] == definition


@pytest.mark.parametrize("event", list(EventType), ids=lambda e: e.payload_name)
def test_each_example_is_the_published_one_signed_as_standard_webhooks_says(event):
    (example,) = DOC["components"]["messages"][event.payload_name]["examples"]
    payload, headers = example["payload"], example["headers"]
    assert payload["data"] == payloads.load_example(event)
    assert message_validator(event.payload_name).is_valid(payload)
    assert headers["webhook-id"] == payload["id"]
    # The signature, computed as the Standard Webhooks specification describes it, over the bytes sent.
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    key = base64.b64decode(catalog.EXAMPLE_SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == expected
    assert jsonschema.Draft202012Validator(DOC["components"]["schemas"]["webhook_headers"]).is_valid(headers)


def test_manual_retry_is_said_only_where_it_exists():
    for event in EventType:
        description = DOC["operations"][f"send_{event.payload_name}"]["description"]
        assert ("retried by hand" in description) is event.manual_retry
