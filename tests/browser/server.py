"""The plugin's pages and API served by Django's live server, without Saleor.

URL routing stands in for Saleor's ``/plugins/global/<id>/`` view and hands the same paths to
the same code as ``NotifyPlugin.webhook()`` does: ``/graphql`` to the GraphQL endpoint, the
rest to the dashboard app. Saleor's authentication is replaced by a table of tokens mapped
to ``Requestor`` values (the GraphQL layer's own stand-in); Saleor's app-token check at
registration by a table of app tokens. ``/dashboard/`` is a minimal host page playing the
dashboard's side of AppBridge: it frames a page and hands it a token.
"""

from __future__ import annotations

import base64
import json
import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import re_path

from saleor_notify_plugin.dashboard.views import VerifiedApp, route
from saleor_notify_plugin.graphql.endpoint import handle
from saleor_notify_plugin.graphql.requestor import InvalidToken, Permission, Requestor, RequestorKind

PREFIX = "/plugins/global/saleor.notify"

#: token -> the caller it stands for (what Saleor's authentication would answer).
TOKENS: dict[str, Requestor] = {}
#: app token -> the Saleor app it belongs to (what Saleor's AppToken table would answer).
APP_TOKENS: dict[str, VerifiedApp] = {}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def dashboard_token(email: str, *perms: Permission, staff: bool = True) -> str:
    """A token shaped like the dashboard's (a JWT of the app for a staff user), mapped to its caller."""
    names = [p.name for p in perms]
    payload = {
        "email": email,
        "type": "thirdparty",
        "permissions": names,
        "user_permissions": names,
        "nonce": uuid.uuid4().hex,
    }
    token = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(payload)}.c2lnbmF0dXJl"
    TOKENS[token] = Requestor(
        RequestorKind.USER, is_staff=staff, permissions=frozenset(p.value for p in perms), label=f"user:{email}"
    )
    return token


def _authenticate(request: HttpRequest) -> Requestor:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        from saleor_notify_plugin.graphql.requestor import ANONYMOUS

        return ANONYMOUS
    try:
        return TOKENS[header[len("Bearer ") :]]
    except KeyError:
        raise InvalidToken("Invalid token.") from None


def plugin_view(request: HttpRequest, rest: str) -> HttpResponse:
    path = "/" + rest
    if path.startswith("/graphql"):
        return handle(request, authenticate=_authenticate)
    response = route(request, path, verify_token=APP_TOKENS.get)
    return response if response is not None else HttpResponse(status=404)


HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Saleor Dashboard (test host)</title>
<style>body{margin:0;font-family:sans-serif;background:#f4f4f5}header{padding:10px 16px;background:#fff;
border-bottom:1px solid #e4e4e7;font-size:14px}
iframe{border:0;width:100%;height:calc(100vh - 42px);background:#fff}</style>
</head><body><header>Saleor Dashboard &middot; <span id="where"></span></header>
<iframe id="app" title="app"></iframe>
<script>
const params = new URLSearchParams(location.search);
const token = params.get("token");
const frame = document.getElementById("app");
window.__notifications = [];
window.__routes = [];
window.addEventListener("message", (event) => {
  if (event.source !== frame.contentWindow) return;
  const {type, payload} = event.data || {};
  if (!type) return;
  if (type === "notification") window.__notifications.push(payload);
  if (type === "updateRouting") window.__routes.push(payload.newRoute);
  if (type === "notifyReady") {
    const handshake = {token, version: 1, dashboardVersion: "3.24", saleorVersion: "3.24"};
    frame.contentWindow.postMessage({type: "handshake", payload: handshake}, "*");
  }
  if (payload && payload.actionId) {
    frame.contentWindow.postMessage({type: "response", payload: {actionId: payload.actionId, ok: true}}, "*");
  }
});
const src = new URL(params.get("src"));
src.searchParams.set("id", "QXBwOjE=");
src.searchParams.set("saleorApiUrl", src.origin + "/graphql/");
src.searchParams.set("domain", src.host);
src.searchParams.set("theme", "light");
for (const [k, v] of params) if (!["src", "token", "frameWidth"].includes(k)) src.searchParams.set(k, v);
// The order page's widget column is about 344 px wide in the real dashboard.
if (params.get("frameWidth")) frame.style.width = params.get("frameWidth") + "px";
document.getElementById("where").textContent = params.get("label") || "";
frame.src = src.toString();
</script></body></html>"""


def host_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(HOST_PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [
    re_path(r"^plugins/global/saleor\.notify/(?P<rest>.*)$", plugin_view),
    re_path(r"^dashboard/$", host_page),
]
