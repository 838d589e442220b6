"""Every setting of the plugin, defined once, and the one way to read them (at call time).

Each field of :class:`NotifySettings` is a setting: its name, type (the annotation), default,
and where it may be set (the :func:`setting` beside it). From these come the deployment's
``SALEOR_NOTIFY`` parsing, the dashboard page's fields and defaults (``plugin.py`` maps them
to Saleor's types), the parsing of what the page saves, and the shop row workers read.

Precedence: the deployment's word (``settings.SALEOR_NOTIFY``, then ``SALEOR_NOTIFY_<KEY>``
environment variables), then what the shop owner saved on the dashboard page, then the
defaults. What guards the shop (private targets, Slack's hosts, keys, limits) is set by the
deployment only: nobody holding a dashboard permission can loosen it.
"""

from __future__ import annotations

import enum
import os
import time
import typing
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from django.conf import settings as django_settings
from django.db import DatabaseError

from . import parsing
from .delivery.http import HttpSettings
from .delivery.policy import RetryTiming

SPEC = "saleor_notify_setting"


class Where(enum.Enum):
    DEPLOYMENT = "SALEOR_NOTIFY only"
    DASHBOARD = "the dashboard page only"
    BOTH = "the dashboard page; SALEOR_NOTIFY, when it sets it, wins"


@dataclass(frozen=True, slots=True)
class OnDashboard:
    label: str
    help_text: str
    key: str | None = None  # the page's item name, when it is not the setting's name
    read_only: bool = False  # a deployment setting the page shows and never saves


@dataclass(frozen=True, slots=True)
class _Declared:
    deployment: bool
    dashboard: OnDashboard | None
    minimum: float | None


def setting(
    default: Any, *, dashboard: OnDashboard | None = None, deployment: bool = True, minimum: float | None = None
) -> Any:
    """A field of :class:`NotifySettings`: settable in ``SALEOR_NOTIFY`` unless ``deployment`` is
    False, on the dashboard page when ``dashboard`` is given (shown only, if read-only)."""
    return field(default=default, metadata={SPEC: _Declared(deployment, dashboard, minimum)})


DigitalRule = Literal["metadata", "no_shipping", "off"]


