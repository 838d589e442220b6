"""Spans and metrics of the plugin: through Saleor's telemetry API inside Saleor, OpenTelemetry's elsewhere.

Nothing is configured here: inside Saleor its ``TELEMETRY_*`` settings and the OpenTelemetry SDK
the deployment sets up decide where spans and metrics go (``plugin.py`` installs Saleor's tracer
and meter with :func:`use_saleor`); outside Saleor the global OpenTelemetry providers do. Without
a configured SDK every call here is a cheap no-op. The names are listed in docs/operations.md.

A span's context travels with the task messages (a ``saleor_notify_links`` header), so the
worker's fan-out links back to the shop's request that recorded the events.
"""

from __future__ import annotations

import contextvars
import functools
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from celery import current_task
from celery.signals import before_task_publish
from opentelemetry import metrics, trace
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from . import __version__

if TYPE_CHECKING:  # annotations only: this module loads before the models and is imported by health
    from .delivery.outcome import Outcome
    from .delivery.policy import Verdict
    from .events import EventType, Source
    from .health import Health
    from .models import Delivery

INSTRUMENTATION = "saleor_notify"

# --- names (docs/operations.md lists them; a test keeps the list current) -------------------

SPAN_HOOK = "saleor_notify.hook"
SPAN_RECORD = "saleor_notify.record"
SPAN_FAN_OUT = "saleor_notify.fan_out"
SPAN_DELIVER = "saleor_notify.deliver"
SPAN_ATTEMPT = "saleor_notify.attempt"
SPAN_SWEEP = "saleor_notify.sweep"
SPAN_POLL = "saleor_notify.poll"
SPAN_CAPTURE_HOOKS = "saleor_notify.capture_hooks"

METRIC_ATTEMPTS = "saleor_notify.delivery.attempts"
METRIC_ATTEMPT_DURATION = "saleor_notify.delivery.attempt.duration"
METRIC_BACKLOG = "saleor_notify.outbox.backlog"
METRIC_OLDEST_PENDING_AGE = "saleor_notify.outbox.oldest_pending.age"
METRIC_POLLER_LAG = "saleor_notify.poller.lag"
METRIC_HEARTBEAT_AGE = "saleor_notify.heartbeat.age"

# Attributes: OpenTelemetry's semantic conventions where one exists, the plugin's namespace otherwise.
EVENT_TYPE = "saleor_notify.event.type"
SOURCE = "saleor_notify.source"
CHANNEL_KIND = "saleor_notify.channel.kind"
DELIVERY_ID = "saleor_notify.delivery.id"
DELIVERY_OUTCOME = "saleor_notify.delivery.outcome"
ATTEMPT_NUMBER = "saleor_notify.attempt.number"
ATTEMPT_TRIGGER = "saleor_notify.attempt.trigger"
HOOK_NAME = "saleor_notify.hook.name"
BACKLOG_KIND = "saleor_notify.backlog.kind"
HEARTBEAT_NAME = "saleor_notify.heartbeat.name"
ERROR_TYPE = "error.type"
HTTP_METHOD = "http.request.method"
HTTP_STATUS = "http.response.status_code"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
MESSAGING_SYSTEM = "messaging.system"
MESSAGING_OPERATION = "messaging.operation.type"
MESSAGING_MESSAGE_ID = "messaging.message.id"
MESSAGING_BATCH_COUNT = "messaging.batch.message_count"

#: Upper bounds of the attempt duration histogram (seconds): the 30-second limit is the last.
DURATION_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)

_KINDS = {"internal": SpanKind.INTERNAL, "client": SpanKind.CLIENT, "producer": SpanKind.PRODUCER,
          "consumer": SpanKind.CONSUMER}


