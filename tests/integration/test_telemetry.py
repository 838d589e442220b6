"""Spans and metrics of real deliveries, captured by OpenTelemetry's in-memory exporter and reader."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from saleor_notify_plugin import telemetry
from saleor_notify_plugin.events import EventType
from tests.builders import attach, final_delivery, postback_channel, record
from tests.support.otel import read_spans
from tests.support.receiver import Reply
from tests.support.waiting import wait_for
from tests.support.worker_process import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]

_spans = InMemorySpanExporter()
_reader = InMemoryMetricReader()


@pytest.fixture(scope="module")
def otel():
    """This process's global OpenTelemetry providers: in memory (set once per process)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_spans))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[_reader]))
    assert isinstance(trace.get_tracer_provider(), TracerProvider), "another test set the providers first"
    return _spans


@pytest.fixture
def spans(otel):
    otel.clear()
    _reader.get_metrics_data()  # forget earlier measurements' deltas (cumulative: read per test below)
    return otel


@pytest.fixture
def in_process():
    """The worker's part runs here, after commit (Celery's eager mode, as a broker-less Saleor runs it)."""
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = False


def _points(name: str) -> list:
    data = _reader.get_metrics_data()
    points = []
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    points += list(metric.data.data_points)
    return points


def test_a_recorded_event_is_one_trace_from_the_request_to_the_attempt(spans, in_process, receiver, path):
    """request -> record, then fan-out (linked to the record) -> attempt, with HTTP attributes and no URL path."""
    channel = postback_channel(receiver.url(path + "?token=s3cret"))
    receiver.script(path + "?token=s3cret", Reply(200))
    attach(EventType.ORDER_COMPLETED, channel)

    with trace.get_tracer("shop").start_as_current_span("POST /graphql/") as request:
        record(EventType.ORDER_COMPLETED, order_id="order-7")
    assert final_delivery(channel).status == "SUCCESS"

    by_name = {s.name: s for s in spans.get_finished_spans()}
    rec, fan, attempt = by_name[telemetry.SPAN_RECORD], by_name[telemetry.SPAN_FAN_OUT], by_name[telemetry.SPAN_ATTEMPT]
    trace_id = request.get_span_context().trace_id
    assert {rec.context.trace_id, fan.context.trace_id, attempt.context.trace_id} == {trace_id}
    assert rec.parent.span_id == request.get_span_context().span_id
    assert [link.context.span_id for link in fan.links] == [rec.context.span_id]
    assert attempt.parent.span_id == fan.context.span_id
    assert attempt.kind is trace.SpanKind.CLIENT
    assert rec.attributes[telemetry.EVENT_TYPE] == "order_completed" and rec.attributes[telemetry.SOURCE] == "shop"
    assert attempt.attributes[telemetry.HTTP_STATUS] == 200
    assert attempt.attributes[telemetry.SERVER_ADDRESS] == "127.0.0.1"
    assert attempt.attributes[telemetry.SERVER_PORT] == int(receiver.base_url.rsplit(":", 1)[1])
    assert attempt.attributes[telemetry.MESSAGING_MESSAGE_ID] == final_delivery(channel).event.envelope_id
    assert not any("s3cret" in str(v) or path in str(v) for s in by_name.values() for v in s.attributes.values())


def test_a_failed_attempt_is_an_error_span_with_its_error_type(spans, in_process, receiver, path):
    channel = postback_channel(receiver.url(path))
    receiver.script(path, Reply(404))
    attach(EventType.REFUND_APPLIED, channel)
    record(EventType.REFUND_APPLIED, order_id="order-8")
    assert final_delivery(channel).status == "FAILED"
    (attempt,) = [s for s in spans.get_finished_spans() if s.name == telemetry.SPAN_ATTEMPT]
    assert attempt.status.status_code is trace.StatusCode.ERROR
    assert attempt.attributes[telemetry.ERROR_TYPE] == "404"


