"""Every event has a published JSON Schema and an example that validates against it."""

import json

import jsonschema
import pytest

from saleor_notify_plugin import payloads
from saleor_notify_plugin.events import EventType


@pytest.mark.parametrize("event", list(EventType))
def test_each_event_has_a_valid_schema_and_a_matching_example(event):
    """The schema is valid draft 2020-12 and the example conforms to it."""
    schema = payloads.load_schema(event)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["x-version"] == payloads.SCHEMA_VERSION
    payloads.validate(event, payloads.load_example(event))


def test_money_keeps_amounts_exact():
    """Decimals become exact strings (no float rounding)."""
    from decimal import Decimal

    assert payloads.money(Decimal("0.1") + Decimal("0.2"), "USD") == {"amount": "0.3", "currency": "USD"}


def test_an_order_without_lines_shape_is_rejected():
    """The schema catches a builder regression: an order summary missing its lines."""
    example = payloads.load_example(EventType.ORDER_COMPLETED)
    del example["order"]["lines"]
    with pytest.raises(jsonschema.ValidationError):
        payloads.validate(EventType.ORDER_COMPLETED, example)


def test_refund_payload_carries_its_own_amount():
    """Refund applied reports what this refund returned, not the order's refunded total."""
    txn = payloads.transaction(
        id="te:1", api="transactions", type="refund_success", amount=payloads.money("3.00", "EUR"),
        psp_reference="re_1", message=None, created_at=__import__("datetime").datetime(2026, 1, 1), gateway=None,
    )
    data = payloads.refund_data(txn, kind="refund", order=None)
    assert data["amount"] == {"amount": "3.00", "currency": "EUR"}
    json.dumps(data)


def test_shop_config_parses_saleor_items_with_safe_fallbacks():
    """Bad values in the dashboard fall back to the defaults instead of breaking hooks."""
    from saleor_notify_plugin.capture.config import from_items
    from saleor_notify_plugin.conf import dashboard_values

    items = [
        {"name": "funnel_channel_slugs", "value": "funnel-a, funnel-b,,"},
        {"name": "funnel_fallback_minutes", "value": "soon"},
        {"name": "digital_product_rule", "value": "NO_SHIPPING"},
        {"name": "allow_private_targets", "value": "true"},
    ]
    config = from_items(items)
    assert config.funnel_channel_slugs == ("funnel-a", "funnel-b")
    assert config.funnel_fallback_minutes == 30
    assert config.digital_rule == "no_shipping"
    assert "allow_private_targets" not in dashboard_values(items)  # the deployment's alone


@pytest.mark.parametrize("event", list(EventType))
def test_every_event_names_its_store_or_null_and_a_malformed_store_is_rejected(event):
    """``saleor_channel``: slug and name, or null (no store); absent in events recorded before it existed."""
    example = payloads.load_example(event)
    for store in ({"slug": "wholesale", "name": "Wholesale"}, None):
        payloads.validate(event, {**example, "saleor_channel": store})
    payloads.validate(event, {k: v for k, v in example.items() if k != "saleor_channel"})
    malformed = ({"slug": "wholesale"}, {"slug": "", "name": "None"}, "wholesale", {"slug": "d", "name": "", "x": 0})
    for bad in malformed:
        with pytest.raises(jsonschema.ValidationError):
            payloads.validate(event, {**example, "saleor_channel": bad})


def test_the_examples_show_a_store_and_a_survey_without_a_purchase_shows_none():
    """The published examples name the store as receivers get it (a survey without a purchase has none)."""
    stores = {event: payloads.load_example(event)["saleor_channel"] for event in EventType}
    assert stores.pop(EventType.SURVEY_COMPLETED) is None
    assert all(store == {"slug": "default-channel", "name": "Default Channel"} for store in stores.values())
