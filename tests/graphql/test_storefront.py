"""The storefront mutations (survey, funnel thank-you page) and the subscription cancellation."""

import json
import uuid

import pytest

from saleor_notify_plugin import switches
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import ANONYMOUS
from saleor_notify_plugin.inbound import MAX_ANSWERS_BYTES
from saleor_notify_plugin.models import RecordedEvent
from saleor_notify_plugin.shop import Reference
from tests.graphql.conftest import ADMIN
from tests.graphql.operations import FUNNEL_COMPLETED, SUBSCRIPTION_CANCEL, SURVEY_COMPLETE
from tests.support.fake_shop import no_shop

pytestmark = pytest.mark.django_db

ORDER_UUID = "0b8e7a8e-57a4-4b2e-9b4c-0d9b3b6f1e21"
ORDER = to_global_id("Order", ORDER_UUID)


@pytest.fixture
def surveys_on():
    switches.set_event_enabled("SURVEY_COMPLETED", True)


@pytest.fixture
def checkout(shop):
    """A checkout of Ann's in the fake shop, as Saleor's global ID."""
    return to_global_id("Checkout", shop.add_checkout("Ann@Example.com"))


def survey(gql, checkout, requestor=ANONYMOUS, **input_):
    values = {"surveyId": "nps-2024", "checkoutId": checkout, **input_}
    return gql(SURVEY_COMPLETE, {"input": {k: v for k, v in values.items() if v is not None}}, requestor)


def test_survey_is_recorded_once_for_an_anonymous_caller_with_a_checkout(gql, surveys_on, checkout):
    """The respondent is the checkout's customer; the same survey for the same checkout is one event."""
    answers = {"score": 9, "comment": "Fast delivery"}
    first = survey(gql, checkout, answers=json.dumps(answers), source="FUNNEL")
    assert first.result("notificationSurveyComplete")["recorded"] is True
    event = RecordedEvent.objects.get()
    assert (event.event, event.source, event.subject_type, event.subject_id) == (
        "SURVEY_COMPLETED", "FUNNEL", "survey", "nps-2024"
    )
    assert event.payload["answers"] == answers and event.payload["email"] == "Ann@Example.com"

    again = survey(gql, checkout, email="ann@example.com", answers=json.dumps({"score": 1}))
    assert again.result("notificationSurveyComplete")["recorded"] is False
    assert RecordedEvent.objects.count() == 1


def test_survey_with_an_order_keeps_the_order_id(gql, surveys_on, shop):
    order = shop.place_order(email="bob@example.com")
    response = survey(gql, None, orderId=to_global_id("Order", order))
    assert response.result("notificationSurveyComplete")["recorded"] is True
    event = RecordedEvent.objects.get()
    assert (event.order_id, event.payload["email"]) == (order, "bob@example.com")


def test_a_checkout_that_became_an_order_is_one_reference(gql, surveys_on, shop):
    """Reported with the checkout, then with the order it became: still one survey of one purchase."""
    token = shop.add_checkout("ann@example.com")
    assert survey(gql, to_global_id("Checkout", token)).result("notificationSurveyComplete")["recorded"] is True
    order = shop.place_order(token)
    by_order = survey(gql, None, orderId=to_global_id("Order", order))
    assert by_order.result("notificationSurveyComplete")["recorded"] is False
    assert RecordedEvent.objects.count() == 1


def test_survey_is_not_recorded_while_the_event_is_off(gql, checkout):
    assert survey(gql, checkout).result("notificationSurveyComplete")["recorded"] is False
    assert not RecordedEvent.objects.exists()


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"surveyId": " "}, "surveyId", "REQUIRED"),
        ({"surveyId": "x" * 129}, "surveyId", "TOO_LARGE"),
        ({"email": "not-an-address"}, "email", "INVALID_EMAIL"),
        ({"email": "someone.else@example.com"}, "email", "PERMISSION_DENIED"),
        ({"answers": json.dumps("just a string")}, "answers", "INVALID"),
        ({"answers": json.dumps({"a": "x" * MAX_ANSWERS_BYTES})}, "answers", "TOO_LARGE"),
        ({"checkoutId": ORDER}, "checkoutId", "INVALID"),
        ({"checkoutId": "bm9wZQ=="}, "checkoutId", "INVALID"),
        ({"checkoutId": to_global_id("Checkout", uuid.uuid4())}, "checkoutId", "PERMISSION_DENIED"),
        ({"checkoutId": None}, "checkoutId", "REQUIRED"),
    ],
)
def test_a_survey_with_a_missing_bad_or_unproven_field_is_refused_and_not_recorded(
    gql, surveys_on, checkout, input_, field, code
):
    response = survey(gql, checkout, **input_)
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationSurveyComplete")] == [(field, code)]
    assert not RecordedEvent.objects.exists()