class _OpenTelemetry:
    """The OpenTelemetry API with its global providers (outside Saleor)."""

    def __init__(self) -> None:
        self._tracer = trace.get_tracer(INSTRUMENTATION, __version__)
        meter = metrics.get_meter(INSTRUMENTATION, __version__)
        self._counter = meter.create_counter(METRIC_ATTEMPTS, "{count}", "Delivery attempts by outcome")
        self._histogram = meter.create_histogram(
            METRIC_ATTEMPT_DURATION, "s", "Duration of a delivery attempt",
            explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS_S),
        )

    def span(
        self, name: str, kind: SpanKind, attributes: dict[str, Any], links: Sequence[Link]
    ) -> AbstractContextManager[trace.Span]:
        return self._tracer.start_as_current_span(name, kind=kind, attributes=attributes, links=links)

    def count_attempt(self, attributes: dict[str, Any]) -> None:
        self._counter.add(1, attributes)

    def time_attempt(self, seconds: float, attributes: dict[str, Any]) -> None:
        self._histogram.record(seconds, attributes)

    def meter_provider(self) -> metrics.MeterProvider | None:
        return None  # the global one


class _Saleor(_OpenTelemetry):
    """Saleor's ``tracer`` and ``meter`` proxies (``saleor.core.telemetry``), service scope."""

    def __init__(self, saleor_telemetry: Any) -> None:
        self._t = saleor_telemetry
        scope, kind = saleor_telemetry.Scope.SERVICE, saleor_telemetry.MetricType
        unit = saleor_telemetry.Unit
        for name, metric_type, metric_unit, description, buckets in (
            (METRIC_ATTEMPTS, kind.COUNTER, unit.COUNT, "Delivery attempts by outcome", None),
            (METRIC_ATTEMPT_DURATION, kind.HISTOGRAM, unit.SECOND, "Duration of a delivery attempt",
             list(DURATION_BUCKETS_S)),
        ):
            try:
                saleor_telemetry.meter.create_metric(
                    name, type=metric_type, unit=metric_unit, scope=scope, description=description,
                    bucket_boundaries=buckets,
                )
            except RuntimeError:  # DuplicateMetricError: created by an earlier import
                pass

    def span(
        self, name: str, kind: SpanKind, attributes: dict[str, Any], links: Sequence[Link]
    ) -> AbstractContextManager[trace.Span]:
        return cast(AbstractContextManager[trace.Span], self._t.tracer.start_as_current_span(
            name, scope=self._t.Scope.SERVICE, kind=kind, attributes=attributes, links=links
        ))

    def count_attempt(self, attributes: dict[str, Any]) -> None:
        self._t.meter.record(METRIC_ATTEMPTS, 1, self._t.Unit.COUNT, attributes=attributes)

    def time_attempt(self, seconds: float, attributes: dict[str, Any]) -> None:
        self._t.meter.record(METRIC_ATTEMPT_DURATION, seconds, self._t.Unit.SECOND, attributes=attributes)

    def meter_provider(self) -> metrics.MeterProvider | None:
        # Saleor's Meter has no gauges; they go to the provider its configured Meter class uses
        # (``TELEMETRY_METER_CLASS.meter_provider``, the global one when None).
        configured = getattr(self._t.meter, "_meter", None)
        return getattr(configured, "meter_provider", None)


_backend: _OpenTelemetry = _OpenTelemetry()


def use_saleor(saleor_telemetry: Any) -> None:
    """Send spans and metrics through Saleor's telemetry (called by ``plugin.py``)."""
    global _backend
    _backend = _Saleor(saleor_telemetry)


# --- spans ----------------------------------------------------------------------------------


def span(name: str, *, kind: str = "internal", attributes: Mapping[str, Any] | None = None,
         links: Sequence[Link] = ()) -> AbstractContextManager[trace.Span]:
    """A span around a block (the current span is its parent); the ``with`` gives the span.

    The tracer's own context manager, not one wrapped around it: a hook opens one per event.
    """
    clean = {k: v for k, v in attributes.items() if v is not None and v != ""} if attributes else {}
    return _backend.span(name, _KINDS[kind], clean, list(links))


