"""The Saleor plugin class (the ``saleor.plugins`` entry point points here)."""

from __future__ import annotations


class NotifyPlugin:
    PLUGIN_ID = "saleor.notify"
    PLUGIN_NAME = "Notifications"
    PLUGIN_DESCRIPTION = "Business-event notifications to postback, e-mail and Slack channels."
    CONFIGURATION_PER_CHANNEL = False
