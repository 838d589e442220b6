"""CORS as Saleor's API answers it, so a browser storefront on another origin can call the
storefront mutations.

The allowed origins are Saleor's ``ALLOWED_GRAPHQL_ORIGINS`` (shell-style patterns; Saleor's
default is ``*``); without that setting no origin is allowed. A preflight (OPTIONS) is answered
200 with the allowed methods and headers when the origin matches, 400 otherwise; every other
answer carries ``Access-Control-Allow-Origin`` for a matching origin. Under Saleor's ASGI
application its own CORS wrapper sets the same headers again; the answers agree.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse

ALLOW_HEADERS = "Origin, Content-Type, Accept, Authorization, Source-Service-Name, Authorization-Bearer"
ALLOW_METHODS = "POST, OPTIONS"
MAX_AGE_S = 600


def allowed_origin(request: HttpRequest) -> str | None:
    origin = request.META.get("HTTP_ORIGIN") or ""
    if not origin:
        return None
    patterns = getattr(django_settings, "ALLOWED_GRAPHQL_ORIGINS", None) or ()
    if isinstance(patterns, str):
        patterns = [p.strip() for p in patterns.split(",")]
    return origin if any(fnmatchcase(origin, p) for p in patterns) else None


def preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=200 if allowed_origin(request) else 400)
    response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response["Access-Control-Max-Age"] = str(MAX_AGE_S)
    return response


def with_cors_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Credentials"] = "true"
    origin = allowed_origin(request)
    if origin is not None:
        response["Access-Control-Allow-Origin"] = origin
    vary = [v.strip() for v in (response.get("Vary") or "").split(",") if v.strip()]
    if "Origin" not in vary:
        response["Vary"] = ", ".join([*vary, "Origin"])
    return response