def traced[F: Callable[..., Any]](name: str, attributes: Callable[..., Mapping[str, Any]] | None = None,
                                  kind: str = "internal") -> Callable[[F], F]:
    """Decorator: run the function in a span; ``attributes(*args, **kwargs)`` names its attributes."""

    def decorate(func: F) -> F:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with span(name, kind=kind, attributes=attributes(*args, **kwargs) if attributes else None):
                return func(*args, **kwargs)

        functools.update_wrapper(wrapper, func, assigned=("__name__", "__doc__"), updated=())
        return cast(F, wrapper)  # it takes and returns what ``func`` does

    return decorate


def bind[T](func: Callable[..., T]) -> Callable[..., T]:
    """``func`` to run in another thread (the sender pool) as a child of the current span."""
    context = contextvars.copy_context()
    return lambda *args: context.run(func, *args)


def record_attributes(event: EventType | str, source: Source | str, **kwargs: Any) -> dict[str, Any]:
    """The ``saleor_notify.record`` span's attributes, from ``pipeline.recording.record_event``'s arguments."""
    return {
        EVENT_TYPE: str(getattr(event, "value", event)).lower(),
        SOURCE: str(getattr(source, "value", source)).lower(),
        MESSAGING_OPERATION: "create",
    }


# --- attempts -------------------------------------------------------------------------------


def _target(url: str) -> dict[str, Any]:
    """``server.address`` / ``server.port`` of a target (never the path or query: they may hold tokens)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return {}
    return {SERVER_ADDRESS: parts.hostname, SERVER_PORT: port}


def _delivery_attributes(delivery: Delivery) -> dict[str, Any]:
    return {EVENT_TYPE: str(delivery.event.event).lower(), CHANNEL_KIND: str(delivery.channel_kind).lower()}


@contextmanager
def attempt(delivery: Delivery) -> Iterator[Callable[[Outcome], Outcome]]:
    """A CLIENT span around one attempt; yields ``observe(outcome) -> outcome`` to record its result."""
    channel = delivery.channel
    attributes = {
        **_delivery_attributes(delivery),
        DELIVERY_ID: delivery.pk,
        ATTEMPT_NUMBER: delivery.attempt_count,
        ATTEMPT_TRIGGER: str(delivery.next_trigger).lower(),
        MESSAGING_MESSAGE_ID: delivery.event.envelope_id,
    }
    if channel is not None and channel.kind != "EMAIL":
        attributes.update({HTTP_METHOD: "POST", **_target(channel.target_url)})
    with span(SPAN_ATTEMPT, kind="client", attributes=attributes) as current:
        started = time.perf_counter()

        def observe(outcome: Outcome) -> Outcome:
            if outcome.status_code is not None and channel is not None and channel.kind != "EMAIL":
                current.set_attribute(HTTP_STATUS, outcome.status_code)
            error = outcome.error_kind.value if outcome.error_kind else None
            if error is None and outcome.status_code is not None and not 200 <= outcome.status_code < 300:
                error = str(outcome.status_code)
            if error is not None:
                current.set_attribute(ERROR_TYPE, error)
                current.set_status(Status(StatusCode.ERROR))
            timing = _delivery_attributes(delivery)
            if error is not None:
                timing[ERROR_TYPE] = error
            # Timed here, not from the outcome's whole milliseconds: a post to a nearby receiver
            # can take less than one.
            _backend.time_attempt(time.perf_counter() - started, timing)
            return outcome

        yield observe


def count_verdict(delivery: Delivery, verdict: Verdict | str, reason: str = "") -> None:
    """One attempt decided: ``success``, ``retry`` or ``failed`` (``saleor_notify.delivery.attempts``)."""
    attributes = {**_delivery_attributes(delivery), DELIVERY_OUTCOME: str(getattr(verdict, "value", verdict)).lower()}
    if reason:
        attributes[ERROR_TYPE] = reason
    _backend.count_attempt(attributes)


# --- gauges (recorded by the sweep and the health query) ------------------------------------

_gauges: dict[int, dict[str, Any]] = {}
_gauge_lock = threading.Lock()


def _gauge(name: str, unit: str, description: str) -> Any:
    provider = _backend.meter_provider()
    with _gauge_lock:
        instruments = _gauges.setdefault(id(provider), {})
        if name not in instruments:
            meter = (provider.get_meter(INSTRUMENTATION, __version__) if provider is not None
                     else metrics.get_meter(INSTRUMENTATION, __version__))
            instruments[name] = meter.create_gauge(name, unit, description)
        return instruments[name]


def record_health(health: Health) -> None:
    """Record the gauges from a :class:`saleor_notify_plugin.health.Health` snapshot."""
    backlog = _gauge(METRIC_BACKLOG, "{count}", "Events not fanned out and due deliveries not sent")
    backlog.set(health.pending_events, {BACKLOG_KIND: "events"})
    backlog.set(health.due_deliveries, {BACKLOG_KIND: "deliveries"})
    _gauge(METRIC_OLDEST_PENDING_AGE, "s", "Age of the oldest event or due delivery still waiting").set(
        health.oldest_pending_age_s
    )
    if health.poller_lag_s is not None:
        _gauge(METRIC_POLLER_LAG, "s", "Seconds since the transaction poller last ran").set(health.poller_lag_s)
    ages = _gauge(METRIC_HEARTBEAT_AGE, "s", "Seconds since each periodic task last ran")
    for name, age in health.heartbeat_ages_s.items():
        if age is not None:
            ages.set(age, {HEARTBEAT_NAME: name})


# --- context across the broker --------------------------------------------------------------

LINKS_HEADER = "saleor_notify_links"
_LINKS_KEPT = 10_000
_recorded: OrderedDict[str, SpanContext] = OrderedDict()
_recorded_lock = threading.Lock()


def remember_recording(event_id: uuid.UUID | str) -> None:
    """Keep the current span's context for the message that will carry ``event_id`` to a worker."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return
    with _recorded_lock:
        _recorded[str(event_id)] = context
        while len(_recorded) > _LINKS_KEPT:
            _recorded.popitem(last=False)


