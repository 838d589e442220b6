"""GraphQL over HTTP for ``NotifyPlugin.webhook()``: POST JSON in, JSON out, never a 500.

``handle`` asks the installed shop (:mod:`..shop`; Saleor's inside Saleor) who is calling and
calls ``execute_request``, which knows nothing of Saleor and is what the tests drive.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from graphql import GraphQLError, parse
from graphql.error import format_error

from .. import shop
from ..errors import NotifyErrorCode
from . import cors, limits, ratelimit
from .requestor import ANONYMOUS, Context, InvalidToken, Requestor, RequestorKind
from .schema import schema

logger = logging.getLogger("saleor_notify_plugin.graphql")

#: Large enough for any operation of this API with a 64 KiB survey; bounds what is parsed.
MAX_BODY_BYTES = 256 * 1024

HELP = (
    "This is the saleor-notify GraphQL API. POST application/json {query, variables, operationName} with "
    "Authorization: Bearer <staff JWT or app token>. The schema is in the plugin's docs/schema.graphql."
)


def _errors(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _parse(request: HttpRequest) -> tuple[str, dict[str, Any] | None, str | None] | JsonResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _errors(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.", "TOO_LARGE")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _errors(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.", "TOO_LARGE")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deeply
        return _errors(400, "The body must be JSON: {query, variables, operationName}.", "INVALID")
    if not isinstance(data, dict):
        return _errors(400, "The body must be one JSON object (batches are not supported).", "INVALID")
    query, variables, operation = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return _errors(400, "'query' must be a non-empty string.", "INVALID")
    if isinstance(variables, str) and variables.strip():
        try:
            variables = json.loads(variables)
        except (ValueError, RecursionError):
            return _errors(400, "'variables' must be a JSON object.", "INVALID")
    if variables in ("", None):
        variables = None
    elif not isinstance(variables, dict):
        return _errors(400, "'variables' must be a JSON object.", "INVALID")
    if operation is not None and not isinstance(operation, str):
        return _errors(400, "'operationName' must be a string.", "INVALID")
    return query, variables, operation or None


def _format(error: Exception) -> dict[str, Any]:
    """Errors we raise on purpose are shown; anything else is logged and reported without details."""
    original = getattr(error, "original_error", None)
    if original is not None and not isinstance(original, GraphQLError):
        logger.error("saleor-notify api: unexpected error", exc_info=original)
        formatted = format_error(error)
        formatted["message"] = "Internal error; the server log has the details."
        formatted["extensions"] = {"code": "INTERNAL_ERROR"}
        return formatted
    return format_error(error)


def _refused(query: str, variables: dict[str, Any] | None, operation: str | None, request: HttpRequest,
             requestor: Requestor) -> JsonResponse | None:
    """The alias and cost limits, then an anonymous caller's rate limit; None when the operation may run."""
    try:
        document = parse(query)
    except (GraphQLError, RecursionError):
        return None  # reported by the execution as a syntax error, with its location
    found = limits.usage(schema, document, variables, operation)
    reason = limits.exceeded(found)
    if reason is not None:
        return _errors(400, reason, NotifyErrorCode.TOO_LARGE.value)
    if requestor.kind is RequestorKind.ANONYMOUS:
        wait_s = ratelimit.spend(request, found.top_level_fields)
        if wait_s is not None:
            return _errors(
                429,
                f"Too many calls from this client; try again in {math.ceil(wait_s)} s.",
                NotifyErrorCode.RATE_LIMITED.value,
                {"Retry-After": str(math.ceil(wait_s))},
            )
    return None


def execute_request(request: HttpRequest, requestor: Requestor) -> HttpResponse:
    """Run the GraphQL operation in ``request`` for ``requestor``; a JSON response in every case."""
    return cors.with_cors_headers(request, _execute_request(request, requestor))


def _execute_request(request: HttpRequest, requestor: Requestor) -> HttpResponse:
    if request.method == "OPTIONS":
        return cors.preflight(request)
    if request.method == "GET":
        return _errors(405, HELP, "METHOD_NOT_ALLOWED", {"Allow": "OPTIONS, POST"})
    if request.method != "POST":
        return _errors(405, "Use POST.", "METHOD_NOT_ALLOWED", {"Allow": "OPTIONS, POST"})
    parsed = _parse(request)
    if isinstance(parsed, HttpResponse):
        return parsed
    query, variables, operation = parsed
    refused = _refused(query, variables, operation, request, requestor)
    if refused is not None:
        return refused
    result = schema.execute(
        query, variable_values=variables, operation_name=operation, context_value=Context(requestor, request)
    )
    payload: dict[str, Any] = {}
    if result.errors:
        payload["errors"] = [_format(e) for e in result.errors]
    if not result.invalid:
        payload["data"] = result.data
    return JsonResponse(payload, status=400 if result.invalid else 200)


def _shop_requestor(request: HttpRequest) -> Requestor:
    return shop.installed().requestor(request)


def handle(request: HttpRequest, authenticate: Callable[[HttpRequest], Requestor] | None = None) -> HttpResponse:
    """The endpoint: who is calling (the shop's answer, or ``authenticate``'s), then the operation."""
    if request.method == "POST":
        try:
            requestor = (authenticate or _shop_requestor)(request)
        except InvalidToken as error:
            return cors.with_cors_headers(
                request,
                _errors(401, str(error) or "Invalid token.", "INVALID_TOKEN", {"WWW-Authenticate": "Bearer"}),
            )
        except shop.ShopUnavailable:
            logger.error("saleor-notify api: no shop is installed in this process; callers cannot be checked")
            return _errors(503, "Authentication is unavailable: Saleor is not installed.", "UNAVAILABLE")
        except Exception:  # noqa: BLE001 - e.g. the database is down: answer in JSON, log the cause
            logger.exception("saleor-notify api: authentication failed")
            return _errors(500, "Internal error; the server log has the details.", "INTERNAL_ERROR")
    else:
        requestor = ANONYMOUS
    return execute_request(request, requestor)
