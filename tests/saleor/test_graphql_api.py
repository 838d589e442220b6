"""The plugin's GraphQL endpoint inside Saleor: its URL routing, its authentication, the
permission table of docs/graphql.md, and the channel secret shown only when it is made."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import graphene
import jwt
import pytest

from saleor_notify_plugin.graphql.ids import to_global_id

from .fixtures import configure
from .fixtures_api import CALLERS, call, notify_client

pytestmark = pytest.mark.django_db

EVENTS = "{ notificationEvents { type isEnabled } }"
DELIVERIES = "{ notificationDeliveries(first: 5) { edges { node { id } } } }"
CHANNEL_CREATE = """
mutation($name: String!) {
  notificationChannelCreate(input: {name: $name, kind: POSTBACK, url: "https://crm.example.com/hooks/saleor"}) {
    channel { id name secretLastChars } secret errors { field code message } } }
"""
DELIVERY_RETRY = "mutation($id: ID!) { notificationDeliveryRetry(id: $id) { delivery { id } errors { code } } }"
SURVEY = """
mutation($email: String, $checkout: ID) {
  notificationSurveyComplete(input: {surveyId: "nps", email: $email, answers: "{\\"score\\": 9}",
                                     source: FUNNEL, checkoutId: $checkout}) {
    recorded errors { field code message } } }
