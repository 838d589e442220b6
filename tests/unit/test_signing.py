"""Postbacks are verifiable with any Standard Webhooks library."""

import json
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from saleor_notify_plugin.delivery import envelope, signing


def test_signature_verifies_with_the_reference_library():
    secret = signing.generate_secret()
    body = envelope.encode({"id": "evt_1", "event": "order_completed", "data": {"total": "1.00"}})
    headers = signing.webhook_headers([secret], "evt_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers)["event"] == "order_completed"


def test_a_changed_body_fails_verification():
    secret = signing.generate_secret()
    headers = signing.webhook_headers([secret], "evt_1", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)


def test_during_rotation_both_old_and_new_secret_verify():
    old, new = signing.generate_secret(), signing.generate_secret()
    body = b"{}"
    headers = signing.webhook_headers([new, old], "evt_2", int(time.time()), body)
    assert Webhook(old).verify(body, headers) == {}
    assert Webhook(new).verify(body, headers) == {}


def test_secrets_are_unique_and_in_whsec_form():
    secrets_ = {signing.generate_secret() for _ in range(100)}
    assert len(secrets_) == 100
    assert all(s.startswith("whsec_") and len(s) > 40 for s in secrets_)


def test_envelope_bytes_are_stable():
    """The same envelope encodes to the same bytes (retries send identical bodies)."""
    data = {"b": 1, "a": [1, 2], "amount": "10.50"}
    assert envelope.encode(data) == envelope.encode(dict(reversed(list(data.items()))))
    assert json.loads(envelope.encode(data)) == data
