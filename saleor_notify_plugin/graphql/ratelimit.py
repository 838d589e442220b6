"""A per-client budget for anonymous calls, counted in Django's cache (Saleor's, in a deployment).

Every top-level field an anonymous caller runs (each aliased survey mutation included) spends
one unit of ``ANONYMOUS_RATE_LIMIT`` per ``ANONYMOUS_RATE_WINDOW_S``-second window. A cache that
fails lets the call through (logged): the limit must never take the shop's storefront down.
"""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import cache
from django.http import HttpRequest

from ..conf import get_settings

logger = logging.getLogger("saleor_notify_plugin.graphql")

KEY_PREFIX = "saleor-notify:anonymous-calls"


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the last entry of the header the deployment's own proxy appends (CLIENT_IP_HEADER)."""
    header = get_settings().client_ip_header
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        entries = [e.strip() for e in value.split(",") if e.strip()]
        if entries:
            return entries[-1][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def spend(request: HttpRequest, units: int) -> float | None:
    """Spend ``units`` of the caller's budget: None if allowed, else the seconds until it refills."""
    settings = get_settings()
    window_s = max(settings.anonymous_rate_window_s, 1.0)
    now = time.time()
    window = math.floor(now / window_s)
    key = f"{KEY_PREFIX}:{client_address(request)}:{window}"
    try:
        cache.add(key, 0, timeout=int(window_s) + 1)
        used = cache.incr(key, max(units, 1))
    except Exception:  # noqa: BLE001 - an unreachable cache must not stop the storefront
        logger.warning("saleor-notify api: the rate limit's cache failed; the call is let through", exc_info=True)
        return None
    if used > settings.anonymous_rate_limit:
        return max((window + 1) * window_s - now, 1.0)
    return None
