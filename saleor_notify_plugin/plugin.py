"""The Saleor plugin class (the ``saleor.plugins`` entry point points here).

Each hook is one guarded call into ``capture.deferred``: it takes the event's facts from the
objects Saleor passes and hands them to a worker, which records the event; a hook runs no query
of the plugin's and never raises into Saleor.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate

from saleor.core.db.connection import allow_writer
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField

from . import activity, conf, parsing, saleor_shop, telemetry
from .capture import config as shop_config
from .capture import (
    deferred,
    history,  # also registers the history import task
    reconcile,
    transactions,
)
from .capture import tasks as _capture_tasks  # noqa: F401 - registers the periodic capture task
from .dashboard import views as dashboard_views
from .events import EventType
from .graphql import endpoint as graphql_endpoint
from .switches import enabled_events, set_event_enabled

if TYPE_CHECKING:  # Saleor's classes, for the reader (Saleor ships no type information)
    from django.http import HttpRequest, HttpResponse
    from saleor.account.models import User
    from saleor.checkout.models import Checkout
    from saleor.order.models import Fulfillment, Order
    from saleor.plugins.models import PluginConfiguration

# Saleor loads this module: the core answers through Saleor from now on (see saleor_shop.install).
saleor_shop.install()

logger = logging.getLogger(__name__)


Hook = Callable[Concatenate["NotifyPlugin", ...], None]


def _guarded(hook: Hook) -> Callable[..., Any]:
    """Run a hook's work; log any failure and hand Saleor its previous value unchanged."""

    @functools.wraps(hook)
    def wrapper(self: NotifyPlugin, *args: Any, previous_value: Any = None, **kwargs: Any) -> Any:
        try:
            # Recording writes: say so to Saleor's writer/replica guard (a hook may run while
            # Saleor serves a read, e.g. checkout_updated from a query's side effect).
            with allow_writer(), telemetry.span(telemetry.SPAN_HOOK, attributes={telemetry.HOOK_NAME: hook.__name__}):
                hook(self, *args, **kwargs)
        except Exception:  # noqa: BLE001 - the shop's request must go on
            logger.exception("saleor-notify: the %s hook failed; the event was not recorded", hook.__name__)
        return previous_value

    return wrapper


_SWITCH_HELP = "The event's switch (the same setting as the plugin API's)."


def _field_type(setting: conf.Setting) -> str:
    """Saleor's field type for a setting of the page (defined in ``conf``, Saleor-free)."""
    if setting.dashboard is not None and setting.dashboard.read_only:
        return ConfigurationTypeField.OUTPUT  # shown, never saved from the page
    return ConfigurationTypeField.BOOLEAN if setting.kind is conf.Kind.BOOL else ConfigurationTypeField.STRING


_SETTINGS_STRUCTURE: dict[str, dict[str, Any]] = {
    s.dashboard_key: {"type": _field_type(s), "label": s.dashboard.label, "help_text": s.dashboard.help_text}
    for s in conf.DASHBOARD_SETTINGS
    if s.dashboard is not None
}


