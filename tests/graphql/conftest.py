"""GraphQL tests: operations sent over HTTP to ``execute_request`` against PostgreSQL.

Saleor's authentication cannot run here, so callers are built as ``Requestor`` values, the
stand-in the Saleor bridge produces; everything after authentication is the real code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import RequestFactory

from saleor_notify_plugin.graphql.endpoint import execute_request
from saleor_notify_plugin.graphql.requestor import ANONYMOUS, Permission, Requestor, RequestorKind

ENDPOINT = "/plugins/global/saleor.notify/graphql/"
ALL = frozenset(p.value for p in Permission)


def staff(*perms: Permission, active: bool = True) -> Requestor:
    return Requestor(RequestorKind.USER, is_active=active, is_staff=True, permissions=frozenset(perms), label="user:1")


def app(*perms: Permission, active: bool = True) -> Requestor:
    return Requestor(RequestorKind.APP, is_active=active, permissions=frozenset(perms), label="app:1")


#: The callers of the permission table.
REQUESTORS = {
    "anonymous": ANONYMOUS,
    "customer_with_perms": Requestor(RequestorKind.USER, is_staff=False, permissions=ALL, label="user:2"),
    "staff_without_perm": staff(),
    "staff_manage_plugins": staff(Permission.MANAGE_PLUGINS),
    "staff_manage_orders": staff(Permission.MANAGE_ORDERS),
    "staff_manage_orders_and_users": staff(Permission.MANAGE_ORDERS, Permission.MANAGE_USERS),
    "staff_plugins_and_orders": staff(Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS),
    "inactive_staff_with_perms": staff(Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS, active=False),
    "app_manage_plugins": app(Permission.MANAGE_PLUGINS),
    "app_manage_orders": app(Permission.MANAGE_ORDERS),
    "app_manage_users": app(Permission.MANAGE_USERS),
    "inactive_app_with_perms": app(*Permission, active=False),
}

ADMIN = staff(Permission.MANAGE_PLUGINS, Permission.MANAGE_ORDERS, Permission.MANAGE_USERS)


@dataclass
class Response:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        assert "errors" not in self.body, self.body
        return self.body["data"]

    def result(self, field: str) -> dict[str, Any]:
        """A mutation's payload, asserted to carry no errors."""
        payload = self.data[field]
        assert payload["errors"] == [], payload["errors"]
        return payload

    def errors_of(self, field: str) -> list[dict[str, Any]]:
        return self.body["data"][field]["errors"]

    def codes(self, field: str) -> list[str]:
        return [e["code"] for e in self.errors_of(field)]

    @property
    def top_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.body.get("errors", [])]


def post(body: Any, requestor: Requestor = ADMIN, raw: bytes | None = None) -> Response:
    data = raw if raw is not None else json.dumps(body)
    request = RequestFactory().post(ENDPOINT, data=data, content_type="application/json")
    response = execute_request(request, requestor)
    assert response["Content-Type"] == "application/json"
    return Response(response.status_code, json.loads(response.content))


@pytest.fixture(autouse=True)
def fresh_counters_and_shop():
    """Each test starts with no anonymous calls counted and an empty fake shop."""
    from django.core.cache import cache

    from tests.support.fake_shop import SHOP

    cache.clear()
    SHOP.clear()
    yield
    SHOP.clear()


@pytest.fixture
def shop():
    """The fake shop behind the survey proof: ``shop.add_checkout(email)``, ``shop.place_order(token)``."""
    from tests.support.fake_shop import SHOP

    return SHOP


@pytest.fixture
def gql():
    """``gql(query, variables, requestor=ADMIN)``: one operation over HTTP."""

    def run(query: str, variables: dict[str, Any] | None = None, requestor: Requestor = ADMIN) -> Response:
        return post({"query": query, "variables": variables or {}}, requestor)

    return run
