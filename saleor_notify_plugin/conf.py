"""Settings, read at call time (never frozen at import).

Precedence: ``settings.SALEOR_NOTIFY`` (the deployment's word), then the shop settings saved
from the Saleor dashboard (``ShopSettings``: the queue), then the defaults. What guards the
shop (private targets, Slack's hosts, keys, limits) comes from the deployment only: nobody
holding a dashboard permission can loosen it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings as django_settings
from django.db import DatabaseError

from .delivery.http import HttpSettings
from .delivery.policy import RetryTiming


@dataclass(frozen=True, slots=True)
class NotifySettings:
    # HTTP (spec: 30 s for the whole exchange; private targets need the deployment's opt-in).
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    allow_private_targets: bool = False
    # Slack channels post to these hosts only (an incoming-webhook URL elsewhere is refused).
    slack_hosts: tuple[str, ...] = ("hooks.slack.com",)
    # Fernet keys (urlsafe base64, 32 bytes) encrypting secrets at rest: the first encrypts,
    # all decrypt (rotation). Empty: one key derived from Django's SECRET_KEY.
    encryption_keys: tuple[str, ...] = ()
    # Anonymous storefront calls: at most this many survey/funnel mutations per client and window
    # (Django's cache counts them), and at most this many surveys per checkout or order.
    anonymous_rate_limit: int = 30
    anonymous_rate_window_s: float = 60.0
    surveys_per_reference: int = 5
    # The client of a rate-limited call: REMOTE_ADDR, or the last address of this header when the
    # deployment's own proxy appends it (e.g. "X-Forwarded-For"; only then is it trustworthy).
    client_ip_header: str | None = None
    # Who checks an anonymous survey's checkout or order: a dotted path to a ReferenceLookup
    # class; None: the installed shop's (``shop.installed()``, Saleor's inside Saleor).
    reference_lookup: str | None = None
    # The plugin's GraphQL endpoint: limits at least as strict as Saleor's own
    # (GRAPHQL_ALIAS_COUNT_LIMIT, GRAPHQL_QUERY_MAX_COMPLEXITY: the lower of the two applies).
    graphql_max_aliases: int = 100
    graphql_max_complexity: int = 50000
    max_response_bytes: int = 64 * 1024
    response_excerpt_chars: int = 1024
    # Automatic retries after 5-10 s, 10-20 s, 20-40 s; a receiver's Retry-After honoured up to 10 min.
    retry_base_delay_s: float = 10.0
    retry_max_delay_s: float = 300.0
    retry_after_max_s: float = 600.0
    # Celery. None: Celery's default queue (what a stock Saleor worker consumes).
    queue: str | None = None
    # The sweep re-enqueues work that should have started this long ago (claims are conditional,
    # so a message still on its way meanwhile finds the work taken and does nothing).
    sweep_interval_s: float = 60.0
    sweep_stale_after_s: float = 60.0
    sweep_batch_size: int = 1000
    # A worker that claimed a delivery owns it for the time limit plus this margin; after that
    # (worker killed) the sweep hands it to another worker. Tests shorten it to see that quickly.
    lease_margin_s: float = 30.0
    # The reconciliation looks at what Saleor committed this long ago (hooks go first).
    reconcile_delay_s: float = 60.0
    # Retention of the delivery log.
    attempt_retention_days: int = 30
    event_retention_days: int = 90

    @property
    def http(self) -> HttpSettings:
        from . import __version__

        return HttpSettings(
            timeout_s=self.timeout_s,
            connect_timeout_s=self.connect_timeout_s,
            allow_private_targets=self.allow_private_targets,
            max_response_bytes=self.max_response_bytes,
            excerpt_chars=self.response_excerpt_chars,
            user_agent=f"saleor-notify/{__version__}",
        )

    @property
    def retry_timing(self) -> RetryTiming:
        return RetryTiming(
            base_delay_s=self.retry_base_delay_s,
            max_delay_s=self.retry_max_delay_s,
            max_retry_after_s=self.retry_after_max_s,
        )


_FIELD_NAMES = {f.name for f in fields(NotifySettings)}


#: Fields the shop owner can set from the dashboard; re-read at most this often per process.
SHOP_FIELDS = ("queue",)
SHOP_SETTINGS_TTL_S = 10.0
_shop_cache: tuple[float, dict[str, Any]] | None = None


def _shop_overrides() -> dict[str, Any]:
    global _shop_cache
    now = time.monotonic()
    if _shop_cache is not None and now - _shop_cache[0] < SHOP_SETTINGS_TTL_S:
        return _shop_cache[1]
    from .models import ShopSettings

    try:
        row = ShopSettings.objects.filter(pk=1).values(*SHOP_FIELDS).first()
    except DatabaseError:  # not migrated yet: the defaults apply
        row = None
    values = {} if row is None else {**row, "queue": row["queue"] or None}
    _shop_cache = (now, values)
    return values


def forget_shop_settings() -> None:
    """Called after the dashboard saves, so this process sees the change at once."""
    global _shop_cache
    _shop_cache = None


def get_settings() -> NotifySettings:
    """The current settings: defaults, then the dashboard's shop settings, then ``SALEOR_NOTIFY``."""
    overrides: dict[str, Any] = {k.lower(): v for k, v in getattr(django_settings, "SALEOR_NOTIFY", {}).items()}
    unknown = set(overrides) - _FIELD_NAMES
    if unknown:
        raise ValueError(f"Unknown SALEOR_NOTIFY setting(s): {', '.join(sorted(unknown))}")
    if not all(name in overrides for name in SHOP_FIELDS):
        overrides = {**_shop_overrides(), **overrides}
    for name in ("slack_hosts", "encryption_keys"):
        if isinstance(overrides.get(name), str):
            overrides[name] = (overrides[name],)
        elif name in overrides:
            overrides[name] = tuple(overrides[name])
    return replace(NotifySettings(), **overrides)
