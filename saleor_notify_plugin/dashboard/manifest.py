"""The Saleor App manifest: what a shop owner installs from the dashboard, once."""

from __future__ import annotations

from typing import Any

from .. import __version__

#: The app's identifier in Saleor: one installation per Saleor (Saleor refuses a second).
APP_IDENTIFIER = "saleor.notify"
APP_NAME = "Notifications"
PERMISSIONS = ("MANAGE_PLUGINS", "MANAGE_ORDERS")


#: The APP_PAGE extension's route inside the app. The dashboard accepts only a path starting
#: with "/" for an APP_PAGE (it opens ``/extensions/app/<id>/events`` and frames ``appUrl``
#: joined with it); widgets and popups keep absolute URLs, which it uses as they are.
APP_PAGE_ROUTE = "/events"


def build_manifest(base_url: str) -> dict[str, Any]:
    """The manifest for a plugin served at ``base_url`` (absolute, e.g. ``https://shop/plugins/global/saleor.notify``)."""
    base = base_url.rstrip("/")
    app_url = f"{base}/app/"
    return {
        "id": APP_IDENTIFIER,
        "name": APP_NAME,
        "version": __version__,
        "about": (
            "Business-event notifications: switch the ten events on, attach postback, e-mail and Slack "
            "channels to them, follow each delivery and retry failed ones from the order's page."
        ),
        "author": "saleor-notify",
        "permissions": list(PERMISSIONS),
        "appUrl": app_url,
        "tokenTargetUrl": f"{base}/app/register/",
        "extensions": [
            {
                "identifier": "system-notifications",
                "label": "System notifications",
                "mount": "NAVIGATION_ORDERS",
                "target": "APP_PAGE",
                "permissions": ["MANAGE_PLUGINS"],
                "url": APP_PAGE_ROUTE,
            },
            {
                "identifier": "order-notifications-widget",
                "label": "Notifications",
                "mount": "ORDER_DETAILS_WIDGETS",
                "target": "WIDGET",
                "permissions": ["MANAGE_ORDERS"],
                "url": f"{app_url}order",
                "options": {"widgetTarget": {"method": "GET"}},
            },
            {
                "identifier": "order-notifications",
                "label": "Notification deliveries",
                "mount": "ORDER_DETAILS_MORE_ACTIONS",
                "target": "POPUP",
                "permissions": ["MANAGE_ORDERS"],
                "url": f"{app_url}order/deliveries",
            },
        ],
        "webhooks": [],
    }