@dataclass(frozen=True, slots=True)
class NotifySettings:
    # --- the shop's settings: the dashboard page, in the page's order --------------------
    funnel_marker_key: str = setting("funnel", deployment=False, dashboard=OnDashboard(
        "Funnel marker metadata key",
        "A checkout or order whose public metadata has this key (any value) comes from a funnel.",
    ))
    funnel_channel_slugs: tuple[str, ...] = setting((), deployment=False, dashboard=OnDashboard(
        "Funnel channel slugs", "Comma-separated Saleor channel slugs whose orders all come from funnels.",
    ))
    digital_rule: DigitalRule = setting("metadata", deployment=False, dashboard=OnDashboard(
        "Digital products are recognised by",
        "'metadata' (the key below on the product or product type), 'no_shipping' "
        "(does not require shipping) or 'off'.",
        key="digital_product_rule",
    ))
    digital_metadata_key: str = setting("digital", deployment=False, dashboard=OnDashboard(
        "Digital product metadata key", "Public metadata key on a product or product type marking it digital.",
    ))
    subscription_metadata_key: str = setting("subscription", deployment=False, dashboard=OnDashboard(
        "Subscription product metadata key",
        "Public metadata key on a product or product type marking a subscription product: "
        "cancelling an order holding it cancels the subscription.",
    ))
    funnel_fallback_minutes: int = setting(30, deployment=False, minimum=1, dashboard=OnDashboard(
        "Funnel completion fallback (minutes)",
        "A funnel order is completed this long after its first payment if the thank-you page never reported it.",
    ))
    # --- HTTP (spec: 30 s for the whole exchange) --------------------------------------------
    timeout_s: float = setting(30.0)  # checked by the startup check (E002)
    connect_timeout_s: float = setting(10.0, minimum=0)
    # Shown on the page, never saved from it: a MANAGE_PLUGINS holder must not be able to open
    # the way to internal services.
    allow_private_targets: bool = setting(False, dashboard=OnDashboard(
        "Private postback targets (deployment setting)",
        "Whether postbacks may reach private and loopback addresses. Set by the deployment "
        "(SALEOR_NOTIFY['ALLOW_PRIVATE_TARGETS'] or the SALEOR_NOTIFY_ALLOW_PRIVATE_TARGETS environment "
        "variable); it cannot be changed here.",
        read_only=True,
    ))
    # Slack channels post to these hosts only (an incoming-webhook URL elsewhere is refused).
    slack_hosts: tuple[str, ...] = setting(("hooks.slack.com",))
    # Fernet keys (urlsafe base64, 32 bytes) encrypting secrets at rest: the first encrypts,
    # all decrypt (rotation). Empty: one key derived from Django's SECRET_KEY.
    encryption_keys: tuple[str, ...] = setting(())
    # Anonymous storefront calls: at most this many survey/funnel mutations per client and window
    # (Django's cache counts them), and at most this many surveys per checkout or order.
    anonymous_rate_limit: int = setting(30, minimum=0)
    anonymous_rate_window_s: float = setting(60.0, minimum=0)
    surveys_per_reference: int = setting(5, minimum=0)
    # The client of a rate-limited call: REMOTE_ADDR, or the last address of this header when the
    # deployment's own proxy appends it (e.g. "X-Forwarded-For"; only then is it trustworthy).
    client_ip_header: str | None = setting(None)
    # Who checks an anonymous survey's checkout or order: a dotted path to a ReferenceLookup
    # class; None: the installed shop's (``shop.installed()``, Saleor's inside Saleor).
    reference_lookup: str | None = setting(None)
    # The plugin's GraphQL endpoint: limits at least as strict as Saleor's own
    # (GRAPHQL_ALIAS_COUNT_LIMIT, GRAPHQL_QUERY_MAX_COMPLEXITY: the lower of the two applies).
    graphql_max_aliases: int = setting(100, minimum=0)
    graphql_max_complexity: int = setting(50000, minimum=0)
    max_response_bytes: int = setting(64 * 1024, minimum=0)
    response_excerpt_chars: int = setting(1024, minimum=0)
    # Automatic retries after 5-10 s, 10-20 s, 20-40 s; a receiver's Retry-After honoured up to 10 min.
    retry_base_delay_s: float = setting(10.0, minimum=0)
    retry_max_delay_s: float = setting(300.0, minimum=0)
    retry_after_max_s: float = setting(600.0, minimum=0)
    # Celery. None: Celery's default queue (what a stock Saleor worker consumes).
    queue: str | None = setting(None, dashboard=OnDashboard(
        "Celery queue", "Queue of the plugin's tasks; empty for Celery's default queue.", key="celery_queue",
    ))
    # The sweep re-enqueues work that should have started this long ago (claims are conditional,
    # so a message still on its way meanwhile finds the work taken and does nothing).
    sweep_interval_s: float = setting(60.0, minimum=0)
    sweep_stale_after_s: float = setting(60.0, minimum=0)
    sweep_batch_size: int = setting(1000, minimum=1)
    # A worker that claimed a delivery owns it for the time limit plus this margin; after that
    # (worker killed) the sweep hands it to another worker. Tests shorten it to see that quickly.
    lease_margin_s: float = setting(30.0, minimum=0)
    # A recovery ("recover since") sends a channel's failed deliveries again at most this many per
    # second, so a receiver just back from an outage is not flooded by its backlog.
    recover_rate_per_s: float = setting(5.0, minimum=0.01)
    # The reconciliation looks at what Saleor committed this long ago (hooks go first).
    reconcile_delay_s: float = setting(60.0, minimum=0)
    # Retention of the delivery log.
    attempt_retention_days: int = setting(30, minimum=0)
    event_retention_days: int = setting(90, minimum=0)
    # Alerts: a channel whose attempts fail without a success for this long is reported once per
    # failing spell (an e-mail to these addresses, a banner in the dashboard) and, where its owner
    # chose so, paused. Minutes, fractions allowed (tests shorten it to seconds).
    alert_after_minutes: float = setting(60, minimum=0, dashboard=OnDashboard(
        "Alert after (minutes)",
        "Staff are told when a channel has failed this long without a success: an e-mail to the addresses "
        "below and a banner on System notifications.",
    ))
    alert_emails: tuple[str, ...] = setting((), dashboard=OnDashboard(
        "Alert e-mail addresses",
        "Comma-separated addresses told when a channel keeps failing (sent through the shop's e-mail settings).",
    ))

    @property
    def http(self) -> HttpSettings:
        from . import __version__

        return HttpSettings(
            **{f.name: getattr(self, f.name) for f in fields(HttpSettings) if f.name != "user_agent"},
            user_agent=f"saleor-notify/{__version__}",
        )

    @property
    def retry_timing(self) -> RetryTiming:
        return RetryTiming(**{f.name: getattr(self, f.name) for f in fields(RetryTiming)})


# --- the definitions, read off the class ---------------------------------------------------