"""

#: docs/graphql.md, "As tested": which permission class each caller is allowed.
TABLE = {
    #  caller: (MANAGE_PLUGINS operations, MANAGE_ORDERS operations, storefront without proof)
    "anonymous": (False, False, False),
    "customer_with_both": (False, False, False),
    "staff_without_perm": (False, False, False),
    "staff_manage_plugins": (True, False, False),
    "staff_manage_orders": (False, True, True),
    "app_manage_plugins": (True, False, False),
    "app_manage_orders": (False, True, True),
    "inactive_app_with_both": (False, False, False),
}
assert set(TABLE) == set(CALLERS)


@pytest.mark.parametrize("caller", CALLERS)
def test_permission_table_through_saleors_authentication(caller, notify_callers, checkout):
    """Each caller, authenticated by Saleor (JWT or app token), gets exactly its column of the
    table for a query and a mutation of each permission class, and the storefront mutation
    with and without proof."""
    from saleor_notify_plugin.events import EventType
    from saleor_notify_plugin.models import RecordedEvent

    manage_plugins, manage_orders, no_proof = TABLE[caller]
    client = notify_callers(caller)

    # MANAGE_PLUGINS: a query (top-level PERMISSION_DENIED, data null) and a mutation (errors list).
    events = call(client, EVENTS)
    assert events.status == 200, events.text
    if manage_plugins:
        assert "errors" not in events.body and len(events.data("notificationEvents")) == len(EventType)
    else:
        assert events.data("notificationEvents") is None and events.top_codes == ["PERMISSION_DENIED"]
    created = call(client, CHANNEL_CREATE, {"name": f"CRM of {caller}"})
    if manage_plugins:
        assert created.error_codes("notificationChannelCreate") == [], created.text
        assert created.data("notificationChannelCreate")["secret"].startswith("whsec_")
    else:
        assert created.error_codes("notificationChannelCreate") == ["PERMISSION_DENIED"]
        assert created.data("notificationChannelCreate")["channel"] is None
        assert created.data("notificationChannelCreate")["secret"] is None

    # MANAGE_ORDERS: the delivery log and a manual retry (an unknown delivery: NOT_FOUND once allowed).
    deliveries = call(client, DELIVERIES)
    if manage_orders:
        assert "errors" not in deliveries.body and deliveries.data("notificationDeliveries") == {"edges": []}
    else:
        assert deliveries.data("notificationDeliveries") is None and deliveries.top_codes == ["PERMISSION_DENIED"]
    retry = call(client, DELIVERY_RETRY, {"id": to_global_id("NotificationDelivery", 987654)})
    assert retry.error_codes("notificationDeliveryRetry") == (["NOT_FOUND"] if manage_orders else ["PERMISSION_DENIED"])

    # Storefront: with the checkout's ID anyone may report (as its customer); without it only MANAGE_ORDERS.
    checkout_id = graphene.Node.to_global_id("Checkout", checkout.token)
    proof = call(client, SURVEY, {"email": checkout.email, "checkout": checkout_id})
    assert proof.data("notificationSurveyComplete") == {"recorded": True, "errors": []}, proof.text
    bare = call(client, SURVEY, {"email": "bob@example.com"})
    if no_proof:
        assert bare.data("notificationSurveyComplete") == {"recorded": True, "errors": []}, bare.text
    else:
        assert bare.error_codes("notificationSurveyComplete") == ["REQUIRED"]
        assert bare.data("notificationSurveyComplete")["recorded"] is None

    # A made-up checkout ID is no proof: Saleor has no such checkout (nor an order made from it).
    made_up = graphene.Node.to_global_id("Checkout", str(uuid.uuid4()))
    forged = call(client, SURVEY, {"email": "eve@example.com", "checkout": made_up})
    if no_proof:
        assert forged.data("notificationSurveyComplete") == {"recorded": True, "errors": []}, forged.text
    else:
        assert forged.error_codes("notificationSurveyComplete") == ["PERMISSION_DENIED"]

    surveys = RecordedEvent.objects.filter(event=EventType.SURVEY_COMPLETED.value)
    assert surveys.count() == (3 if no_proof else 1)
    assert all(row.source == "FUNNEL" for row in surveys)


def _expired_jwt(user) -> str:
    from saleor.core.jwt import JWT_ACCESS_TYPE, jwt_encode, jwt_user_payload

    return jwt_encode(jwt_user_payload(user, JWT_ACCESS_TYPE, exp_delta=timedelta(seconds=-60)))


def _forged_jwt(user) -> str:
    """A token Saleor signed for ``user``, its payload rewritten (the signature no longer matches)."""
    from saleor.core.jwt import create_access_token

    token = create_access_token(user)
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["email"] = "someone-else@example.com"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return ".".join((header, forged_payload, signature))


def _self_signed_jwt(user) -> str:
    """Saleor's claims, signed with a key of the caller's choosing."""
    from saleor.core.jwt import JWT_ACCESS_TYPE, jwt_user_payload

    claims = jwt_user_payload(user, JWT_ACCESS_TYPE, exp_delta=timedelta(minutes=5))
    return jwt.encode(claims, "not-saleors-key-" * 4, algorithm="HS256")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # Saleor's HS256 fallback key
@pytest.mark.parametrize(
    ("token_kind", "header"),
    [
        ("expired", "JWT"),
        ("forged", "Bearer"),
        ("self_signed", "JWT"),
        ("unknown_app_token", "Bearer"),
        ("inactive_staff", "JWT"),
    ],
)
def test_tokens_saleor_refuses_are_401_invalid_token(
    token_kind, header, notify, staff_user, permission_manage_orders, checkout
):
    """Expired, forged or unknown tokens: 401 INVALID_TOKEN for every operation, even the
    storefront mutation with its proof (a caller with a bad token is not anonymous)."""
    from saleor.core.jwt import create_access_token

    staff_user.user_permissions.add(permission_manage_orders)
    tokens = {
        "expired": lambda: _expired_jwt(staff_user),
        "forged": lambda: _forged_jwt(staff_user),
        "self_signed": lambda: _self_signed_jwt(staff_user),
        "unknown_app_token": lambda: "x" * 30,
    }
    if token_kind == "inactive_staff":
        token = create_access_token(staff_user)
        staff_user.is_active = False
        staff_user.save(update_fields=["is_active"])
    else:
        token = tokens[token_kind]()
    client = notify_client()
    checkout_id = graphene.Node.to_global_id("Checkout", checkout.token)
    for query, variables in [(DELIVERIES, None), (SURVEY, {"email": "ann@example.com", "checkout": checkout_id})]:
        answer = call(client, query, variables, HTTP_AUTHORIZATION=f"{header} {token}")
        assert answer.status == 401, answer.text
        assert answer.top_codes == ["INVALID_TOKEN"] and "data" not in answer.body
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_routing_needs_the_plugin_active_and_post(notify, staff_user, permission_manage_plugins):
    """Saleor's plugin URL answers 404 while the plugin is inactive; GET is 405 with help."""
    staff_user.user_permissions.add(permission_manage_plugins)
    client = notify_client(user=staff_user)
    got = client.get(client.api_path)
    assert got.status_code == 405 and got["Allow"] == "OPTIONS, POST"
    assert got.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert call(client, EVENTS).status == 200

    configure(active=False)
    assert client.post_graphql(EVENTS).status_code == 404
    configure(active=True)
    assert call(client, EVENTS).status == 200


