"""The plugin loads in Saleor, global, with its configuration page."""

from saleor_notify_plugin.models import EventSwitch

from .fixtures import PLUGIN_ID


def test_plugin_is_global_and_switches_are_the_rows(notify):
    from saleor.plugins.manager import get_plugins_manager

    manager = get_plugins_manager(allow_replica=False)
    plugin = manager.get_plugin(PLUGIN_ID)
    assert plugin is not None and plugin.active and not plugin.CONFIGURATION_PER_CHANNEL
    assert EventSwitch.objects.filter(is_enabled=True).count() == 10
