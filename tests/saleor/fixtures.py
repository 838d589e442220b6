"""Fixtures of the Saleor tier: the plugin switched on through Saleor's own plugin manager."""

from __future__ import annotations

import pytest

from saleor_notify_plugin.capture.config import SWITCH_KEYS
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import RecordedEvent

PLUGIN_PATH = "saleor_notify_plugin.plugin.NotifyPlugin"
PLUGIN_ID = "saleor.notify"


def configure(settings_items: dict | None = None, *, active: bool = True, all_on: bool = True):
    """Save the plugin's configuration as the dashboard's pluginUpdate does."""
    from saleor.plugins.manager import get_plugins_manager

    items = {key: all_on for key in SWITCH_KEYS}
    items.update(settings_items or {})
    manager = get_plugins_manager(allow_replica=False)
    return manager.save_plugin_configuration(
        PLUGIN_ID, None, {"active": active, "configuration": [{"name": k, "value": v} for k, v in items.items()]}
    )


@pytest.fixture
def notify(settings, db):
    """The plugin installed, active, every event switched on; shop settings at their defaults.

    Saleor's test settings run Celery eagerly (no broker): the plugin's tasks then run in
    the process, as Saleor's own do.
    """
    settings.PLUGINS = [PLUGIN_PATH]
    configure({"funnel_marker_key": "funnel", "digital_metadata_key": "digital"})
    return settings


def events(event: EventType | None = None):
    qs = RecordedEvent.objects.order_by("created_at")
    if event is not None:
        qs = qs.filter(event=event.value)
    return list(qs)