def test_a_checkout_without_an_address_cannot_report_a_survey(gql, surveys_on, shop):
    response = survey(gql, to_global_id("Checkout", shop.add_checkout("")), email="anyone@example.com")
    assert response.codes("notificationSurveyComplete") == ["INVALID"]
    assert not RecordedEvent.objects.exists()


def test_a_checkout_and_an_order_of_different_purchases_are_no_proof(gql, surveys_on, shop, checkout):
    other = shop.place_order(email="ann@example.com")
    response = survey(gql, checkout, orderId=to_global_id("Order", other))
    assert response.codes("notificationSurveyComplete") == ["PERMISSION_DENIED"]


def test_a_made_up_checkout_next_to_a_real_order_is_no_proof(gql, surveys_on, shop):
    order = to_global_id("Order", shop.place_order(email="ann@example.com"))
    response = survey(gql, to_global_id("Checkout", uuid.uuid4()), orderId=order)
    assert response.codes("notificationSurveyComplete") == ["PERMISSION_DENIED"]
    assert not RecordedEvent.objects.exists()


def test_survey_answers_that_are_not_json_are_a_clear_error(gql, surveys_on, checkout):
    response = survey(gql, checkout, answers="{not json")
    assert response.status == 400 and "JSON" in response.body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"orderId": "bad"}, "orderId", "INVALID"),
        ({"orderId": to_global_id("Checkout", uuid.uuid4()), "token": str(uuid.uuid4())}, "orderId", "INVALID"),
        ({"orderId": ORDER, "token": "not-a-uuid"}, "token", "INVALID"),
        ({"orderId": ORDER}, "token", "REQUIRED"),
    ],
)
def test_funnel_completed_refuses_a_malformed_order_id_or_a_missing_or_malformed_token(gql, variables, field, code):
    response = gql(FUNNEL_COMPLETED, variables, ANONYMOUS)
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationFunnelCompleted")] == [(field, code)]


@pytest.fixture
def funnel_order(shop):
    """A placed funnel order of the fake shop, made from a checkout: (its id, its global ID, the checkout token)."""
    switches.set_event_enabled("ORDER_COMPLETED", True)
    token = shop.add_checkout("ann@example.com")
    order_id = shop.place_order(token, funnel=True)
    return order_id, to_global_id("Order", order_id), token


def completed_events():
    return list(RecordedEvent.objects.filter(event="ORDER_COMPLETED").values_list("source", "order_id"))


def test_the_thank_you_page_completes_a_funnel_order_once(gql, funnel_order):
    order_id, order, token = funnel_order
    first = gql(FUNNEL_COMPLETED, {"orderId": order, "token": token}, ANONYMOUS)
    assert first.result("notificationFunnelCompleted")["fired"] is True
    again = gql(FUNNEL_COMPLETED, {"orderId": order, "token": token}, ANONYMOUS)
    assert again.result("notificationFunnelCompleted")["fired"] is False
    assert completed_events() == [("FUNNEL", order_id)]


@pytest.mark.parametrize("made_up", ["order", "token", "token_of_another_checkout"])
def test_a_made_up_order_or_token_is_no_proof(gql, shop, funnel_order, made_up):
    """An unknown order and a wrong token get the same answer, and nothing is recorded."""
    _, order, token = funnel_order
    variables = {
        "order": {"orderId": ORDER, "token": token},
        "token": {"orderId": order, "token": str(uuid.uuid4())},
        "token_of_another_checkout": {"orderId": order, "token": shop.add_checkout("ann@example.com")},
    }[made_up]
    response = gql(FUNNEL_COMPLETED, variables, ANONYMOUS)
    assert [(e["field"], e["code"], e["message"]) for e in response.errors_of("notificationFunnelCompleted")] == [
        ("token", "PERMISSION_DENIED", "The order and checkout token do not match.")
    ]
    assert completed_events() == []


