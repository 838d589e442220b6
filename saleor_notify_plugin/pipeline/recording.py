"""Recording one business event: the guarded INSERT in the caller's transaction.

Owns :func:`record_event` and the rules of a recorded row: the idempotency key as stored
(:func:`bounded_key`), the switch (or, for a late recorder, the switch's period) that must
cover the event, one row per business event, the store it happened in (on the row, for
fan-out, and in the payload, for receivers). One SQL statement on the shop's request path.

Hands to the next stage: after commit, the new event's id to ``broker`` as a
``saleor_notify.fan_out`` message (published beside the request, never within it).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from .. import activity, telemetry
from ..errors import NotifyError, NotifyErrorCode
from ..events import EventType, Source
from ..models import EventSwitch, RecordedEvent, SwitchPeriod
from ..payloads import SaleorChannel
from . import broker

_INSERT_SQL = """
INSERT INTO {table} ({columns})
SELECT {placeholders}
WHERE {condition}
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
"""
#: A hook records in the moment: the switch must be on now.
_SWITCH_ON_NOW = "EXISTS (SELECT 1 FROM {switch_table} WHERE event = %s AND is_enabled)"
#: A late recorder asks about the moment of the business event: its switch's period (and the plugin's).
_PERIOD_COVERS = (
    "EXISTS (SELECT 1 FROM {period_table}"
    " WHERE subject = %s AND started_at <= %s AND (ended_at IS NULL OR ended_at > %s))"
)

SUBJECT_ID_MAX = RecordedEvent._meta.get_field("subject_id").max_length or 255
_KEY_MAX = RecordedEvent._meta.get_field("idempotency_key").max_length or 255


def _concrete(model: type[models.Model], name: str) -> models.Field:
    """A model's own column (``_meta.get_field`` may also answer relations, which have none)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, name
    return field


def bounded_key(key: str) -> str:
    """``key`` as stored: a long key keeps its start and a digest of the whole, so two
    business events whose keys differ only past the column's length stay two events."""
    if len(key) <= _KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: _KEY_MAX - len(digest) - 1]}~{digest}"


@telemetry.traced(telemetry.SPAN_RECORD, telemetry.record_attributes, kind="producer")
def record_event(
    event: EventType | str,
    source: Source | str,
    *,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    idempotency_key: str,
    order_id: str = "",
    occurred_at: datetime | None = None,
    as_of: datetime | None = None,
    saleor_channel: SaleorChannel | None = None,
) -> uuid.UUID | None:
    """Record one business event in the current transaction; deliver it after commit.

    Returns the new event's id, or None when nothing was recorded: the event is switched
    off, or this business event (same ``idempotency_key``) was recorded before. One SQL
    statement on the request path; fan-out happens in a worker.

    ``as_of``: for a caller that learns of the event after the fact (a poller, the
    reconciliation): it is recorded only if its switch, and the plugin, were on at that time.

    ``saleor_channel``: the store the event happened in (None: it has none). Its slug is kept
    on the row, so that fan-out matches attachments limited to stores without asking Saleor;
    the payload gets ``saleor_channel`` (slug and name, or null) for receivers.
    """
    event = EventType(event)
    source = Source(source)
    as_of = as_of or activity.moment()
    if not idempotency_key:
        raise NotifyError(NotifyErrorCode.REQUIRED, "An idempotency key is required.", "idempotency_key")
    now = timezone.now()
    event_id = uuid.uuid4()
    using = router.db_for_write(RecordedEvent)
    connection = connections[using]
    values = {
        "id": event_id,
        "event": event.value,
        "source": source.value,
        "subject_type": subject_type,
        "subject_id": str(subject_id)[:SUBJECT_ID_MAX],
        "order_id": str(order_id or ""),
        "idempotency_key": bounded_key(idempotency_key),
        "saleor_channel": saleor_channel.slug if saleor_channel is not None else "",
        "payload": {**payload, "saleor_channel": saleor_channel.data() if saleor_channel is not None else None},
        "occurred_at": occurred_at or now,
        "created_at": now,
        "dispatch_requested_at": now,
    }
    meta = RecordedEvent._meta
    columns = {name: _concrete(RecordedEvent, name) for name in values}
    params = [columns[name].get_db_prep_save(value, connection) for name, value in values.items()]
    quote = connection.ops.quote_name
    if as_of is not None:
        at = _concrete(SwitchPeriod, "started_at").get_db_prep_save(as_of, connection)
        subjects = [event.value] + ([SwitchPeriod.PLUGIN] if activity.plugin_tracked() else [])
        condition = " AND ".join([_PERIOD_COVERS] * len(subjects))
        for subject in subjects:
            params += [subject, at, at]
    else:
        condition = _SWITCH_ON_NOW
        params.append(event.value)
    sql = _INSERT_SQL.format(
        table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in columns.values()),
        placeholders=", ".join(["%s"] * len(values)),
        condition=condition.format(
            switch_table=quote(EventSwitch._meta.db_table), period_table=quote(SwitchPeriod._meta.db_table)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone() is not None
    if not inserted:
        return None
    telemetry.remember_recording(event_id)
    broker.send_after_commit(using, broker.FAN_OUT_TASK, str(event_id))
    return event_id
