"""Contact created (with reactivation) and Customer created, over the contact registry."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from .. import payloads
from ..events import EventType, Source
from ..models import Contact
from ..pipeline import recording

logger = logging.getLogger(__name__)

CREATED, REACTIVATED = "created", "reactivated"

_TOUCH_SQL = """
INSERT INTO {table} (email, source, user_id, context, first_seen_at, last_seen_at)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (email) DO UPDATE
   SET context = EXCLUDED.context, last_seen_at = EXCLUDED.last_seen_at,
       user_id = COALESCE(NULLIF(EXCLUDED.user_id, ''), {table}.user_id)
 WHERE {table}.context IS DISTINCT FROM EXCLUDED.context
RETURNING (xmax = 0)
"""


def touch(email: str, source: Source, *, user_id: str | None, context: str) -> str | None:
    """Register ``email`` as seen in ``context`` (one statement).

    Returns CREATED for a new address, REACTIVATED when a known address arrives in a new
    context, None when this context was already reported.
    """
    using = router.db_for_write(Contact)
    connection = connections[using]
    table = connection.ops.quote_name(Contact._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _TOUCH_SQL.format(table=table),
            [email, source.value, user_id or "", context[:128], now, now],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return CREATED if row[0] else REACTIVATED


def record_contact(
    contact: dict[str, Any],
    source: Source,
    *,
    context_kind: str,
    context_id: str,
    known_elsewhere: Any = None,
    saleor_channel: payloads.SaleorChannel | None = None,
) -> str | None:
    """Touch the registry and record Contact created (or its reactivation) for it.

    ``known_elsewhere``: a callable telling whether Saleor already knew the address before
    the registry did (then a "new" address is a reactivation). Reactivations come only from
    the shop or a funnel (spec §2); an address first seen by staff is a lead from Admin.
    ``saleor_channel``: the store of the checkout or order the address came in (None: none).
    """
    email = contact["email"]
    if not email:
        return None
    # The registry and the event commit together: if recording fails, the address is not
    # marked as seen either, and the next sighting records it.
    with transaction.atomic(using=router.db_for_write(Contact)):
        return _record_contact(contact, source, email, context_kind, context_id, known_elsewhere, saleor_channel)


def _record_contact(
    contact: dict[str, Any],
    source: Source,
    email: str,
    context_kind: str,
    context_id: str,
    known_elsewhere: Any,
    saleor_channel: payloads.SaleorChannel | None,
) -> str | None:
    outcome = touch(email, source, user_id=contact.get("user_id"), context=f"{context_kind}:{context_id}")
    if outcome == CREATED and known_elsewhere is not None and known_elsewhere():
        outcome = REACTIVATED
    if outcome is None or (outcome == REACTIVATED and source is Source.ADMIN):
        return outcome
    reactivation = outcome == REACTIVATED
    key = (
        f"contact_reactivated:{email}:{context_kind}:{context_id}" if reactivation else f"contact_created:{email}"
    )
    recording.record_event(
        EventType.CONTACT_CREATED,
        source,
        subject_type="contact",
        subject_id=email,
        payload=payloads.contact_data(contact, reactivation=reactivation, context=context_kind),
        idempotency_key=key,
        saleor_channel=saleor_channel,
    )
    return outcome


def record_customer(
    contact: dict[str, Any],
    source: Source,
    order: dict[str, Any],
    *,
    saleor_channel: payloads.SaleorChannel | None = None,
) -> bool:
    """Customer created: a contact's first successful purchase, once per contact, ever."""
    email = contact["email"]
    if not email:
        return False
    recorded = recording.record_event(
        EventType.CUSTOMER_CREATED,
        source,
        subject_type="contact",
        subject_id=email,
        order_id=order["id"],
        payload=payloads.customer_created_data(contact, order),
        idempotency_key=f"customer_created:{email}",
        saleor_channel=saleor_channel,
    )
    return recorded is not None