class Kind(enum.Enum):
    BOOL = "true or false"
    INT = "a whole number"
    FLOAT = "a number"
    TEXT = "text"
    OPTIONAL_TEXT = "text or None"
    TEXT_LIST = "a list of texts"
    CHOICE = "one of the choices"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    kind: Kind
    default: Any
    where: Where
    dashboard: OnDashboard | None
    minimum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The ``SALEOR_NOTIFY`` key (case-insensitive)."""
        return self.name.upper()

    @property
    def dashboard_key(self) -> str:
        return (self.dashboard.key if self.dashboard else None) or self.name

    @property
    def saved_from_dashboard(self) -> bool:
        return self.dashboard is not None and not self.dashboard.read_only

    def parse(self, value: Any, name: str | None = None) -> Any:
        """The typed value, or :class:`parsing.SettingError` saying what was expected."""
        name = name or f"SALEOR_NOTIFY['{self.key}']"
        if self.kind is Kind.BOOL:
            return parsing.to_bool(value, name)
        if self.kind is Kind.INT:
            return parsing.to_int(value, name, self.minimum)
        if self.kind is Kind.FLOAT:
            return parsing.to_float(value, name, self.minimum)
        if self.kind is Kind.TEXT:
            return parsing.to_text(value, name)
        if self.kind is Kind.OPTIONAL_TEXT:
            return parsing.to_optional_text(value, name)
        if self.kind is Kind.TEXT_LIST:
            return parsing.to_text_list(value, name)
        return parsing.to_choice(value, name, self.choices)

    def from_dashboard(self, value: Any) -> Any:
        """What the page saved, leniently: a number below the minimum is raised to it, anything
        unusable is the default (the page is not a place for errors the shop cannot see)."""
        if self.kind is Kind.INT and self.minimum is not None:
            try:
                return max(int(self.minimum), parsing.to_int(value, self.name))
            except parsing.SettingError:
                return self.default
        try:
            return self.parse(value, self.name)
        except parsing.SettingError:
            return self.default

    def shown(self, value: Any) -> Any:
        """The value in the page's form (what :meth:`from_dashboard` reads back)."""
        if self.kind is Kind.BOOL:
            return bool(value)
        if self.kind is Kind.TEXT_LIST:
            return ", ".join(value)
        if value is None:
            return ""
        if self.kind is Kind.FLOAT and isinstance(value, int | float):
            return f"{value:g}"  # 60, not 60.0
        return str(value)

    def stored(self, value: Any) -> Any:
        """The value as the shop row's JSON holds it."""
        return list(value) if isinstance(value, tuple) else value


