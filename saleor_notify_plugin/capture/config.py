"""The shop settings of the plugin's dashboard page, parsed once into a frozen value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..events import EventType

#: The dashboard's key of each event switch; the value shown is the EventSwitch row's.
SWITCH_PREFIX = "event_"
SWITCH_KEYS = {f"{SWITCH_PREFIX}{e.value.lower()}": e for e in EventType}

DIGITAL_RULES = ("metadata", "no_shipping", "off")


@dataclass(frozen=True, slots=True)
class ShopConfig:
    funnel_marker_key: str = "funnel"
    funnel_channel_slugs: tuple[str, ...] = ()
    digital_rule: str = "metadata"
    digital_metadata_key: str = "digital"
    subscription_metadata_key: str = "subscription"
    funnel_fallback_minutes: int = 30
    allow_private_targets: bool = False
    queue: str = ""

    def as_items(self) -> list[dict[str, Any]]:
        """The dashboard's ``[{"name", "value"}]`` form (what :func:`from_items` reads back)."""
        values = {
            "funnel_marker_key": self.funnel_marker_key,
            "funnel_channel_slugs": ", ".join(self.funnel_channel_slugs),
            "digital_product_rule": self.digital_rule,
            "digital_metadata_key": self.digital_metadata_key,
            "subscription_metadata_key": self.subscription_metadata_key,
            "funnel_fallback_minutes": str(self.funnel_fallback_minutes),
            "allow_private_targets": self.allow_private_targets,
            "celery_queue": self.queue,
        }
        return [{"name": name, "value": value} for name, value in values.items()]

    def as_model_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["funnel_channel_slugs"] = list(self.funnel_channel_slugs)
        return fields


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"true", "1", "yes", "on"}


def _slugs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace("\n", ",").split(",")
    return tuple(s.strip() for s in (value or ()) if str(s).strip())


def _minutes(value: Any) -> int:
    try:
        return max(1, int(str(value).strip()))
    except (TypeError, ValueError):
        return 30


def from_items(items: Iterable[Mapping[str, Any]] | None) -> ShopConfig:
    """Parse Saleor's ``[{"name": ..., "value": ...}]`` list; unknown or bad values fall back."""
    values = {item.get("name"): item.get("value") for item in items or ()}
    default = ShopConfig()
    rule = str(values.get("digital_product_rule") or default.digital_rule).strip().lower()
    return ShopConfig(
        funnel_marker_key=str(values.get("funnel_marker_key", default.funnel_marker_key) or "").strip(),
        funnel_channel_slugs=_slugs(values.get("funnel_channel_slugs")),
        digital_rule=rule if rule in DIGITAL_RULES else default.digital_rule,
        digital_metadata_key=str(values.get("digital_metadata_key", default.digital_metadata_key) or "").strip(),
        subscription_metadata_key=str(
            values.get("subscription_metadata_key", default.subscription_metadata_key) or ""
        ).strip(),
        funnel_fallback_minutes=_minutes(values.get("funnel_fallback_minutes", default.funnel_fallback_minutes)),
        allow_private_targets=_bool(values.get("allow_private_targets", False)),
        queue=str(values.get("celery_queue") or "").strip(),
    )


def load() -> ShopConfig:
    """The mirrored settings, for workers (one query); the defaults before the first save."""
    from ..models import ShopSettings

    row = ShopSettings.objects.filter(pk=1).first()
    if row is None:
        return ShopConfig()
    return ShopConfig(
        funnel_marker_key=row.funnel_marker_key,
        funnel_channel_slugs=tuple(row.funnel_channel_slugs or ()),
        digital_rule=row.digital_rule,
        digital_metadata_key=row.digital_metadata_key,
        subscription_metadata_key=row.subscription_metadata_key,
        funnel_fallback_minutes=row.funnel_fallback_minutes,
        allow_private_targets=row.allow_private_targets,
        queue=row.queue,
    )


def mirror(config: ShopConfig) -> None:
    """Write the settings where workers read them."""
    from ..conf import forget_shop_settings
    from ..models import ShopSettings

    ShopSettings.objects.update_or_create(pk=1, defaults=config.as_model_fields())
    forget_shop_settings()
