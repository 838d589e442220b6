"""The dashboard's shop settings: what the page stores is what the plugin reads back."""

from saleor_notify_plugin import conf
from saleor_notify_plugin.capture.config import page_items


def test_defaults_survive_the_dashboard_round_trip():
    values = conf.dashboard_values(page_items())
    assert values == {s.name: s.default for s in conf.DASHBOARD_SETTINGS if not s.dashboard.read_only}


def test_custom_settings_survive_the_dashboard_round_trip():
    custom = conf.NotifySettings(
        funnel_marker_key="lp",
        funnel_channel_slugs=("funnel-eu", "funnel-us"),
        digital_rule="no_shipping",
        digital_metadata_key="is_digital",
        subscription_metadata_key="plan",
        funnel_fallback_minutes=45,
        queue="notifications",
        alert_after_minutes=7.5,
        alert_emails=("ops@example.com", "owner@example.com"),
    )
    assert conf.dashboard_values(page_items(custom)) == {
        "funnel_marker_key": "lp",
        "funnel_channel_slugs": ("funnel-eu", "funnel-us"),
        "digital_rule": "no_shipping",
        "digital_metadata_key": "is_digital",
        "subscription_metadata_key": "plan",
        "funnel_fallback_minutes": 45,
        "queue": "notifications",
        "alert_after_minutes": 7.5,
        "alert_emails": ("ops@example.com", "owner@example.com"),
    }
