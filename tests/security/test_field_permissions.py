"""The authorisation table, field by field: every field returning a channel's target, recipients
or a customer's personal data, for every kind of caller, over HTTP.

An operation the caller may not run is refused whole (tests/graphql/test_permissions.py); here
the caller may run it, and a field needing more comes back null with PERMISSION_DENIED at its
path, its value nowhere in the answer (as Saleor reports a field the caller may not see).
"""

from __future__ import annotations

import json
import uuid

import pytest

from saleor_notify_plugin import channels
from saleor_notify_plugin.events import EventType, Source
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.pipeline import fan_out, recording
from tests.browser.server import TOKENS
from tests.builders import attach
from tests.graphql.conftest import REQUESTORS
from tests.graphql.test_permissions import HOLDS

pytestmark = pytest.mark.django_db(transaction=True)

PLUGINS, ORDERS, USERS = Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS, Permission.MANAGE_USERS
KEY = "k3y-" + uuid.uuid4().hex
CONTACT = "ann.private@example.com"
RECIPIENT = "crm-inbox@example.com"

DELIVERIES = (
    "query($f: NotificationDeliveryFilterInput) { notificationDeliveries(filter: $f, first: 10) {"
    " edges { node { %s } } } }"
)
CHANNELS = "{ notificationChannels(first: 10) { edges { node { %s } } } }"
EVENTS = "{ notificationEvents { channels { channel { %s } } } }"
RETRY = "mutation($id: ID!) { notificationDeliveryRetry(id: $id) { delivery { %s } errors { code } } }"

#: name -> (document, selection, which delivery/filter, what the operation needs, what the field adds, leaked value)
FIELDS = {
    "deliveries.channel.url": (DELIVERIES, "channel { name url }", "postback", ORDERS, {PLUGINS}, KEY),
    "deliveries.channel.emails": (DELIVERIES, "channel { name emails }", "email", ORDERS, {PLUGINS}, RECIPIENT),
    "deliveries.channel.secretLastChars": (
        DELIVERIES, "channel { name secretLastChars }", "postback", ORDERS, {PLUGINS}, None
    ),
    "deliveries.payload (Contact created)": (DELIVERIES, "payload", "contact", ORDERS, {USERS}, CONTACT),
    "deliveries.event.subject.id (Contact created)": (
        DELIVERIES, "event { subject { type id } }", "contact", ORDERS, {USERS}, CONTACT
    ),
    "deliveries.payload (Order completed)": (DELIVERIES, "payload", "order", ORDERS, set(), None),
    "deliveryRetry.delivery.channel.url": (RETRY, "channel { name url }", "postback", ORDERS, {PLUGINS}, KEY),
    "channels.url": (CHANNELS, "name url", None, PLUGINS, set(), KEY),
    "channels.emails": (CHANNELS, "name emails", None, PLUGINS, set(), RECIPIENT),
    "events.channels.channel.url": (EVENTS, "name url", None, PLUGINS, set(), KEY),
}


@pytest.fixture
def world(receiver):
    """A postback whose URL holds a key, an e-mail channel, and failed deliveries of a contact and an order."""
    postback = channels.create_channel(name="crm", kind="POSTBACK", url=receiver.url(f"/gone?key={KEY}"))
    email = channels.create_channel(name="inbox", kind="EMAIL", emails=[RECIPIENT])
    attach(EventType.CONTACT_CREATED, postback)
    attach(EventType.ORDER_COMPLETED, postback)
    attach(EventType.ORDER_COMPLETED, email)
    order = str(uuid.uuid4())
    contact_event = recording.record_event(
        EventType.CONTACT_CREATED, Source.SHOP, subject_type="contact", subject_id=CONTACT,
        payload={"email": CONTACT}, idempotency_key=f"contact:{uuid.uuid4()}",
    )
    order_event = recording.record_event(
        EventType.ORDER_COMPLETED, Source.SHOP, subject_type="order", subject_id=order, order_id=order,
        payload={"number": "1001"}, idempotency_key=f"order:{uuid.uuid4()}",
    )
    fan_out.fan_out(contact_event)
    fan_out.fan_out(order_event)
    from saleor_notify_plugin.models import Delivery

    Delivery.objects.update(status="FAILED", failure_kind="http_404")
    return {
        "postback": Delivery.objects.get(channel=postback, event__event="ORDER_COMPLETED"),
        "email": Delivery.objects.get(channel=email),
        "contact": Delivery.objects.get(event__event="CONTACT_CREATED"),
        "order": Delivery.objects.get(channel=postback, event__event="ORDER_COMPLETED"),
        "events": {"contact": "CONTACT_CREATED", "order": "ORDER_COMPLETED"},
        "channels": {"postback": postback.pk, "email": email.pk},
    }


def variables(document: str, which: str | None, world: dict) -> dict:
    if which is None:
        return {}
    if document is RETRY:
        return {"id": to_global_id("NotificationDelivery", world[which].pk)}
    if which in world["channels"]:
        return {"f": {"channel": to_global_id("NotificationChannel", world["channels"][which])}}
    return {"f": {"events": [world["events"][which]]}}


def token(who: str) -> str | None:
    if who == "anonymous":
        return None
    TOKENS[f"field-table-{who}"] = REQUESTORS[who]
    return f"field-table-{who}"


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_a_field_is_null_and_denied_to_callers_without_its_permission(api, world, name, settings):
    """Each kind of caller: the field's value when it holds what the operation and the field need; else
    refused (operation) or null with PERMISSION_DENIED at the field's path, the value nowhere in the answer."""
    from saleor_notify_plugin.models import Delivery

    document, selection, which, operation_needs, field_needs, value = FIELDS[name]
    # The retries these calls queue go where no worker takes them: each caller finds the delivery
    # as the loop left it (failed), not delivered meanwhile by the session's worker.
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "QUEUE": f"saleor-notify-nobody-{uuid.uuid4().hex[:8]}"}
    for who in sorted(REQUESTORS):
        Delivery.objects.update(status="FAILED")  # the previous caller's retry made it pending
        response = api.post(document % selection, variables(document, which, world), token=token(who))
        body = response.json()
        text = json.dumps(body)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        runs = operation_needs in HOLDS[who]
        sees = runs and field_needs <= HOLDS[who]
        if not runs:
            assert "PERMISSION_DENIED" in text and (value is None or value not in text), (who, body)
        elif sees:
            assert "PERMISSION_DENIED" not in codes, (who, body)
            assert value is None or value in text, (who, body)
        else:
            assert "PERMISSION_DENIED" in codes, (who, body)
            assert value is None or value not in text, (who, body)
            denied = [e for e in body["errors"] if e.get("extensions", {}).get("code") == "PERMISSION_DENIED"]
            assert all(e["path"][-1] in selection for e in denied), (who, body)
            assert all(p.name in e["message"] for e in denied for p in field_needs), (who, body)
