"""The storefront mutations (survey, funnel thank-you page) and the subscription cancellation."""

import importlib.util
import json
import uuid

import pytest

from saleor_notify_plugin import channels
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import ANONYMOUS
from saleor_notify_plugin.inbound import MAX_ANSWERS_BYTES
from saleor_notify_plugin.models import NotificationEvent
from tests.graphql.operations import FUNNEL_COMPLETED, SUBSCRIPTION_CANCEL, SURVEY_COMPLETE

pytestmark = pytest.mark.django_db

SALEOR_MISSING = importlib.util.find_spec("saleor") is None
CHECKOUT = to_global_id("Checkout", "6f1c3a52-1d0e-4a53-9a54-1f6f2b0e7c11")
ORDER_UUID = "0b8e7a8e-57a4-4b2e-9b4c-0d9b3b6f1e21"
ORDER = to_global_id("Order", ORDER_UUID)


@pytest.fixture
def surveys_on():
    channels.set_event_enabled("SURVEY_COMPLETED", True)


def survey(gql, requestor=ANONYMOUS, **input_):
    values = {"surveyId": "nps-2024", "email": "Ann@Example.com", "checkoutId": CHECKOUT, **input_}
    return gql(SURVEY_COMPLETE, {"input": {k: v for k, v in values.items() if v is not None}}, requestor)


def test_survey_is_recorded_once_for_an_anonymous_caller_with_a_checkout(gql, surveys_on):
    answers = {"score": 9, "comment": "Fast delivery"}
    first = survey(gql, answers=json.dumps(answers), source="FUNNEL")
    assert first.result("notificationSurveyComplete")["recorded"] is True
    event = NotificationEvent.objects.get()
    assert (event.event, event.source, event.subject_type, event.subject_id) == (
        "SURVEY_COMPLETED", "FUNNEL", "survey", "nps-2024"
    )
    assert event.payload["answers"] == answers and event.payload["checkout_token"] in CHECKOUT_TOKEN_FORMS

    again = survey(gql, email="ann@example.com", answers=json.dumps(answers))
    assert again.result("notificationSurveyComplete")["recorded"] is False  # same survey, e-mail, checkout
    assert NotificationEvent.objects.count() == 1


CHECKOUT_TOKEN_FORMS = {"6f1c3a52-1d0e-4a53-9a54-1f6f2b0e7c11"}


def test_survey_with_an_order_keeps_the_order_id(gql, surveys_on):
    response = survey(gql, checkoutId=None, orderId=ORDER)
    assert response.result("notificationSurveyComplete")["recorded"] is True
    assert NotificationEvent.objects.get().order_id == ORDER_UUID


def test_survey_is_not_recorded_while_the_event_is_off(gql):
    assert survey(gql).result("notificationSurveyComplete")["recorded"] is False
    assert not NotificationEvent.objects.exists()


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"surveyId": " "}, "surveyId", "REQUIRED"),
        ({"surveyId": "x" * 129}, "surveyId", "TOO_LARGE"),
        ({"email": "not-an-address"}, "email", "INVALID_EMAIL"),
        ({"answers": json.dumps("just a string")}, "answers", "INVALID"),
        ({"answers": json.dumps({"a": "x" * MAX_ANSWERS_BYTES})}, "answers", "TOO_LARGE"),
        ({"checkoutId": ORDER}, "checkoutId", "INVALID"),
        ({"checkoutId": "bm9wZQ=="}, "checkoutId", "INVALID"),
        ({"checkoutId": None}, "checkoutId", "REQUIRED"),
    ],
)
def test_survey_errors(gql, surveys_on, input_, field, code):
    response = survey(gql, **input_)
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationSurveyComplete")] == [(field, code)]
    assert not NotificationEvent.objects.exists()


def test_survey_answers_that_are_not_json_are_a_clear_error(gql, surveys_on):
    response = survey(gql, answers="{not json")
    assert response.status == 400 and "JSON" in response.body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"orderId": "bad"}, "orderId", "INVALID"),
        ({"orderId": CHECKOUT, "token": str(uuid.uuid4())}, "orderId", "INVALID"),
        ({"orderId": ORDER, "token": "not-a-uuid"}, "token", "INVALID"),
        ({"orderId": ORDER}, "token", "REQUIRED"),
    ],
)
def test_funnel_completed_errors(gql, variables, field, code):
    response = gql(FUNNEL_COMPLETED, variables, ANONYMOUS)
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationFunnelCompleted")] == [(field, code)]


@pytest.mark.skipif(not SALEOR_MISSING, reason="the Saleor tier tests the real capture")
def test_funnel_completed_without_saleor_says_so(gql):
    response = gql(FUNNEL_COMPLETED, {"orderId": ORDER, "token": str(uuid.uuid4())}, ANONYMOUS)
    assert response.codes("notificationFunnelCompleted") == ["UNAVAILABLE"]


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"subscriptionId": ""}, "subscriptionId", "REQUIRED"),
        ({"subscriptionId": "s" * 129}, "subscriptionId", "TOO_LARGE"),
        ({"email": "nope"}, "email", "INVALID_EMAIL"),
        ({"orderId": "T3JkZXI6eA=="}, "orderId", "INVALID"),
        ({"reason": "r" * 1001}, "reason", "TOO_LARGE"),
    ],
)
def test_subscription_cancel_errors(gql, input_, field, code):
    values = {"subscriptionId": "sub_1", "email": "ann@example.com", **input_}
    response = gql(SUBSCRIPTION_CANCEL, {"input": values})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationSubscriptionCancel")] == [(field, code)]


def test_subscription_cancel_is_recorded_once(gql):
    channels.set_event_enabled("SUBSCRIPTION_CANCELED", True)
    values = {"subscriptionId": "sub_1", "email": "ann@example.com", "orderId": ORDER, "reason": "too pricey"}
    first = gql(SUBSCRIPTION_CANCEL, {"input": {**values, "source": "FUNNEL"}})
    assert first.result("notificationSubscriptionCancel")["recorded"] is True
    event = NotificationEvent.objects.get()
    assert (event.event, event.source, event.order_id) == ("SUBSCRIPTION_CANCELED", "FUNNEL", ORDER_UUID)
    again = gql(SUBSCRIPTION_CANCEL, {"input": values})
    assert again.result("notificationSubscriptionCancel")["recorded"] is False