def test_deliveries_are_counted_by_event_kind_and_outcome_and_timed(spans, in_process, receiver, path):
    """503 then 200: one retry and one success counted; two attempt durations in the histogram."""
    channel = postback_channel(receiver.url(path))
    receiver.script(path, Reply(503), Reply(200))
    attach(EventType.TRANSACTION_APPROVED, channel)
    record(EventType.TRANSACTION_APPROVED, order_id="order-9")
    wait_for(lambda: final_delivery(channel), what="the retry (eager) to finish")

    counted = {
        (p.attributes[telemetry.EVENT_TYPE], p.attributes[telemetry.CHANNEL_KIND],
         p.attributes[telemetry.DELIVERY_OUTCOME], p.attributes.get(telemetry.ERROR_TYPE)): p.value
        for p in _points(telemetry.METRIC_ATTEMPTS)
        if p.attributes[telemetry.EVENT_TYPE] == "transaction_approved"
    }
    assert counted == {("transaction_approved", "postback", "retry", "http_503"): 1,
                       ("transaction_approved", "postback", "success", None): 1}
    durations = [p for p in _points(telemetry.METRIC_ATTEMPT_DURATION)
                 if p.attributes[telemetry.EVENT_TYPE] == "transaction_approved"]
    assert sum(p.count for p in durations) == 2
    assert all(0 < p.sum < 5 for p in durations)  # seconds, not milliseconds


def test_the_sweep_records_the_backlog_gauges_and_its_heartbeat(spans, in_process):
    from saleor_notify_plugin import tasks
    from saleor_notify_plugin.models import Heartbeat

    attach(EventType.ORDER_COMPLETED, postback_channel("http://127.0.0.1:9/never"))
    before_recording = time.monotonic()
    current_app.conf.task_always_eager = False  # recorded, never fanned out: the backlog
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("saleor_notify_plugin.pipeline.broker.publisher.submit", lambda *a: None)
            record(EventType.ORDER_COMPLETED, order_id="order-10")
    finally:
        current_app.conf.task_always_eager = True
    tasks.sweep.apply()

    backlog = {p.attributes[telemetry.BACKLOG_KIND]: p.value for p in _points(telemetry.METRIC_BACKLOG)}
    assert backlog == {"events": 1, "deliveries": 0}
    assert 0 < _points(telemetry.METRIC_OLDEST_PENDING_AGE)[0].value < time.monotonic() - before_recording
    assert Heartbeat.objects.get(name="sweep").value >= 1
    assert telemetry.SPAN_SWEEP in [s.name for s in spans.get_finished_spans()]


def test_a_real_worker_links_its_fan_out_to_the_recording_request(otel, receiver, path, tmp_path, transactional_db):
    """Across the broker: the worker's fan-out span links to the shop's record span (message header)."""
    from django.conf import settings
    from django.db import connection

    spans_file = tmp_path / "worker-spans.jsonl"
    queue = f"saleor-notify-otel-{uuid.uuid4().hex[:8]}"
    worker = WorkerProcess(connection.settings_dict["NAME"], queue, tmp_path / "worker.log",
                    {"NOTIFY_TEST_SPANS_FILE": str(spans_file)})
    old_queue = settings.SALEOR_NOTIFY["QUEUE"]
    settings.SALEOR_NOTIFY["QUEUE"] = queue
    worker.start()
    try:
        channel = postback_channel(receiver.url(path))
        receiver.script(path, Reply(200))
        attach(EventType.ORDER_COMPLETED, channel)
        otel.clear()
        with trace.get_tracer("shop").start_as_current_span("POST /graphql/"):
            record(EventType.ORDER_COMPLETED, order_id="order-11")
        wait_for(lambda: final_delivery(channel), 20, what=lambda: f"the delivery\n{worker.log_tail()}")
        def attempt_exported() -> list[dict]:
            found = read_spans(spans_file)
            return found if any(s["name"] == telemetry.SPAN_ATTEMPT for s in found) else []

        worker_spans = wait_for(attempt_exported, 10, what="the worker's spans")
    finally:
        worker.stop()
        settings.SALEOR_NOTIFY["QUEUE"] = old_queue
    (rec,) = [s for s in otel.get_finished_spans() if s.name == telemetry.SPAN_RECORD]
    (fan,) = [s for s in worker_spans if s["name"] == telemetry.SPAN_FAN_OUT]
    (attempt,) = [s for s in worker_spans if s["name"] == telemetry.SPAN_ATTEMPT]
    assert [f"{rec.context.trace_id:032x}", f"{rec.context.span_id:016x}"] in fan["links"]
    assert fan["kind"] == "CONSUMER" and attempt["parent_id"] == fan["span_id"]
    assert attempt["attributes"][telemetry.HTTP_STATUS] == 200


def test_operations_doc_lists_every_span_and_metric_name():
    names = {v for k, v in vars(telemetry).items() if re.match(r"^(SPAN|METRIC)_", k)}
    doc = (ROOT / "docs" / "operations.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in doc) == []
