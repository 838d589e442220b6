"""With Saleor's telemetry configured (its test tracer and meter), a real payment's notification is
traced from Saleor's GraphQL request to the attempt, and its metrics reach Saleor's meter."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from saleor_notify_plugin import channels, health, telemetry
from saleor_notify_plugin.capture.tasks import capture
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.models import Delivery
from saleor_notify_plugin.tasks import sweep

from .test_events import report

# Committed like a real request (no test transaction around it): the hooks run inside Saleor's span.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def saleor_telemetry(initialize_test_telemetry):
    from saleor.core.telemetry import meter, tracer

    exporter, reader = tracer._tracer.span_exporter, meter._meter.metric_reader
    exporter.clear()
    reader.get_metrics_data()  # delta temporality: start from nothing
    return exporter, reader


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver_url():
    """A real HTTP receiver on loopback answering 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/crm"
    server.shutdown()
    server.server_close()


def _points(data, name):
    return [
        point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


def test_a_payment_is_traced_from_saleors_request_to_the_attempt(
    notify, saleor_telemetry, receiver_url, staff_api_client, permission_manage_payments, order_with_lines,
    transaction_item_generator,
):
    exporter, reader = saleor_telemetry
    channel = channels.create_channel(name="CRM", kind="POSTBACK", url=receiver_url)
    channels.attach_channel(EventType.ORDER_COMPLETED, channel.pk, ["SHOP"])
    order = order_with_lines
    item = transaction_item_generator(order_id=order.pk)

    report(staff_api_client, permission_manage_payments, item, "CHARGE_SUCCESS", order.total.gross.amount)

    assert Delivery.objects.get(channel=channel).status == "SUCCESS"
    spans = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}

    def ancestors(span):
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            yield span

    (record,) = [s for s in spans if s.name == telemetry.SPAN_RECORD
                 and s.attributes[telemetry.EVENT_TYPE] == "order_completed"]
    (fan_out,) = [s for s in spans if s.name == telemetry.SPAN_FAN_OUT
                  if record.context.span_id in [link.context.span_id for link in s.links]]
    (attempt,) = [s for s in spans if s.name == telemetry.SPAN_ATTEMPT]
    names = [s.name for s in ancestors(record)]
    assert names[0] == telemetry.SPAN_HOOK and "/graphql/" in names  # Saleor's request span
    assert by_id[record.parent.span_id].attributes[telemetry.HOOK_NAME] in {"order_paid", "order_fully_paid"}
    assert attempt.parent.span_id == fan_out.context.span_id
    assert attempt.attributes[telemetry.HTTP_STATUS] == 200
    assert record.attributes["operation.name"] == telemetry.SPAN_RECORD  # Saleor's tracer enriched it

    sweep.apply()
    capture.apply()
    data = reader.get_metrics_data()
    (attempts,) = [p for p in _points(data, telemetry.METRIC_ATTEMPTS)
                   if p.attributes[telemetry.EVENT_TYPE] == "order_completed"]
    assert attempts.value == 1 and attempts.attributes[telemetry.DELIVERY_OUTCOME] == "success"
    assert sum(p.count for p in _points(data, telemetry.METRIC_ATTEMPT_DURATION)) >= 1
    backlog = {p.attributes[telemetry.BACKLOG_KIND]: p.value for p in _points(data, telemetry.METRIC_BACKLOG)}
    assert backlog == {"events": 0, "deliveries": 0}
    assert _points(data, telemetry.METRIC_OLDEST_PENDING_AGE)[0].value == 0

    snapshot = health.snapshot()
    assert snapshot.poller_lag_s is not None and snapshot.poller_lag_s < 5
    assert telemetry.SPAN_POLL in [s.name for s in exporter.get_finished_spans()]
