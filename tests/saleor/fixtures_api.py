"""Fixtures of the Saleor tier for the plugin's own GraphQL endpoint.

Requests go through Saleor's URL routing and plugin manager (``/plugins/global/<id>/...``)
and are authenticated by Saleor's real machinery: a JWT that Saleor signed for a user, or
an app's token, sent as Saleor's own ``ApiClient`` sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .fixtures import PLUGIN_ID

NOTIFY_API_PATH = f"/plugins/global/{PLUGIN_ID}/graphql/"

#: The caller kinds of docs/graphql.md's permission table, with what each holds.
CALLERS = (
    "anonymous",
    "customer_with_both",  # a non-staff user's JWT, the user holding both permissions
    "staff_without_perm",
    "staff_manage_plugins",  # a user permission
    "staff_manage_orders",  # through a permission group
    "app_manage_plugins",
    "app_manage_orders",
    "inactive_app_with_both",
)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    text: str
    headers: Any

    def data(self, field: str) -> Any:
        return (self.body.get("data") or {}).get(field)

    @property
    def top_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.body.get("errors") or []]

    def error_codes(self, field: str) -> list[str]:
        """The codes in a mutation's ``errors`` list."""
        return [e["code"] for e in (self.data(field) or {}).get("errors") or []]


def notify_client(*, user=None, app=None):
    """Saleor's GraphQL test client, aimed at the plugin's endpoint (a user's JWT or an app's token)."""
    from saleor.graphql.tests.fixtures import ApiClient

    return ApiClient(user=user, app=app, api_path=NOTIFY_API_PATH)


def call(client, query: str, variables: dict | None = None, **extra: Any) -> Answer:
    """POST one operation (on-commit callbacks run, as after a real commit)."""
    response = client.post_graphql(query, variables, **extra)
    text = response.content.decode()
    return Answer(response.status_code, response.json(), text, response)


@pytest.fixture
def notify_callers(notify, permission_manage_plugins, permission_manage_orders, permission_group_manage_orders):
    """Build a client of the plugin's endpoint for one of ``CALLERS``."""
    from saleor.account.tests.fixtures.user import dangerously_create_test_user
    from saleor.app.models import App

    def user(email: str, *, is_staff: bool) -> Any:
        return dangerously_create_test_user(email, "Secret-pass-1", is_staff=is_staff, is_active=True)

    def app(name: str, *perms: Any, is_active: bool = True) -> Any:
        instance = App.objects.create(name=name, is_active=is_active, identifier=f"notify.test.{name}")
        instance.permissions.add(*perms)
        return instance

    def build(kind: str):
        if kind == "anonymous":
            return notify_client()
        if kind == "customer_with_both":
            customer = user("customer-perms@example.com", is_staff=False)
            customer.user_permissions.add(permission_manage_plugins, permission_manage_orders)
            return notify_client(user=customer)
        if kind == "staff_without_perm":
            return notify_client(user=user("staff-none@example.com", is_staff=True))
        if kind == "staff_manage_plugins":
            staff = user("staff-plugins@example.com", is_staff=True)
            staff.user_permissions.add(permission_manage_plugins)
            return notify_client(user=staff)
        if kind == "staff_manage_orders":
            staff = user("staff-orders@example.com", is_staff=True)
            permission_group_manage_orders.user_set.add(staff)
            return notify_client(user=staff)
        if kind == "app_manage_plugins":
            return notify_client(app=app("plugins", permission_manage_plugins))
        if kind == "app_manage_orders":
            return notify_client(app=app("orders", permission_manage_orders))
        if kind == "inactive_app_with_both":
            inactive = app("inactive", permission_manage_plugins, permission_manage_orders, is_active=False)
            return notify_client(app=inactive)
        raise ValueError(kind)

    return build