class NotifyPlugin(BasePlugin):
    PLUGIN_ID = "saleor.notify"
    # Extensions → Installed lists this plugin next to the app it serves (called "Notifications"):
    # the names say which is which.
    PLUGIN_NAME = "Notifications settings"
    PLUGIN_DESCRIPTION = (
        "Business-event notifications to postback, e-mail and Slack channels: the events' switches and the "
        "shop's settings. Channels, attachments and deliveries are in the Notifications app "
        "(Orders → System notifications)."
    )
    CONFIGURATION_PER_CHANNEL = False
    DEFAULT_ACTIVE = False

    CONFIG_STRUCTURE = {
        **{
            key: {"type": ConfigurationTypeField.BOOLEAN, "label": event.label, "help_text": _SWITCH_HELP}
            for key, event in shop_config.SWITCH_KEYS.items()
        },
        **_SETTINGS_STRUCTURE,
    }
    DEFAULT_CONFIGURATION = [
        *({"name": key, "value": False} for key in shop_config.SWITCH_KEYS),
        *shop_config.page_items(),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Saleor calls order_paid and order_fully_paid for one payment on this (per-request)
        # instance: the second call would rebuild the payloads only to find them recorded.
        self._payments_handled: set[tuple[Any, str]] = set()

    @functools.cached_property
    def shop(self) -> shop_config.ShopConfig:
        """The settings with this configuration's shop values (no query); read in a hook's guard."""
        return shop_config.from_items(self.configuration)

    # --- configuration: the switches are the EventSwitch rows --------------------------------

    @classmethod
    def save_plugin_configuration(
        cls, plugin_configuration: PluginConfiguration, cleaned_data: dict[str, Any]
    ) -> PluginConfiguration:
        items = list(cleaned_data.get("configuration") or [])
        switches = {i["name"]: i["value"] for i in items if i.get("name") in shop_config.SWITCH_KEYS}
        for key, value in switches.items():
            try:
                enabled = parsing.to_bool(value, key)
            except parsing.SettingError:
                enabled = False
            set_event_enabled(shop_config.SWITCH_KEYS[key], enabled)
        cleaned_data = {**cleaned_data, "configuration": [i for i in items if i.get("name") not in switches]}
        # The rows are the one copy of the switches: none is kept in PluginConfiguration.
        plugin_configuration.configuration = [
            i for i in plugin_configuration.configuration or [] if i.get("name") not in shop_config.SWITCH_KEYS
        ]
        result = super().save_plugin_configuration(plugin_configuration, cleaned_data)
        was_active = activity.plugin_active()
        activity.set_on(activity.SwitchPeriod.PLUGIN, bool(result.active))
        if result.active:
            transactions.start_reading()
            reconcile.start_reading()
            if not was_active:
                history.start_import()  # a worker reads Saleor's orders, also those of an inactive spell
        shop_config.mirror(result.configuration)
        cls._show_switches(result.configuration)
        return result

    @staticmethod
    def _show_switches(configuration: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Set the switch fields to the rows' state (one query), adding missing ones."""
        enabled = enabled_events()
        private = "allowed" if conf.deployment_values().get("allow_private_targets") else "refused"
        present = {i.get("name") for i in configuration}
        for key in shop_config.SWITCH_KEYS:
            if key not in present:
                configuration.insert(list(shop_config.SWITCH_KEYS).index(key), {"name": key, "value": False})
        for item in configuration:
            event = shop_config.SWITCH_KEYS.get(str(item.get("name")))
            if event is not None:
                item.update(NotifyPlugin.CONFIG_STRUCTURE[item["name"]])
                item["value"] = event in enabled
            elif item.get("name") == "allow_private_targets":
                item["value"] = private
        return configuration

    def resolve_plugin_configuration(self, request: HttpRequest) -> list[dict[str, Any]]:
        with allow_writer():  # the switch rows are read where they are written (no replica lag)
            return self._show_switches(self.configuration)

    # --- orders ------------------------------------------------------------------------------

    @_guarded
    def order_created(self, order: Order, webhooks: Any = None, **kwargs: Any) -> None:
        deferred.order_created(order)

    @_guarded
    def order_paid(self, order: Order, webhooks: Any = None, **kwargs: Any) -> None:
        self._on_payment(order)

    @_guarded
    def order_fully_paid(self, order: Order, webhooks: Any = None, **kwargs: Any) -> None:
        self._on_payment(order)

    def _on_payment(self, order: Order) -> None:
        handled = (order.pk, order.charge_status)
        if handled not in self._payments_handled:
            self._payments_handled.add(handled)
            deferred.order_payment(order)

    @_guarded
    def order_cancelled(self, order: Order, webhooks: Any = None, **kwargs: Any) -> None:
        deferred.order_cancelled(order)

    # --- fulfillments ------------------------------------------------------------------------

    @_guarded
    def fulfillment_created(self, fulfillment: Fulfillment, *args: Any, **kwargs: Any) -> None:
        deferred.tracking(fulfillment)

    @_guarded
    def tracking_number_updated(self, fulfillment: Fulfillment, *args: Any, **kwargs: Any) -> None:
        deferred.tracking(fulfillment)

    # --- contacts ----------------------------------------------------------------------------

    @_guarded
    def customer_created(self, customer: User, *args: Any, **kwargs: Any) -> None:
        deferred.customer_created(customer, self.requestor)

    @_guarded
    def checkout_created(self, checkout: Checkout, webhooks: Any = None, **kwargs: Any) -> None:
        deferred.checkout(checkout, self.shop)

    @_guarded
    def checkout_updated(self, checkout: Checkout, webhooks: Any = None, **kwargs: Any) -> None:
        deferred.checkout(checkout, self.shop)

    # --- the plugin's own API ------------------------------------------------------------------

    def webhook(self, request: HttpRequest, path: str, previous_value: Any) -> HttpResponse | Any:
        if not self.active:
            # Saleor's legacy route (/plugins/<id>/) does not check the flag: inactive is silent.
            return previous_value
        path = path or ""
        if path.startswith("/graphql"):
                return graphql_endpoint.handle(request)
        # The dashboard app: manifest, token registration and pages under /app/.
        response = dashboard_views.route(request, path)
        return previous_value if response is None else response


assert set(shop_config.SWITCH_KEYS.values()) == set(EventType)
