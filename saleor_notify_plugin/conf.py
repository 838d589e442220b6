"""Settings, read from ``settings.SALEOR_NOTIFY`` at call time (never frozen at import)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings as django_settings

from .delivery.http import HttpSettings
from .delivery.policy import RetryTiming


@dataclass(frozen=True, slots=True)
class NotifySettings:
    # HTTP (spec: 30 s for the whole exchange; private targets need an explicit opt-in).
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    allow_private_targets: bool = False
    max_response_bytes: int = 64 * 1024
    response_excerpt_chars: int = 1024
    # Automatic retries: ~10 s, ~20 s, ~40 s; a receiver's Retry-After honoured up to 10 min.
    retry_base_delay_s: float = 10.0
    retry_max_delay_s: float = 300.0
    retry_after_max_s: float = 600.0
    # Celery. None: Celery's default queue (what a stock Saleor worker consumes).
    queue: str | None = None
    # The sweep re-enqueues work that should have reached the broker this long ago.
    sweep_interval_s: float = 60.0
    sweep_stale_after_s: float = 120.0
    sweep_batch_size: int = 1000
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


def get_settings() -> NotifySettings:
    """The current settings: defaults overridden by ``settings.SALEOR_NOTIFY`` (lower-case keys)."""
    overrides: dict[str, Any] = {k.lower(): v for k, v in getattr(django_settings, "SALEOR_NOTIFY", {}).items()}
    unknown = set(overrides) - _FIELD_NAMES
    if unknown:
        raise ValueError(f"Unknown SALEOR_NOTIFY setting(s): {', '.join(sorted(unknown))}")
    return replace(NotifySettings(), **overrides)
