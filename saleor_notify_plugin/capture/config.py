"""The plugin's dashboard page, Saleor-free: the event switches' items, and the shop's settings
as the page saves them (defined once, in :mod:`..conf`) and as workers read them back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import conf
from ..events import EventType

#: The dashboard's key of each event switch; the value shown is the EventSwitch row's.
SWITCH_PREFIX = "event_"
SWITCH_KEYS = {f"{SWITCH_PREFIX}{e.value.lower()}": e for e in EventType}

#: What capture reads: the settings of :mod:`..conf` (the shop's part comes from the page).
ShopConfig = conf.NotifySettings


def page_items(settings: conf.NotifySettings | None = None) -> list[dict[str, Any]]:
    """The page's settings as ``[{"name", "value"}]`` (what :func:`from_items` reads back)."""
    settings = settings or conf.NotifySettings()
    return [{"name": s.dashboard_key, "value": s.shown(getattr(settings, s.name))} for s in conf.DASHBOARD_SETTINGS]


def from_items(items: Iterable[Mapping[str, Any]] | None) -> ShopConfig:
    """The settings with what the page's item list sets (unknown or bad values fall back)."""
    return conf.settings_from(conf.dashboard_values(items))


def load() -> ShopConfig:
    """The settings with the shop's saved values read now, for a worker's call (one query)."""
    return conf.get_settings(fresh=True)


def mirror(items: Iterable[Mapping[str, Any]] | None) -> None:
    """Write what the page saved where workers read it."""
    conf.save_shop_values(conf.dashboard_values(items))
