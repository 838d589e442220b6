"""Anonymous storefront calls over HTTP: the survey is bound to its checkout or order, bounded per
purchase and per client; one request cannot carry more than Saleor's own API accepts; CORS."""

from __future__ import annotations

import json
import uuid

import pytest

from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import Delivery, RecordedEvent
from tests.builders import attach, postback_channel
from tests.graphql.operations import SURVEY_COMPLETE
from tests.security.conftest import token_for
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def survey_input(checkout: str, survey_id: str = "nps", **extra) -> dict:
    return {"input": {"surveyId": survey_id, "checkoutId": to_global_id("Checkout", checkout), **extra}}


def errors(response, field: str = "notificationSurveyComplete") -> list[str]:
    return [e["code"] for e in response.json()["data"][field]["errors"]]


def aliased_surveys(checkout: str, count: int, forged: bool = True) -> tuple[str, dict]:
    """``count`` survey mutations in one document, each under an alias (each naming a victim if ``forged``)."""
    fields = " ".join(
        f'a{i}: notificationSurveyComplete(input: {{surveyId: "survey-{i}", checkoutId: $c'
        + (f', email: "victim-{i}@example.com"' if forged else "")
        + "}) { recorded errors { code } }"
        for i in range(count)
    )
    return f"mutation($c: ID!) {{ {fields} }}", {"c": to_global_id("Checkout", checkout)}


@pytest.fixture
def surveys_to(receiver):
    """Three postback channels attached to Survey completed; returns their receiver paths."""
    run = uuid.uuid4().hex[:8]
    paths = [f"/survey-crm-{run}-{i}" for i in range(3)]
    for i, path in enumerate(paths):
        attach(EventType.SURVEY_COMPLETED, postback_channel(receiver.url(path), name=f"crm {i}"))
    return paths


def test_an_anonymous_survey_cannot_name_someone_elses_address(api, shop, surveys_to):
    """Before: any address was recorded and posted to every CRM. Now: the checkout's customer, or refused."""
    checkout = shop.add_checkout("ann@example.com")
    forged = api.post(SURVEY_COMPLETE, survey_input(checkout, email="victim@example.com"))
    assert errors(forged) == ["PERMISSION_DENIED"]
    assert not RecordedEvent.objects.exists()

    genuine = api.post(SURVEY_COMPLETE, survey_input(checkout))
    assert genuine.json()["data"]["notificationSurveyComplete"]["recorded"] is True
    assert RecordedEvent.objects.get().payload["email"] == "ann@example.com"


def test_an_unknown_checkout_is_no_proof(api, shop, surveys_to):
    """Before (without Saleor, and with it for any existing checkout): recorded. Now: refused, nothing stored."""
    response = api.post(SURVEY_COMPLETE, survey_input(str(uuid.uuid4()), email="a@example.com"))
    assert errors(response) == ["PERMISSION_DENIED"]
    assert not RecordedEvent.objects.exists()


def test_one_checkout_cannot_flood_the_postback_channels(api, shop, surveys_to, live, receiver, settings):
    """Before: 200 calls with one checkout gave 600 deliveries. Now: one event per survey and purchase,
    at most SURVEYS_PER_REFERENCE surveys per purchase; the rest is refused with LIMIT_REACHED."""
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "SURVEYS_PER_REFERENCE": 5}
    checkout = shop.add_checkout("ann@example.com")
    outcomes = []
    for i in range(20):
        response = api.post(SURVEY_COMPLETE, survey_input(checkout, survey_id=f"survey-{i % 8}"))
        payload = response.json()["data"]["notificationSurveyComplete"]
        outcomes.append("recorded" if payload["recorded"] else (errors(response) or ["again"])[0])
    assert outcomes.count("recorded") == 5
    assert set(outcomes) == {"recorded", "again", "LIMIT_REACHED"}
    assert RecordedEvent.objects.count() == 5
    wait_for(lambda: Delivery.objects.filter(status="SUCCESS").count() == 15, 20, what="15 deliveries")
    # Distinct (receiver, webhook-id): a delivery may arrive twice (at least once), never a 16th event.
    assert len({(p, r.headers["webhook-id"]) for p in surveys_to for r in receiver.received(p)}) == 15


def test_a_request_of_1335_aliased_surveys_is_refused_whole(api, shop, surveys_to):
    """Before: one 243 kB POST recorded 1,335 events. Now: more aliases than Saleor's limit (100): 400, nothing."""
    checkout = shop.add_checkout("ann@example.com")
    document, variables = aliased_surveys(checkout, 1335)
    assert 150_000 < len(document) < 250 * 1024  # the probe sent 243 kB; within the endpoint's body limit
    response = api.post(document, variables)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_LARGE"
    assert "aliases" in response.json()["errors"][0]["message"]
    assert not RecordedEvent.objects.exists()


