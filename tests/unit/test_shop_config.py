"""The dashboard's shop settings: what the page stores is what the plugin reads back."""

from saleor_notify_plugin.capture.config import ShopConfig, from_items


def test_defaults_survive_the_dashboard_round_trip():
    assert from_items(ShopConfig().as_items()) == ShopConfig()


def test_custom_settings_survive_the_dashboard_round_trip():
    config = ShopConfig(
        funnel_marker_key="lp",
        funnel_channel_slugs=("funnel-eu", "funnel-us"),
        digital_rule="no_shipping",
        digital_metadata_key="is_digital",
        subscription_metadata_key="plan",
        funnel_fallback_minutes=45,
        allow_private_targets=True,
        queue="notifications",
    )
    assert from_items(config.as_items()) == config
