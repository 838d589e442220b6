"""The attacks of docs/security.md, sent for real: the plugin's endpoint served over HTTP by
Django's threaded server (Saleor's routing and token check stood in by tests/browser/server.py),
real receivers, the real worker; checkouts and orders from the fake shop of the survey proof."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from saleor_notify_plugin.graphql.requestor import Permission, Requestor, RequestorKind
from tests.browser.server import TOKENS
from tests.support.fake_shop import SHOP, FakeShop
from tests.support.wsgi_server import serve

ENDPOINT_PATH = "/plugins/global/saleor.notify/graphql/"


def token_for(name: str, *perms: Permission, kind: RequestorKind = RequestorKind.USER) -> str:
    """A bearer token standing for a staff user (or an app) holding ``perms``."""
    token = f"token-{name}"
    TOKENS[token] = Requestor(kind, is_staff=True, permissions=frozenset(p.value for p in perms), label=name)
    return token


@dataclass
class Api:
    url: str

    def post(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> requests.Response:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if raw is not None:
            return requests.post(self.url, data=raw, headers=all_headers, timeout=30)
        return requests.post(self.url, json={"query": query, "variables": variables or {}}, headers=all_headers,
                             timeout=30)


@pytest.fixture(scope="session")
def _http_server(django_db_setup) -> Iterator[int]:
    from tests.browser.conftest import _Handler

    with serve(_Handler()) as port:
        yield port


@pytest.fixture
def api(_http_server, transactional_db, settings) -> Api:
    """The plugin's GraphQL endpoint at http://127.0.0.1:<port>/plugins/global/saleor.notify/graphql/."""
    from django.core.cache import cache

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "tests.browser.server"
    cache.clear()
    return Api(f"http://127.0.0.1:{_http_server}{ENDPOINT_PATH}")


@pytest.fixture
def shop() -> Iterator[FakeShop]:
    SHOP.clear()
    yield SHOP
    SHOP.clear()
