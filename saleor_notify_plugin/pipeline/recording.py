"""Recording one business event: the guarded INSERT in the caller's transaction.

Owns :func:`record_event` and the rules of a recorded row: the idempotency key as stored
(:func:`bounded_key`), the switch (or, for a late recorder, the switch's period) that must
cover the event, one row per business event, the store it happened in (on the row, for
fan-out, and in the payload, for receivers). One SQL statement on the shop's request path.

Hands to the next stage: after commit, the new event's id to ``broker`` as a
``saleor_notify.fan_out`` message (published beside the request, never within it).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.utils import timezone

from .. import activity, telemetry
from ..errors import NotifyError, NotifyErrorCode
from ..events import EventType, Source
from ..models import EventSwitch, RecordedEvent, SwitchPeriod
from ..payloads import SaleorChannel
from . import broker, recordsets

_INSERT_SQL = """
INSERT INTO {table} ({columns})
SELECT {placeholders}
{guard}
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
"""
#: A hook records in the moment: the switch must be on now. Its row selects the new one (the
#: event is the switch table's key: one row or none), a plainer plan than an EXISTS.
_SWITCH_ON_NOW = "FROM {switch_table} WHERE event = %s AND is_enabled"
#: A late recorder asks about the moment of the business event: its switch's period (and the plugin's).
_PERIOD_COVERS = (
    "EXISTS (SELECT 1 FROM {period_table}"
    " WHERE subject = %s AND started_at <= %s AND (ended_at IS NULL OR ended_at > %s))"
)

SUBJECT_ID_MAX = RecordedEvent._meta.get_field("subject_id").max_length or 255
_KEY_MAX = RecordedEvent._meta.get_field("idempotency_key").max_length or 255


#: The row's columns, in the order ``record_event`` passes their values.
_COLUMNS = (
    "id", "event", "source", "subject_type", "subject_id", "order_id", "idempotency_key",
    "saleor_channel", "payload", "occurred_at", "created_at", "dispatch_requested_at",
)
_FIELDS = tuple(recordsets.field(RecordedEvent, name) for name in _COLUMNS)
#: The fields' conversions to the database's values (the text columns take a ``str`` as it is;
#: the three moments share one conversion, done once when they are the same moment).
_PREPARE_ID = recordsets.field(RecordedEvent, "id").get_db_prep_save
_PREPARE_PAYLOAD = recordsets.field(RecordedEvent, "payload").get_db_prep_save
_PREPARE_MOMENT = recordsets.field(RecordedEvent, "created_at").get_db_prep_save


@functools.cache
def _insert_sql(using: str, period_subjects: int) -> str:
    """The guarded INSERT for database ``using``: the switch on now (``period_subjects`` 0), or
    that many switch periods covering the moment. Built once per shape: only values change."""
    quote = connections[using].ops.quote_name
    guard = ("WHERE " + " AND ".join([_PERIOD_COVERS] * period_subjects)) if period_subjects else _SWITCH_ON_NOW
    return _INSERT_SQL.format(
        table=quote(RecordedEvent._meta.db_table),
        columns=", ".join(quote(field.column) for field in _FIELDS),
        placeholders=", ".join(["%s"] * len(_COLUMNS)),
        guard=guard.format(
            switch_table=quote(EventSwitch._meta.db_table), period_table=quote(SwitchPeriod._meta.db_table)
        ),
    )


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
    db_now = _PREPARE_MOMENT(now, connection)
    params: list[Any] = [  # in the order of _COLUMNS
        _PREPARE_ID(event_id, connection),
        event.value,
        source.value,
        str(subject_type),
        str(subject_id)[:SUBJECT_ID_MAX],
        str(order_id or ""),
        bounded_key(idempotency_key),
        saleor_channel.slug if saleor_channel is not None else "",
        _PREPARE_PAYLOAD(
            {**payload, "saleor_channel": saleor_channel.data() if saleor_channel is not None else None}, connection
        ),
        _PREPARE_MOMENT(occurred_at, connection) if occurred_at else db_now,
        db_now,
        db_now,
    ]
    if as_of is not None:
        at = _PREPARE_MOMENT(as_of, connection)
        subjects = [event.value] + ([SwitchPeriod.PLUGIN] if activity.plugin_tracked() else [])
        for subject in subjects:
            params += [subject, at, at]
        sql = _insert_sql(using, len(subjects))
    else:
        params.append(event.value)
        sql = _insert_sql(using, 0)
    with recordsets.bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone() is not None
    if not inserted:
        return None
    telemetry.remember_recording(event_id)
    broker.send_after_commit(using, broker.FAN_OUT_TASK, str(event_id))
    return event_id
