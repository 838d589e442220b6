"""Events reported from outside Saleor's models: a finished survey (from a storefront or funnel)
and a canceled subscription (from the shop's subscription system)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, router, transaction

from . import payloads
from .errors import NotifyError, NotifyErrorCode
from .events import EventType, Source
from .models import RecordedEvent
from .pipeline import recording
from .validation import check_text

#: Answers are copied into the postback: bounded so one storefront call cannot bloat the outbox.
MAX_ANSWERS_BYTES = 64 * 1024
MAX_EMAIL_LENGTH = 254


def clean_text(value: object, field: str, max_length: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise NotifyError(NotifyErrorCode.REQUIRED, f"{field} is required.", field)
    if len(text) > max_length:
        raise NotifyError(NotifyErrorCode.TOO_LARGE, f"{field} is longer than {max_length} characters.", field)
    return check_text(text, field, multiline=True)


def clean_email(value: object, field: str = "email") -> str:
    email = clean_text(value, field, MAX_EMAIL_LENGTH, required=True)
    try:
        validate_email(email)
    except ValidationError:
        raise NotifyError(
            NotifyErrorCode.INVALID_EMAIL, f"{email[:100]!r} is not a valid e-mail address.", field
        ) from None
    return email


def clean_answers(answers: object, field: str = "answers") -> dict[str, Any] | list[Any]:
    """A survey's answers as given (a JSON object or array), bounded and storable; None gives {}."""
    if answers is None:
        return {}
    if not isinstance(answers, dict | list):
        raise NotifyError(NotifyErrorCode.INVALID, "The answers must be a JSON object or array.", field)
    try:
        size = len(json.dumps(answers, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode())
    except UnicodeEncodeError:
        raise NotifyError(NotifyErrorCode.INVALID, "The answers hold unpaired surrogates.", field) from None
    except (RecursionError, ValueError):  # ValueError: NaN or Infinity, which PostgreSQL's JSON refuses
        raise NotifyError(NotifyErrorCode.INVALID, "The answers are not JSON data.", field) from None
    if _holds_nul(answers):  # PostgreSQL's jsonb cannot store U+0000
        raise NotifyError(NotifyErrorCode.INVALID, "The answers contain NUL characters.", field)
    if size > MAX_ANSWERS_BYTES:
        raise NotifyError(
            NotifyErrorCode.TOO_LARGE,
            f"The answers take {size} bytes; at most {MAX_ANSWERS_BYTES} are accepted.",
            field,
        )
    return answers


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _source(value: object) -> Source:
    try:
        return Source(str(value).upper())
    except ValueError:
        raise NotifyError(NotifyErrorCode.INVALID, "The source must be ADMIN, SHOP or FUNNEL.", "source") from None


def survey_reference(*, checkout_token: str | None, order_id: str | None, email: str = "") -> str:
    """What a survey belongs to: the checkout (whose token its order keeps), else the order, else
    (staff reporting without either) the respondent."""
    if checkout_token:
        return f"checkout:{checkout_token}"
    if order_id:
        return f"order:{order_id}"
    return f"email:{email.lower()}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def survey_key_prefix(reference: str) -> str:
    return f"survey:{_digest(reference)}:"


def survey_key(survey_id: str, reference: str) -> str:
    """One survey, one checkout or order: one event, whatever e-mail or answers are sent again."""
    return survey_key_prefix(reference) + _digest(survey_id)


def _lock(reference: str, using: str) -> None:
    """Serialise surveys of one reference for the rest of the transaction (PostgreSQL), so the cap holds."""
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"saleor-notify:{reference}"])


def complete_survey(
    *,
    survey_id: object,
    email: object,
    answers: object,
    source: Source | str = Source.SHOP,
    checkout_token: str | None = None,
    order_id: str | None = None,
    max_per_reference: int | None = None,
    saleor_channel: payloads.SaleorChannel | None = None,
) -> bool:
    """Record Survey completed (delivered to postback channels only). False: reported before, or off.

    At most ``max_per_reference`` different surveys per checkout or order (LIMIT_REACHED past it).
    ``saleor_channel``: the store of that checkout or order (None: no purchase, or not known).
    """
    survey_id = clean_text(survey_id, "surveyId", 128, required=True)
    email = clean_email(email)
    answers = clean_answers(answers)
    source = _source(source)
    reference = survey_reference(checkout_token=checkout_token, order_id=order_id, email=email)
    key = survey_key(survey_id, reference)
    using = router.db_for_write(RecordedEvent)
    events = RecordedEvent.objects.using(using)
    with transaction.atomic(using=using):
        _lock(reference, using)
        if events.filter(idempotency_key=key).exists():
            return False
        if max_per_reference is not None:
            prefix = survey_key_prefix(reference)
            if events.filter(idempotency_key__startswith=prefix).count() >= max_per_reference:
                raise NotifyError(
                    NotifyErrorCode.LIMIT_REACHED,
                    f"This checkout or order has reported {max_per_reference} surveys, the most accepted.",
                    "surveyId",
                )
        event_id = recording.record_event(
            EventType.SURVEY_COMPLETED,
            source,
            subject_type="survey",
            subject_id=survey_id,
            order_id=order_id or "",
            payload={
                "survey_id": survey_id,
                "email": email,
                "answers": answers,
                "checkout_token": checkout_token,
                "order_id": order_id,
            },
            idempotency_key=key,
            saleor_channel=saleor_channel,
        )
    return event_id is not None


def subscription_canceled_key(subscription_id: str) -> str:
    """One subscription is canceled once, whoever reports it (the API or an order cancellation)."""
    return f"subscription_canceled:{subscription_id}"


def cancel_subscription(
    *,
    subscription_id: object,
    email: object,
    order_id: str | None,
    reason: object,
    source: Source | str = Source.SHOP,
    saleor_channel: payloads.SaleorChannel | None = None,
) -> bool:
    """Record Subscription canceled as the subscription system reports it. False: reported before, or off.

    ``saleor_channel``: the store of the order that started the subscription (None: not known).
    """
    subscription_id = clean_text(subscription_id, "subscriptionId", 128, required=True)
    email = clean_email(email)
    reason = clean_text(reason, "reason", 1000)
    event_id = recording.record_event(
        EventType.SUBSCRIPTION_CANCELED,
        _source(source),
        subject_type="subscription",
        subject_id=subscription_id,
        order_id=order_id or "",
        payload=payloads.subscription_canceled_data(
            subscription_id=subscription_id, email=email, order_id=order_id, reason=reason
        ),
        idempotency_key=subscription_canceled_key(subscription_id),
        saleor_channel=saleor_channel,
    )
    return event_id is not None
