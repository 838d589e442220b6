"""GraphQL enums, made from the core's enums so the two never drift apart."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import graphene

from ..channel_health import HealthStatus
from ..delivery.outcome import ErrorKind
from ..errors import NotifyErrorCode
from ..events import ChannelKind, EventType, Source
from ..models import AttemptTrigger, DeliveryStatus


def _enum[E: enum.Enum](
    name: str, source: type[E], description: str, value_doc: Callable[[E], str | None] | None = None
) -> type[graphene.Enum]:
    """A graphene enum of ``source``'s members; each described by ``value_doc``, else by its label."""

    def describe(value: E | None) -> str | None:
        if value is None:
            return description
        return value_doc(value) if value_doc else getattr(value, "label", None)

    meta = type("Meta", (), {"enum": source, "description": describe})
    return type(name, (graphene.Enum,), {"Meta": meta})


NotificationEventType = _enum("NotificationEventType", EventType, "The ten notification events.")
NotificationSource = _enum("NotificationSource", Source, "Where a contact, order or subscription comes from.")
NotificationChannelKind = _enum("NotificationChannelKind", ChannelKind, "How a channel is reached.")
NotificationDeliveryStatus = _enum("NotificationDeliveryStatus", DeliveryStatus, "State of one delivery.")
NotificationAttemptTrigger = _enum(
    "NotificationAttemptTrigger", AttemptTrigger, "Whether an attempt was automatic or a manual retry."
)
NotificationAttemptErrorKind = _enum(
    "NotificationAttemptErrorKind",
    ErrorKind,
    "Why an attempt got no usable response (lower-case in the stored log, upper-case here).",
    lambda v: None,
)
NotificationChannelHealthStatus = _enum(
    "NotificationChannelHealthStatus",
    HealthStatus,
    "A channel's state, from its latest attempts.",
    lambda v: {
        "UNKNOWN": "Nothing was attempted yet.",
        "HEALTHY": "The last attempt succeeded; no failure in the window.",
        "RECOVERING": "The last attempt succeeded, after failures in the window.",
        "FAILING": "The last attempt failed.",
        "ALERTING": "Failing without a success for the alert period (ALERT_AFTER_MINUTES) or longer.",
    }[v.value],
)

_ERROR_DOCS = {
    NotifyErrorCode.INVALID: "The value is malformed or not allowed.",
    NotifyErrorCode.REQUIRED: "The value is missing.",
    NotifyErrorCode.NOT_FOUND: "No object with this ID.",
    NotifyErrorCode.UNIQUE: "This already exists.",
    NotifyErrorCode.PERMISSION_DENIED: "The caller lacks the permission or the proof this needs.",
    NotifyErrorCode.INVALID_URL: "The URL is malformed or uses a scheme that is not allowed.",
    NotifyErrorCode.PRIVATE_TARGET: "The URL points to a private address and private targets are not allowed.",
    NotifyErrorCode.INVALID_EMAIL: "An e-mail address is not valid.",
    NotifyErrorCode.POSTBACK_ONLY: "This event accepts postback channels only.",
    NotifyErrorCode.MANUAL_RETRY_NOT_ALLOWED: "This event cannot be retried by hand.",
    NotifyErrorCode.NOT_FAILED: "Only failed deliveries can be retried.",
    NotifyErrorCode.CHANNEL_UNAVAILABLE: "The channel was deleted or deactivated.",
    NotifyErrorCode.TOO_LARGE: "The value is larger than allowed.",
    NotifyErrorCode.LIMIT_REACHED: "A limit per checkout or order was reached (e.g. its number of surveys).",
    NotifyErrorCode.RATE_LIMITED: "Too many calls from this client; try again after the time given.",
    NotifyErrorCode.UNAVAILABLE: "A part this operation needs is not installed (e.g. Saleor).",
    NotifyErrorCode.INTERNAL_ERROR: "An unexpected failure; the server log has the details.",
}

NotificationErrorCode = _enum(
    "NotificationErrorCode",
    NotifyErrorCode,
    "Why a mutation was refused (the same codes as the plugin's service API).",
    lambda v: _ERROR_DOCS.get(v),
)


class JSONString(graphene.JSONString):
    """JSON carried in a string; an input that is not JSON gets a message saying so."""

    class Meta:
        name = "JSONString"

    @staticmethod
    def parse_value(value: str) -> Any:
        import json

        try:
            return json.loads(value)
        except (TypeError, ValueError) as error:
            raise ValueError(f"Expected a JSON string: {error}") from None