CHANNEL_FIELDS = "id name url isActive secretLastChars events { id sources }"
EVERY_READ = f"""
{{
  notificationChannels(first: 10) {{ edges {{ node {{ {CHANNEL_FIELDS} }} }} }}
  notificationEvents {{ type channels {{ id sources channel {{ {CHANNEL_FIELDS} }} }} }}
}}
"""


def test_the_full_secret_is_shown_only_by_create_and_rotate(
    notify, staff_api_client, permission_manage_plugins, caplog
):
    """The whsec_ secret appears in full in the create and rotate responses only: never in
    reads, updates, attachments, Saleor's plugin configuration, or the logs."""
    caplog.set_level(logging.DEBUG)
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    client = notify_client(user=staff_api_client.user)

    created = call(client, CHANNEL_CREATE, {"name": "CRM"})
    first = created.data("notificationChannelCreate")["secret"]
    channel = created.data("notificationChannelCreate")["channel"]
    assert first.startswith("whsec_") and len(first) > 20
    assert channel["secretLastChars"] == first[-4:]
    channel_id = channel["id"]

    other_responses = []
    single = f"query($id: ID!) {{ notificationChannel(id: $id) {{ {CHANNEL_FIELDS} }} }}"
    other_responses.append(call(client, single, {"id": channel_id}))
    other_responses.append(
        call(
            client,
            f'mutation($id: ID!) {{ notificationChannelUpdate(id: $id, input: {{name: "CRM 2"}}) {{ '
            f"channel {{ {CHANNEL_FIELDS} }} errors {{ code }} }} }}",
            {"id": channel_id},
        )
    )
    attach = call(
        client,
        "mutation($id: ID!) { notificationEventChannelAttach(event: ORDER_COMPLETED, channelId: $id, "
        f"sources: [SHOP, FUNNEL]) {{ eventChannel {{ id sources channel {{ {CHANNEL_FIELDS} }} }} "
        "errors { code } } }",
        {"id": channel_id},
    )
    assert attach.error_codes("notificationEventChannelAttach") == [], attach.text
    other_responses.append(attach)
    other_responses.append(call(client, EVERY_READ))

    rotated = call(
        client,
        f"mutation($id: ID!) {{ notificationChannelRotateSecret(id: $id) {{ secret channel {{ {CHANNEL_FIELDS} }} "
        "errors { code } } }",
        {"id": channel_id},
    )
    second = rotated.data("notificationChannelRotateSecret")["secret"]
    assert second.startswith("whsec_") and second != first
    assert rotated.data("notificationChannelRotateSecret")["channel"]["secretLastChars"] == second[-4:]
    assert first not in rotated.text  # the previous secret still signs, but is not shown again
    other_responses.append(call(client, EVERY_READ))
    other_responses.append(call(client, single, {"id": channel_id}))

    plugin_config = staff_api_client.post_graphql(
        '{ plugin(id: "saleor.notify") { globalConfiguration { configuration { name value } } } }'
    )
    assert plugin_config.status_code == 200
    texts = [a.text for a in other_responses] + [plugin_config.content.decode()]
    assert all(a.status == 200 and "errors" not in a.body for a in other_responses), [a.text for a in other_responses]
    assert "CRM 2" in texts[-2]
    for text in texts:
        assert first not in text and second not in text
        assert first[:-4] not in text and second[:-4] not in text
    assert first not in caplog.text and second not in caplog.text


def test_a_token_saleor_issued_to_an_app_for_a_user_holds_only_what_both_hold(
    notify, staff_user, app, permission_manage_plugins, permission_manage_orders
):
    """A staff JWT grants the user's permissions; the token Saleor issues to an app acting for
    that user (``create_access_token_for_app``) grants only those the app holds too."""
    from saleor.core.jwt import create_access_token_for_app

    staff_user.user_permissions.add(permission_manage_plugins, permission_manage_orders)
    app.permissions.add(permission_manage_orders)
    own = notify_client(user=staff_user)
    assert "errors" not in call(own, EVENTS).body
    assert "errors" not in call(own, DELIVERIES).body

    delegated = notify_client()
    header = {"HTTP_AUTHORIZATION": f"Bearer {create_access_token_for_app(app, staff_user)}"}
    events = call(delegated, EVENTS, **header)
    assert events.status == 200 and events.top_codes == ["PERMISSION_DENIED"]
    deliveries = call(delegated, DELIVERIES, **header)
    assert deliveries.status == 200 and "errors" not in deliveries.body, deliveries.text