def _kind(annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    simple = {bool: Kind.BOOL, int: Kind.INT, float: Kind.FLOAT, str: Kind.TEXT,
              str | None: Kind.OPTIONAL_TEXT, tuple[str, ...]: Kind.TEXT_LIST}
    if annotation in simple:
        return simple[annotation], ()
    if typing.get_origin(annotation) is Literal:
        return Kind.CHOICE, tuple(typing.get_args(annotation))
    raise TypeError(f"No parser for settings of type {annotation!r}")


def _definitions() -> tuple[Setting, ...]:
    hints = typing.get_type_hints(NotifySettings)
    found = []
    for f in fields(NotifySettings):
        declared: _Declared = f.metadata[SPEC]
        kind, choices = _kind(hints[f.name])
        if declared.dashboard is None or declared.dashboard.read_only:
            where = Where.DEPLOYMENT
        else:
            where = Where.BOTH if declared.deployment else Where.DASHBOARD
        found.append(Setting(f.name, kind, f.default, where, declared.dashboard, declared.minimum, choices))
    return tuple(found)


#: Every setting, in the class's order (the dashboard page shows its own in this order).
SETTINGS: tuple[Setting, ...] = _definitions()
BY_NAME = {s.name: s for s in SETTINGS}
DASHBOARD_SETTINGS = tuple(s for s in SETTINGS if s.dashboard is not None)
DEPLOYMENT_SETTINGS = {s.key.lower(): s for s in SETTINGS if s.where is not Where.DASHBOARD}


# --- reading -----------------------------------------------------------------------------


#: A deployment that does not edit its Django settings (Saleor's image reads its configuration
#: from the environment) sets a key as ``SALEOR_NOTIFY_<KEY>``; ``settings.SALEOR_NOTIFY`` wins.
ENV_PREFIX = "SALEOR_NOTIFY_"


def _environment() -> dict[str, tuple[str, str]]:
    """``{key in lower case: (variable, text)}`` of the ``SALEOR_NOTIFY_*`` environment variables."""
    # Names first, values only of ours: this runs on every read of the settings (a hot path), and
    # decoding every variable's value would cost it most of its time.
    names = [name for name in os.environ if name.startswith(ENV_PREFIX)]
    return {name[len(ENV_PREFIX) :].lower(): (name, os.environ[name]) for name in names}


def deployment_values() -> dict[str, Any]:
    """The deployment's word, parsed: ``SALEOR_NOTIFY_*`` environment variables, then
    ``settings.SALEOR_NOTIFY`` over them. Unknown keys and bad values raise ValueError."""
    raw = getattr(django_settings, "SALEOR_NOTIFY", None) or {}
    if not isinstance(raw, dict):
        raise parsing.SettingError("SALEOR_NOTIFY", "a dict", raw)
    environment = _environment()
    given = {str(k).lower(): v for k, v in raw.items()}
    unknown = sorted(set(given) - set(DEPLOYMENT_SETTINGS))
    unknown += sorted(variable for key, (variable, _) in environment.items() if key not in DEPLOYMENT_SETTINGS)
    if unknown:
        raise ValueError(f"Unknown SALEOR_NOTIFY setting(s): {', '.join(unknown)}")
    values = {
        DEPLOYMENT_SETTINGS[key].name: DEPLOYMENT_SETTINGS[key].parse(text, f"the environment's {variable}")
        for key, (variable, text) in environment.items()
        if key not in given
    }
    values.update({DEPLOYMENT_SETTINGS[k].name: DEPLOYMENT_SETTINGS[k].parse(v) for k, v in given.items()})
    return values


def deployment_value(name: str) -> Any:
    """One setting's value from the deployment alone (its default when not set), parsed; for
    code that runs too often to read them all."""
    raw = getattr(django_settings, "SALEOR_NOTIFY", None) or {}
    setting = BY_NAME[name]
    for key, value in raw.items():
        if str(key).lower() == setting.key.lower():
            return setting.parse(value)
    variable = ENV_PREFIX + setting.key
    if variable in os.environ:
        return setting.parse(os.environ[variable], f"the environment's {variable}")
    return setting.default


def dashboard_values(items: Any) -> dict[str, Any]:
    """What the page's ``[{"name", "value"}]`` list sets (switches and unknown names ignored)."""
    given = {item.get("name"): item.get("value") for item in items or ()}
    return {
        s.name: s.from_dashboard(given[s.dashboard_key])
        for s in DASHBOARD_SETTINGS
        if s.saved_from_dashboard and s.dashboard_key in given
    }


def settings_from(shop: dict[str, Any]) -> NotifySettings:
    """The defaults, then the shop's saved values, then the deployment's."""
    return NotifySettings(**{**shop, **deployment_values()})


#: The shop row is re-read at most this often per process (and at once after a save here).
SHOP_SETTINGS_TTL_S = 10.0
_shop_cache: tuple[float, dict[str, Any]] | None = None


def shop_values(*, fresh: bool = False) -> dict[str, Any]:
    """The shop's saved values (the row of ``ShopSettings``): one query, cached for
    :data:`SHOP_SETTINGS_TTL_S`; ``fresh`` reads the row now (and refreshes the cache)."""
    global _shop_cache
    now = time.monotonic()
    if not fresh and _shop_cache is not None and now - _shop_cache[0] < SHOP_SETTINGS_TTL_S:
        return _shop_cache[1]
    from .models import ShopSettings

    try:
        saved = ShopSettings.objects.filter(pk=1).values_list("values", flat=True).first() or {}
    except DatabaseError:  # not migrated yet: the defaults apply
        saved = {}
    values = {s.name: s.from_dashboard(saved[s.name]) for s in DASHBOARD_SETTINGS
              if s.saved_from_dashboard and s.name in saved}
    _shop_cache = (now, values)
    return values


def save_shop_values(values: dict[str, Any]) -> None:
    """Write the shop's values where workers read them (called when the page is saved)."""
    from .models import ShopSettings

    stored = {name: BY_NAME[name].stored(value) for name, value in values.items() if name in BY_NAME}
    ShopSettings.objects.update_or_create(pk=1, defaults={"values": stored})
    forget_shop_settings()


def forget_shop_settings() -> None:
    """This process reads the shop row again at the next call."""
    global _shop_cache
    _shop_cache = None


def get_settings(*, fresh: bool = False) -> NotifySettings:
    """The current settings: defaults, then the dashboard's shop settings, then ``SALEOR_NOTIFY``."""
    return settings_from(shop_values(fresh=fresh))