def test_up_to_the_alias_limit_runs_and_the_cap_still_holds(api, shop, surveys_to, settings):
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "SURVEYS_PER_REFERENCE": 5}
    checkout = shop.add_checkout("ann@example.com")
    forged = api.post(*aliased_surveys(checkout, 100))
    assert forged.status_code == 200
    codes = [p["errors"][0]["code"] for p in forged.json()["data"].values()]
    assert codes == ["PERMISSION_DENIED"] * 100 and not RecordedEvent.objects.exists()

    owners = api.post(*aliased_surveys(checkout, 100, forged=False)).json()["data"].values()
    assert sum(p["recorded"] is True for p in owners) == 5
    assert sum([e["code"] for e in p["errors"]] == ["LIMIT_REACHED"] for p in owners) == 95
    assert RecordedEvent.objects.count() == 5


def test_an_expensive_query_is_refused_before_it_runs(api):
    """Before: no cost limit on the plugin's endpoint. Now: Saleor's limit (50000) or lower; 400, nothing run."""
    token = token_for("plugins-admin", Permission.MANAGE_PLUGINS)
    nested = "name"
    for _ in range(4):
        nested = f"events {{ channel {{ {nested} }} }}"
    document = f"{{ notificationChannels(first: 100) {{ edges {{ node {{ {nested} }} }} }} }}"
    response = api.post(document, token=token)
    assert response.status_code == 400
    assert "cost" in response.json()["errors"][0]["message"]
    ordinary = api.post("{ notificationChannels(first: 100) { edges { node { name events { sources } } } } }",
                        token=token)
    assert ordinary.status_code == 200 and "errors" not in ordinary.json()


def test_an_anonymous_client_is_rate_limited_per_mutation(api, shop, surveys_to, settings):
    """Before: unlimited. Now: ANONYMOUS_RATE_LIMIT mutations per client and window (aliases count), then 429."""
    settings.SALEOR_NOTIFY = {
        **settings.SALEOR_NOTIFY, "ANONYMOUS_RATE_LIMIT": 10, "CLIENT_IP_HEADER": "X-Forwarded-For",
        "SURVEYS_PER_REFERENCE": 100,
    }
    checkout = shop.add_checkout("ann@example.com")
    client = {"X-Forwarded-For": "203.0.113.7"}
    eight = "mutation { " + " ".join(
        f'a{i}: notificationSurveyComplete(input: {{surveyId: "s{i}", checkoutId: '
        f'"{to_global_id("Checkout", checkout)}"}}) {{ recorded }}' for i in range(8)
    ) + " }"
    assert api.post(eight, headers=client).status_code == 200
    assert api.post(SURVEY_COMPLETE, survey_input(checkout, "s8"), headers=client).status_code == 200
    assert api.post(SURVEY_COMPLETE, survey_input(checkout, "s9"), headers=client).status_code == 200
    refused = api.post(SURVEY_COMPLETE, survey_input(checkout, "s10"), headers=client)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert RecordedEvent.objects.count() == 10
    other = api.post(SURVEY_COMPLETE, survey_input(checkout, "s11"), headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 200 and RecordedEvent.objects.count() == 11


def test_a_browser_storefront_on_an_allowed_origin_gets_cors_headers(api, shop, surveys_to, settings):
    """Before: no CORS headers, so browsers refused the answer. Now: as Saleor's API (ALLOWED_GRAPHQL_ORIGINS)."""
    import requests

    settings.ALLOWED_GRAPHQL_ORIGINS = ["https://*.example.com"]
    origin = {"Origin": "https://shop.example.com"}
    preflight = requests.options(api.url, headers={**origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"}, timeout=5)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]

    checkout = shop.add_checkout("ann@example.com")
    answered = api.post(SURVEY_COMPLETE, survey_input(checkout), headers=origin)
    assert answered.json()["data"]["notificationSurveyComplete"]["recorded"] is True
    assert answered.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Origin" in answered.headers["Vary"]

    elsewhere = {"Origin": "https://attacker.test"}
    assert requests.options(api.url, headers=elsewhere, timeout=5).status_code == 400
    refused = api.post(SURVEY_COMPLETE, survey_input(checkout), headers=elsewhere)
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert json.loads(api.post("{ __typename }", headers=elsewhere).content)["data"] == {"__typename": "Query"}