def _encode(context: SpanContext) -> list[Any]:
    return [f"{context.trace_id:032x}", f"{context.span_id:016x}", int(context.trace_flags)]


@before_task_publish.connect(weak=False)
def _add_links_header(
    sender: str | None = None, body: Any = None, headers: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    """Put the recording spans (and the current span) of a plugin task's message in its headers."""
    if headers is None or not str(sender or "").startswith("saleor_notify."):
        return
    contexts: list[SpanContext] = []
    args = body[0] if isinstance(body, (list, tuple)) and body else ()
    ids = args[0] if args and isinstance(args[0], (list, tuple)) else args[:1]
    with _recorded_lock:
        contexts += [c for c in (_recorded.pop(str(i), None) for i in ids) if c is not None]
    current = trace.get_current_span().get_span_context()
    if current.is_valid:
        contexts.append(current)
    if contexts:
        headers[LINKS_HEADER] = [_encode(c) for c in contexts[:32]]


def task_links(event_ids: Sequence[uuid.UUID | str] = ()) -> list[Link]:
    """Links to the spans that produced the running task's message: from its header, or (a task run
    in the recording process, eagerly) the recordings of ``event_ids`` themselves."""
    request = getattr(current_task, "request", None)
    raw = getattr(request, LINKS_HEADER, None) or (getattr(request, "headers", None) or {}).get(LINKS_HEADER) or []
    with _recorded_lock:
        local = [c for c in (_recorded.pop(str(i), None) for i in event_ids) if c is not None]
    return [Link(c) for c in local] + links_from(raw)


def current_context() -> list[Any] | None:
    """The current span's context as plain data for a message (None: no span)."""
    context = trace.get_current_span().get_span_context()
    return _encode(context) if context.is_valid else None


def links_from(encoded: Iterable[Any]) -> list[Link]:
    """Links to the spans that :func:`current_context` encoded (malformed entries are skipped)."""
    links = []
    for item in encoded:
        try:
            trace_id, span_id, flags = item
            context = SpanContext(int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=TraceFlags(flags))
        except (TypeError, ValueError):
            continue
        if context.is_valid:
            links.append(Link(context))
    return links