def test_staff_need_no_token_but_an_order_that_exists(gql, funnel_order):
    order_id, order, _ = funnel_order
    assert gql(FUNNEL_COMPLETED, {"orderId": ORDER}).codes("notificationFunnelCompleted") == ["NOT_FOUND"]
    assert gql(FUNNEL_COMPLETED, {"orderId": order}).result("notificationFunnelCompleted")["fired"] is True
    assert completed_events() == [("FUNNEL", order_id)]


def test_the_thank_you_page_does_not_complete_other_orders(gql, shop, funnel_order):
    """A shop order is completed by its payment; a draft was never placed."""
    token = shop.add_checkout("bob@example.com")
    shop_order = to_global_id("Order", shop.place_order(token))
    assert gql(FUNNEL_COMPLETED, {"orderId": shop_order, "token": token}, ANONYMOUS).result(
        "notificationFunnelCompleted"
    )["fired"] is False
    token = shop.add_checkout("bob@example.com")
    draft = to_global_id("Order", shop.place_order(token, funnel=True, status="draft"))
    response = gql(FUNNEL_COMPLETED, {"orderId": draft, "token": token}, ANONYMOUS)
    assert response.codes("notificationFunnelCompleted") == ["INVALID"]
    assert completed_events() == []


def test_without_a_shop_the_storefront_mutations_say_so(gql, surveys_on, funnel_order):
    _, order, token = funnel_order
    with no_shop():
        funnel = gql(FUNNEL_COMPLETED, {"orderId": order, "token": token}, ANONYMOUS)
        survey_ = survey(gql, to_global_id("Checkout", uuid.uuid4()))
        by_staff = survey(gql, None, ADMIN, email="ann@example.com")
    assert funnel.codes("notificationFunnelCompleted") == ["UNAVAILABLE"]
    assert survey_.codes("notificationSurveyComplete") == ["UNAVAILABLE"]
    assert by_staff.result("notificationSurveyComplete")["recorded"] is True  # staff need no proof


def test_a_deployments_reference_lookup_answers_the_survey_proof(gql, surveys_on, shop, settings):
    """``SALEOR_NOTIFY['REFERENCE_LOOKUP']`` names the class that finds checkouts and orders."""
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "REFERENCE_LOOKUP": f"{__name__}.OneCheckout"}
    in_the_shop = survey(gql, to_global_id("Checkout", shop.add_checkout("ann@example.com")))
    assert in_the_shop.codes("notificationSurveyComplete") == ["PERMISSION_DENIED"]
    known = survey(gql, to_global_id("Checkout", OneCheckout.TOKEN))
    assert known.result("notificationSurveyComplete")["recorded"] is True
    assert RecordedEvent.objects.get().payload["email"] == "lookup@example.com"


class OneCheckout:
    """A lookup that knows one checkout."""

    TOKEN = "5f0c4c4e-8f5e-4c39-9d0a-2f1b7f6c1a10"

    def checkout(self, token):
        if token != self.TOKEN:
            return None
        return Reference(checkout_token=token, order_id=None, email="lookup@example.com")

    def order(self, order_id):
        return None


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
def test_subscription_cancel_refuses_a_missing_malformed_or_oversized_field(gql, input_, field, code):
    values = {"subscriptionId": "sub_1", "email": "ann@example.com", **input_}
    response = gql(SUBSCRIPTION_CANCEL, {"input": values})
    assert [(e["field"], e["code"]) for e in response.errors_of("notificationSubscriptionCancel")] == [(field, code)]


def test_subscription_cancel_is_recorded_once(gql):
    switches.set_event_enabled("SUBSCRIPTION_CANCELED", True)
    values = {"subscriptionId": "sub_1", "email": "ann@example.com", "orderId": ORDER, "reason": "too pricey"}
    first = gql(SUBSCRIPTION_CANCEL, {"input": {**values, "source": "FUNNEL"}})
    assert first.result("notificationSubscriptionCancel")["recorded"] is True
    event = RecordedEvent.objects.get()
    assert (event.event, event.source, event.order_id) == ("SUBSCRIPTION_CANCELED", "FUNNEL", ORDER_UUID)
    again = gql(SUBSCRIPTION_CANCEL, {"input": values})
    assert again.result("notificationSubscriptionCancel")["recorded"] is False
