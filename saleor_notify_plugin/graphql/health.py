"""``notificationHealth``: whether beat, the workers and the poller run, and how large the backlog is."""

from __future__ import annotations

import graphene

from .. import health, telemetry
from .info import Info, require
from .queries import Query as BaseQuery
from .requestor import Permission


class NotificationHealthProblemCode(graphene.Enum):
    BEAT_STOPPED = "BEAT_STOPPED"
    WORKER_STOPPED = "WORKER_STOPPED"
    POLLER_STOPPED = "POLLER_STOPPED"
    BACKLOG_GROWING = "BACKLOG_GROWING"


class NotificationHealthProblem(graphene.ObjectType):
    code = graphene.Field(NotificationHealthProblemCode, required=True)
    message = graphene.String(required=True)


class NotificationHealth(graphene.ObjectType):
    healthy = graphene.Boolean(required=True, description="No problem below.")
    checked_at = graphene.DateTime(required=True)
    backlog = graphene.Int(required=True, description="Events not fanned out plus due deliveries not sent.")
    pending_events = graphene.Int(required=True, description="Recorded events not fanned out yet.")
    due_deliveries = graphene.Int(required=True, description="Pending deliveries whose attempt is due.")
    oldest_pending_age_seconds = graphene.Float(required=True, description="How long the oldest of them waits.")
    backlog_growing = graphene.Boolean(required=True, description="Larger than at the last sweep.")
    beat_last_run_at = graphene.DateTime(description="When beat last sent the plugin's periodic tasks.")
    sweep_last_run_at = graphene.DateTime(description="When a worker last ran the sweep.")
    poller_last_run_at = graphene.DateTime(description="When the transaction poller last finished (Saleor only).")
    poller_lag_seconds = graphene.Float(description="Seconds since then.")
    problems = graphene.List(graphene.NonNull(NotificationHealthProblem), required=True)


def resolve_health(root: object, info: Info) -> NotificationHealth:
    require(info, Permission.MANAGE_PLUGINS)
    snapshot = health.snapshot()
    telemetry.record_health(snapshot)
    return NotificationHealth(
        healthy=snapshot.healthy,
        checked_at=snapshot.checked_at,
        backlog=snapshot.backlog,
        pending_events=snapshot.pending_events,
        due_deliveries=snapshot.due_deliveries,
        oldest_pending_age_seconds=round(snapshot.oldest_pending_age_s, 3),
        backlog_growing=snapshot.backlog_growing,
        beat_last_run_at=snapshot.last_run_at[health.BEAT],
        sweep_last_run_at=snapshot.last_run_at[health.SWEEP],
        poller_last_run_at=snapshot.last_run_at[health.POLLER],
        poller_lag_seconds=None if snapshot.poller_lag_s is None else round(snapshot.poller_lag_s, 3),
        problems=[NotificationHealthProblem(code=p.code, message=p.message) for p in snapshot.problems],
    )


class Query(BaseQuery):
    notification_health = graphene.Field(
        NotificationHealth, required=True, resolver=resolve_health,
        description="Whether beat, the workers and the transaction poller run, and the backlog. MANAGE_PLUGINS.",
    )
