"""HTTP side of the dashboard app: manifest, token registration, the event catalog and the pages' files.

``route`` is called from ``NotifyPlugin.webhook()`` with the path after the plugin's prefix;
it answers the paths under ``/app`` and returns None for anything else. Nothing here imports
Saleor: the registration asks the installed shop (:mod:`..shop`) whose app token it was sent,
or ``verify_token`` when the caller passes one.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

from .. import catalog, shop
from ..models import DashboardApp
from ..shop import VerifiedApp
from .manifest import build_manifest

logger = logging.getLogger("saleor_notify_plugin.dashboard")

STATIC_DIR = Path(__file__).resolve().parent / "static"
_ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CONFIG_MARK = "<!--notify-config-->"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".map": "application/json",
}


__all__ = ["TokenVerifier", "VerifiedApp", "route"]

TokenVerifier = Callable[[str], VerifiedApp | None]


def _shop_verifier(token: str) -> VerifiedApp | None:
    return shop.installed().dashboard_app(token)


def plugin_prefix(request: HttpRequest, path: str) -> str:
    """The plugin's URL prefix (``/plugins/global/saleor.notify``) of ``request``."""
    full = request.path
    return full[: len(full) - len(path)] if path and full.endswith(path) else full.rstrip("/")


def route(request: HttpRequest, path: str, verify_token: TokenVerifier | None = None) -> HttpResponse | None:
    """The dashboard app's response for ``path`` (after the plugin prefix), or None if not ours."""
    if path != "/app" and not path.startswith("/app/"):
        return None
    prefix = plugin_prefix(request, path)
    sub = path[len("/app") :].strip("/")
    if sub == "manifest":
        return manifest_view(request, prefix)
    if sub == "register":
        return register_view(request, verify_token or _shop_verifier)
    if sub == "asyncapi.json":
        return catalog_view(request)
    if sub.startswith("assets/"):
        return asset_view(request, sub[len("assets/") :])
    return page_view(request, prefix)


def _error(status: int, message: str, code: str) -> JsonResponse:
    # Saleor shows error.message to the shop owner when the installation fails.
    return JsonResponse({"error": {"message": message, "code": code}}, status=status)


def _method_not_allowed(allowed: str) -> JsonResponse:
    response = _error(405, f"Use {allowed}.", "METHOD_NOT_ALLOWED")
    response["Allow"] = allowed
    return response


def manifest_view(request: HttpRequest, prefix: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET")
    response = JsonResponse(build_manifest(request.build_absolute_uri(prefix)))
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"  # the dashboard may fetch it from its own origin
    return response


def catalog_view(request: HttpRequest) -> HttpResponse:
    """The event catalog (AsyncAPI 3.0). Public, like the manifest: it holds the published schemas
    and examples only (no shop data, no secret), and a receiver's developer has no staff token."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET")
    response = HttpResponse(catalog.catalog_json(), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # changes with the plugin's version
    response["Access-Control-Allow-Origin"] = "*"  # AsyncAPI tools may read it from their own origin
    # Opened in a new tab from the app's page, which the dashboard frames in a sandbox without
    # allow-popups-to-escape-sandbox: the tab inherits that sandbox, and Chromium refuses to show
    # a sandboxed tab a document that asks for its own browsing context group (Django's default
    # "same-origin"): a shop owner clicking the link would get an error page.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def register_view(request: HttpRequest, verify_token: TokenVerifier) -> HttpResponse:
    """Saleor's POST of ``{"auth_token": ...}`` to the manifest's tokenTargetUrl."""
    if request.method != "POST":
        return _method_not_allowed("POST")
    try:
        data = json.loads(request.body[:8192] or b"null")
    except (UnicodeDecodeError, ValueError):
        data = None
    token = data.get("auth_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        return _error(400, "The body must be JSON with the app's auth_token.", "INVALID")
    try:
        app = verify_token(token.strip())
    except shop.ShopUnavailable:
        logger.error("saleor-notify dashboard: no shop is installed in this process; cannot verify the app token")
        return _error(503, "Saleor is not installed next to the plugin.", "UNAVAILABLE")
    if app is None:
        logger.warning("saleor-notify dashboard: a registration with an unknown app token was refused")
        return _error(403, "This token does not belong to the app installed from this plugin's manifest.", "FORBIDDEN")
    DashboardApp.objects.update_or_create(
        saleor_app_id=app.pk,
        defaults={
            "app_identifier": app.identifier,
            "token_last_4": token.strip()[-4:],
            "saleor_api_url": request.headers.get("Saleor-Api-Url", "")[:512],
            "domain": (request.headers.get("Saleor-Domain") or request.headers.get("X-Saleor-Domain") or "")[:256],
        },
    )
    logger.info("saleor-notify dashboard: Saleor app %s registered", app.pk)
    return JsonResponse({"success": True})


def _not_built() -> HttpResponse:
    return HttpResponse(
        "The dashboard pages are not built: run `npm ci --prefix frontend && npm run build --prefix frontend`.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )


def asset_view(request: HttpRequest, name: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET")
    if not _ASSET_NAME.match(name):
        return HttpResponse(status=404)
    file = STATIC_DIR / "assets" / name
    if not file.is_file():
        return HttpResponse(status=404)
    content_type = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = HttpResponse(file.read_bytes(), content_type=content_type)
    # Built names carry a content hash: a new build is a new name.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@lru_cache(maxsize=1)
def _index_template(mtime: float) -> str:
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8")


def page_view(request: HttpRequest, prefix: str) -> HttpResponse:
    """The single-page app for every page path under /app/ (the client routes by path)."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET")
    index = STATIC_DIR / "index.html"
    if not index.is_file():
        return _not_built()
    config = {"apiUrl": f"{prefix}/graphql/", "appBase": f"{prefix}/app/"}
    inject = (
        f'<base href="{escape(prefix)}/app/">'
        f"<script>window.__NOTIFY__ = {json.dumps(config).replace('<', chr(92) + 'u003c')};</script>"
    )
    html = _index_template(index.stat().st_mtime).replace(_CONFIG_MARK, inject, 1)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
