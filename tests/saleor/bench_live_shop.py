"""Benchmark (not a test): what the plugin adds to five shop mutations in a live Saleor.

    cd <this checkout> && <saleor-venv>/bin/python -m tests.saleor.bench_live_shop --rounds 30

Saleor runs as a shop runs it (``tests/dashboard/live.py``): its API under uvicorn
(``saleor.asgi:application``), a Celery worker and beat, on a fresh copy of a populated
template shop (made once with ``populatedb``: the first run takes several minutes). The
processes use a settings module of the deployment that imports Saleor's and changes nothing
else Saleor's workers see (a stock worker: no ``CELERY_DB_REUSE_MAX``): it allows postbacks
to 127.0.0.1, where this script runs the receiver, and adds a middleware that reports the
server's own time and SQL count of each request in a ``Server-Timing`` header.

The plugin is set active with every event switched on, and one postback channel is attached
to every event and source. Then, round by round, each of ``checkoutComplete``,
``draftOrderComplete``, ``orderMarkAsPaid``, ``orderFulfill`` and ``accountRegister`` is timed
over HTTP with the plugin active and inactive (the order of the two alternates from round to
round), its input prepared outside the timed part. The result is printed and written to
``build/benchmarks/live_shop.json``. Goal: the plugin adds at most 2 % and at most 5 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from tests.support.worker_process import cpu_s

if TYPE_CHECKING:
    from tests.dashboard.live import LiveSaleor

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "build" / "benchmarks"
PLUGIN = "saleor.notify"
MUTATIONS = ("checkoutComplete", "draftOrderComplete", "orderMarkAsPaid", "orderFulfill", "accountRegister")
GOAL_PCT, GOAL_MS = 2.0, 5.0
#: A request's notifications wait for its response (``broker.REQUEST_HOLD_MAX_S`` at most): one that
#: comes later than this after the response was held past its request.
HELD_TOO_LONG_MS = 2000.0
SETTINGS_MODULE = "notify_live_bench_settings"
#: The deployment's settings module the live shop runs with (written under build/ at each run).
SETTINGS_TEXT = '''"""Saleor's settings as a deployment extends them for the live-shop benchmark."""
from saleor.settings import *  # noqa: F403

SALEOR_NOTIFY = {"ALLOW_PRIVATE_TARGETS": True}  # the receiver is on 127.0.0.1
SECURE_SSL_REDIRECT = False  # plain HTTP on loopback, as behind a TLS-terminating proxy
MIDDLEWARE = ["tests.saleor.bench_live_shop.ServerTiming", *MIDDLEWARE]  # noqa: F405
'''
ADDRESS = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "streetAddress1": "1470 Pennsylvania Avenue",
    "city": "Fort Worth",
    "postalCode": "76104",
    "country": "US",
    "countryArea": "TX",
}
#: The file of each mutation in Saleor's source: py-spy samples of the timed mutation have it on their stack.
MUTATION_FILES = {
    "checkoutComplete": "checkout_complete.py",
    "draftOrderComplete": "draft_order_complete.py",
    "orderMarkAsPaid": "order_mark_as_paid.py",
    "orderFulfill": "order_fulfill.py",
    "accountRegister": "account_register.py",
}


# --- inside the shop's API process ------------------------------------------------------------


SQL_LOG_ENV = "NOTIFY_BENCH_SQL_LOG"
LABEL_HEADER = "X-Bench-Label"


def _plugin_on_stack() -> bool:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if "saleor_notify_plugin" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


class ServerTiming:
    """Django middleware (in the live shop only): the request's own time, SQL count and time.

    ``Server-Timing: app;dur=<ms>, db;dur=<ms>, sql;desc=<queries>, notify-sql;desc=<queries on the
    plugin's tables>``. With ``NOTIFY_BENCH_SQL_LOG`` set (a file), also ``plugin-sql`` and
    ``plugin-db``: the queries run with the plugin's code on the stack (its hooks, whichever tables),
    and for a request with an ``X-Bench-Label`` header each of them, time and text, as a JSON line.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.sql_log = os.environ.get(SQL_LOG_ENV) or None

    def __call__(self, request: Any) -> Any:
        from django.db import connections

        stats: dict[str, float] = {"queries": 0, "notify": 0, "db_s": 0.0, "plugin": 0, "plugin_db_s": 0.0}
        plugin_queries: list[tuple[float, str]] = []
        detail = self.sql_log is not None

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                elapsed = time.perf_counter() - started
                stats["db_s"] += elapsed
                stats["queries"] += 1
                if "saleor_notify_" in sql:
                    stats["notify"] += 1
                if detail and _plugin_on_stack():
                    stats["plugin"] += 1
                    stats["plugin_db_s"] += elapsed
                    plugin_queries.append((round(elapsed * 1000, 3), " ".join(sql.split())))

        started = time.perf_counter()
        with contextlib.ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(count))
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        timing = (
            f"app;dur={elapsed_ms:.2f}, db;dur={stats['db_s'] * 1000:.2f}, "
            f"sql;desc={stats['queries']}, notify-sql;desc={stats['notify']}"
        )
        if self.sql_log is not None:
            timing += f", plugin-sql;desc={stats['plugin']}, plugin-db;dur={stats['plugin_db_s'] * 1000:.2f}"
            label = request.headers.get(LABEL_HEADER)
            if label:
                with open(self.sql_log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"label": label, "queries": plugin_queries}) + "\n")
        response["Server-Timing"] = timing
        return response


# --- the receiver --------------------------------------------------------------------------------


class Receiver:
    """A keep-alive HTTP/1.1 receiver on 127.0.0.1 that answers 200 at once and counts each event once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, str] = {}  # webhook-id: event
        self.arrived: dict[str, float] = {}  # webhook-id: time.time() of its first arrival
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                try:
                    event = str(json.loads(body).get("event"))
                except ValueError:
                    event = "?"
                webhook_id = self.headers.get("webhook-id") or uuid.uuid4().hex
                with receiver.lock:
                    receiver.requests += 1
                    receiver.seen[webhook_id] = event
                    receiver.arrived.setdefault(webhook_id, time.time())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/crm"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.seen.values())

    def arrivals_since(self, since: float) -> list[float]:
        """The first-arrival times (time.time()) of the notifications that first came after ``since``."""
        with self.lock:
            return sorted(t for t in self.arrived.values() if t >= since)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- talking to the shop ---------------------------------------------------------------------


class GraphQLError(RuntimeError):
    pass


@dataclass
class Answer:
    data: dict[str, Any]
    wall_ms: float
    server: dict[str, float]


class Api:
    """One keep-alive HTTP connection to a GraphQL endpoint."""

    def __init__(self, port: int, path: str) -> None:
        self.port, self.path = port, path
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None, label: str = ""
    ) -> Answer:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"Content-Type": "application/json", "Host": "localhost"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if label:
            headers[LABEL_HEADER] = label
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request("POST", self.path, body=body, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                wall_ms = (time.perf_counter() - started) * 1000
                break
            except (ConnectionError, http.client.HTTPException):
                # the server closed an idle keep-alive connection: one new one, once
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        if response.status != 200:
            raise GraphQLError(f"HTTP {response.status} from {self.path}: {raw[:500]!r}")
        answer = json.loads(raw)
        if answer.get("errors"):
            raise GraphQLError(f"{query.split('(')[0].strip()}: {answer['errors']}")
        return Answer(answer["data"], wall_ms, _server_timing(response.getheader("Server-Timing") or ""))

    def close(self) -> None:
        self.connection.close()


def _server_timing(header: str) -> dict[str, float]:
    values = {}
    for name, _kind, value in re.findall(r"([\w-]+);(dur|desc)=([\d.]+)", header):
        values[name] = float(value)
    return values


def _payload(data: dict[str, Any], name: str) -> dict[str, Any]:
    result = data[name]
    if result.get("errors"):
        raise GraphQLError(f"{name}: {result['errors']}")
    return result


PLUGIN_UPDATE = """
mutation($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) {
    plugin { globalConfiguration { active } } errors { field message } } }
"""
PLUGIN_ACTIVE = "query($id: ID!) { plugin(id: $id) { globalConfiguration { active } } }"
PLUGIN_FIELDS = "query($id: ID!) { plugin(id: $id) { globalConfiguration { configuration { name } } } }"
CHECKOUT_CREATE = """
mutation($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id shippingMethods { id } } errors { field code message } } }
"""
CHECKOUT_DELIVERY = """
mutation($id: ID!, $method: ID!) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $method) {
    checkout { totalPrice { gross { amount currency } } } errors { field code message } } }
"""
TRANSACTION_CREATE = """
mutation($id: ID!, $transaction: TransactionCreateInput!) {
  transactionCreate(id: $id, transaction: $transaction) { transaction { id } errors { field code message } } }
"""
CHECKOUT_COMPLETE = """
mutation($id: ID!) { checkoutComplete(id: $id) { order { id } errors { field code message } } }
"""
DRAFT_CREATE = """
mutation($input: DraftOrderCreateInput!) {
  draftOrderCreate(input: $input) { order { id } errors { field code message } } }
"""
DRAFT_COMPLETE = """
mutation($id: ID!) { draftOrderComplete(id: $id) { order { id status } errors { field code message } } }
"""
MARK_AS_PAID = "mutation($id: ID!) { orderMarkAsPaid(id: $id) { order { id isPaid } errors { field code message } } }"
ORDER_LINES = """
query($id: ID!) { order(id: $id) { lines { id quantity allocations { warehouse { id } } variant { stocks {
  warehouse { id } quantity } } } } }
"""
ORDER_FULFILL = """
mutation($order: ID!, $input: OrderFulfillInput!) {
  orderFulfill(order: $order, input: $input) { fulfillments { id } errors { field code message } } }
"""
ACCOUNT_REGISTER = """
mutation($input: AccountRegisterInput!) { accountRegister(input: $input) { user { id } errors { field code message } } }
"""
SHOP_VARIANTS = """
query($channel: String!) {
  products(first: 60, channel: $channel) { edges { node { isAvailableForPurchase productType { isShippingRequired }
    variants { id quantityAvailable(countryCode: US) } } } } }
"""


@dataclass
class Sample:
    mutation: str
    active: bool
    round: int
    wall_ms: float
    server_ms: float | None
    db_ms: float | None
    queries: int | None
    notify_queries: int | None
    #: With --sql-detail: the queries run from the plugin's code, and their time.
    plugin_queries: int | None
    plugin_db_ms: float | None
    #: Events recorded between the request and the worker's quiet that happened in that window.
    events: dict[str, int] = field(default_factory=dict)
    #: Events recorded then by a late recorder (the payment poller) about something earlier.
    late_events: dict[str, int] = field(default_factory=dict)
    #: From the response's end to the last notification of this request at the receiver (active rounds).
    delivered_ms: float | None = None


class Shop:
    """The live shop seen through its API: the staff token, the plugin's switch, the prepared inputs."""

    def __init__(self, saleor: LiveSaleor, database_url: str) -> None:
        import psycopg

        self.saleor = saleor
        self.api = Api(saleor.port, "/graphql/")
        self.timed = Api(saleor.port, "/graphql/")  # the timed mutations only
        self.notify = Api(saleor.port, f"/plugins/global/{PLUGIN}/graphql/")
        self.db = psycopg.connect(database_url, autocommit=True)
        self.token = ""
        self.login()
        channels = self.gql("{ channels { id slug currencyCode } }")["channels"]
        channel = next((c for c in channels if c["slug"] == "default-channel"), channels[0])
        self.channel_id, self.channel_slug = channel["id"], channel["slug"]
        self.variants = self._variants()
        self.turn = 0
        self._method: str | None = None

    def login(self) -> None:
        """A fresh staff token (Saleor's access tokens last 5 minutes; a run takes longer)."""
        from tests.dashboard.live import SUPERUSER

        self.token = _payload(
            self.api.call(
                "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) "
                "{ token errors { field message } } }",
                {"e": SUPERUSER[0], "p": SUPERUSER[1]},
            ).data,
            "tokenCreate",
        )["token"]

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.api.call(query, variables, self.token).data

    def close(self) -> None:
        for api in (self.api, self.timed, self.notify):
            api.close()
        self.db.close()

    def _variants(self) -> list[str]:
        edges = self.gql(SHOP_VARIANTS, {"channel": self.channel_slug})["products"]["edges"]
        stocked = [
            (v["quantityAvailable"] or 0, v["id"])
            for e in edges
            if e["node"]["isAvailableForPurchase"] and e["node"]["productType"]["isShippingRequired"]
            for v in e["node"]["variants"]
        ]
        stocked.sort(reverse=True)
        if not stocked or stocked[0][0] < 5:
            raise RuntimeError("the shop has no stocked variant to sell (is the template shop populated?)")
        return [vid for quantity, vid in stocked[:20] if quantity >= 5]

    def next_variant(self) -> str:
        self.turn += 1
        return self.variants[self.turn % len(self.variants)]

    # the plugin

    def set_plugin(self, active: bool, switches: bool = False) -> None:
        plugin_input: dict[str, Any] = {"active": active}
        if switches:  # every event's switch (the configuration's event_<event> fields)
            names = self.gql(PLUGIN_FIELDS, {"id": PLUGIN})["plugin"]["globalConfiguration"]["configuration"]
            plugin_input["configuration"] = [
                {"name": f["name"], "value": "true"} for f in names if f["name"].startswith("event_")
            ]
        result = _payload(self.gql(PLUGIN_UPDATE, {"id": PLUGIN, "input": plugin_input}), "pluginUpdate")
        if result["plugin"]["globalConfiguration"]["active"] is not active:
            raise RuntimeError(f"pluginUpdate answered active={result['plugin']['globalConfiguration']['active']}")
        # What the next request's plugin manager sees (Saleor builds one per request, from the database).
        seen = self.gql(PLUGIN_ACTIVE, {"id": PLUGIN})["plugin"]["globalConfiguration"]["active"]
        if seen is not active:
            raise RuntimeError(f"the plugin reads active={seen} after pluginUpdate(active={active})")
        # Saleor answers the plugin's own route only while the request's plugin manager sees it active.
        if self.plugin_route_answers() is not active:
            raise RuntimeError(f"the plugin's route does not follow pluginUpdate(active={active})")

    def plugin_route_answers(self) -> bool:
        try:
            self.notify.call("{ notificationEvents { type } }", None, self.token)
        except GraphQLError:
            return False
        return True

    def make_channel(self, url: str) -> None:
        """One postback channel to ``url``, attached to every event for every source."""
        created = _payload(
            self.notify.call(
                'mutation($url: String!) { notificationChannelCreate(input: {name: "Bench CRM", kind: POSTBACK, '
                "url: $url}) { channel { id } secret errors { field code message } } }",
                {"url": url},
                self.token,
            ).data,
            "notificationChannelCreate",
        )
        events = self.notify.call("{ notificationEvents { type } }", None, self.token).data["notificationEvents"]
        for event in events:
            _payload(
                self.notify.call(
                    "mutation($e: NotificationEventType!, $id: ID!) { notificationEventChannelAttach(event: $e, "
                    "channelId: $id, sources: [ADMIN, SHOP, FUNNEL]) { eventChannel { id } errors { code message } } }",
                    {"e": event["type"], "id": created["channel"]["id"]},
                    self.token,
                ).data,
                "notificationEventChannelAttach",
            )
        switched = self.notify.call("{ notificationEvents { type isEnabled } }", None, self.token).data
        off = [e["type"] for e in switched["notificationEvents"] if not e["isEnabled"]]
        if off:
            raise RuntimeError(f"events still switched off: {off}")

    # the database, read directly

    def recorded(self) -> Counter[str]:
        rows = self.db.execute("SELECT event, count(*) FROM saleor_notify_notificationevent GROUP BY event").fetchall()
        return Counter({event: count for event, count in rows})

    def clock(self) -> Any:
        row = self.db.execute("SELECT clock_timestamp()").fetchone()
        assert row is not None
        return row[0]

    def recorded_since(self, since: Any) -> tuple[Counter[str], Counter[str]]:
        """Events recorded since ``since``: those that happened since then, and late ones about earlier."""
        rows = self.db.execute(
            "SELECT event, occurred_at < %s, count(*) FROM saleor_notify_notificationevent WHERE created_at >= %s "
            "GROUP BY 1, 2",
            (since, since),
        ).fetchall()
        now: Counter[str] = Counter()
        late: Counter[str] = Counter()
        for event, is_late, count in rows:
            (late if is_late else now)[event] += count
        return now, late

    def history_imported(self) -> bool:
        row = self.db.execute("SELECT finished_at IS NOT NULL FROM saleor_notify_historyimport WHERE id = 1").fetchone()
        return row is None or bool(row[0])

    # inputs, prepared outside the timed part

    def _email(self) -> str:
        return f"bench-{uuid.uuid4().hex[:12]}@example.com"

    def prepare_checkout(self) -> dict[str, Any]:
        checkout = _payload(
            self.gql(
                CHECKOUT_CREATE,
                {
                    "input": {
                        "channel": self.channel_slug,
                        "email": self._email(),
                        "lines": [{"variantId": self.next_variant(), "quantity": 1}],
                        "shippingAddress": ADDRESS,
                        "billingAddress": ADDRESS,
                    }
                },
            ),
            "checkoutCreate",
        )["checkout"]
        if not checkout["shippingMethods"]:
            raise RuntimeError("the checkout has no shipping method for its address")
        total = _payload(
            self.gql(CHECKOUT_DELIVERY, {"id": checkout["id"], "method": checkout["shippingMethods"][0]["id"]}),
            "checkoutDeliveryMethodUpdate",
        )["checkout"]["totalPrice"]["gross"]
        transaction = {
            "name": "Bench gateway",
            "pspReference": uuid.uuid4().hex,
            "amountCharged": {"amount": total["amount"], "currency": total["currency"]},
        }
        _payload(self.gql(TRANSACTION_CREATE, {"id": checkout["id"], "transaction": transaction}), "transactionCreate")
        return {"id": checkout["id"]}

    def _shipping_method(self) -> str:
        if self._method is None:
            checkout = _payload(
                self.gql(
                    CHECKOUT_CREATE,
                    {
                        "input": {
                            "channel": self.channel_slug,
                            "lines": [{"variantId": self.variants[0], "quantity": 1}],
                            "shippingAddress": ADDRESS,
                        }
                    },
                ),
                "checkoutCreate",
            )["checkout"]
            self._method = checkout["shippingMethods"][0]["id"]
        return self._method

    def prepare_draft(self) -> dict[str, Any]:
        order = _payload(
            self.gql(
                DRAFT_CREATE,
                {
                    "input": {
                        "channelId": self.channel_id,
                        "userEmail": self._email(),
                        "lines": [{"variantId": self.next_variant(), "quantity": 1}],
                        "shippingAddress": ADDRESS,
                        "billingAddress": ADDRESS,
                        "shippingMethod": self._shipping_method(),
                    }
                },
            ),
            "draftOrderCreate",
        )["order"]
        return {"id": order["id"]}

    def prepare_unpaid_order(self) -> dict[str, Any]:
        draft = self.prepare_draft()
        _payload(self.gql(DRAFT_COMPLETE, draft), "draftOrderComplete")
        return draft

    def prepare_paid_order(self) -> dict[str, Any]:
        order = self.prepare_unpaid_order()
        _payload(self.gql(MARK_AS_PAID, order), "orderMarkAsPaid")
        lines = []
        for line in self.gql(ORDER_LINES, order)["order"]["lines"]:
            warehouses = [a["warehouse"]["id"] for a in line["allocations"]] or [
                s["warehouse"]["id"] for s in line["variant"]["stocks"] if s["quantity"] >= line["quantity"]
            ]
            lines.append(
                {"orderLineId": line["id"], "stocks": [{"quantity": line["quantity"], "warehouse": warehouses[0]}]}
            )
        return {
            "order": order["id"],
            "input": {"lines": lines, "trackingNumber": f"BENCH-{uuid.uuid4().hex[:10]}"},
        }

    def prepare_registration(self) -> dict[str, Any]:
        return {
            "input": {
                "email": self._email(),
                "password": f"Bench-{uuid.uuid4().hex}",
                "channel": self.channel_slug,
                "redirectUrl": "http://localhost:3000/account-confirm/",
            }
        }

    def prepare(self, mutation: str) -> dict[str, Any]:
        return {
            "checkoutComplete": self.prepare_checkout,
            "draftOrderComplete": self.prepare_draft,
            "orderMarkAsPaid": self.prepare_unpaid_order,
            "orderFulfill": self.prepare_paid_order,
            "accountRegister": self.prepare_registration,
        }[mutation]()

    def run_timed(self, mutation: str, variables: dict[str, Any], label: str = "") -> Answer:
        query, name, token = {
            "checkoutComplete": (CHECKOUT_COMPLETE, "checkoutComplete", self.token),
            "draftOrderComplete": (DRAFT_COMPLETE, "draftOrderComplete", self.token),
            "orderMarkAsPaid": (MARK_AS_PAID, "orderMarkAsPaid", self.token),
            "orderFulfill": (ORDER_FULFILL, "orderFulfill", self.token),
            "accountRegister": (ACCOUNT_REGISTER, "accountRegister", None),  # a shopper, not signed in
        }[mutation]
        answer = self.timed.call(query, variables, token, label)
        _payload(answer.data, name)
        return answer


# --- the worker's quiet, py-spy ----------------------------------------------------------------


def _tree_cpu_s(root_pid: int) -> float:
    """CPU seconds used so far by a process and its children (from /proc)."""
    pids = [root_pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()]
    return sum(cpu_s(pid) for pid in pids)


def wait_quiet(saleor: LiveSaleor, timeout_s: float = 60.0, window_s: float = 0.4, busy_cpu_s: float = 0.03) -> float:
    """Wait until the worker and beat use (almost) no CPU for a window; returns the seconds waited."""
    pids = [saleor.processes[n].pid for n in ("worker", "beat")]
    started = time.monotonic()
    before = sum(_tree_cpu_s(p) for p in pids)
    while time.monotonic() - started < timeout_s:
        time.sleep(window_s)
        now = sum(_tree_cpu_s(p) for p in pids)
        if now - before < busy_cpu_s:
            break
        before = now
    return time.monotonic() - started


def _frame(frame: str) -> str:
    """``func (path/to/file.py:12)`` as ``func (file.py)``."""
    name, _, where = frame.strip().partition(" (")
    return f"{name.rsplit('.', 1)[-1]} ({where.rsplit('/', 1)[-1].split(':')[0]})"


class Profiler:
    """py-spy on the API process around each measured timed request (raw collapsed stacks, a file each)."""

    def __init__(self, py_spy: Path, pid: int, out_dir: Path) -> None:
        self.py_spy, self.pid, self.out_dir = py_spy, pid, out_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.files: dict[tuple[str, bool], list[Path]] = {}
        out_dir.mkdir(parents=True, exist_ok=True)
        for old in out_dir.glob("*.txt"):
            old.unlink()

    def start(self, mutation: str, active: bool, round_number: int) -> None:
        path = self.out_dir / f"{mutation}-{'active' if active else 'inactive'}-{round_number:03d}.txt"
        self.files.setdefault((mutation, active), []).append(path)
        command = [
            str(self.py_spy), "record", "--pid", str(self.pid), "--rate", "500", "--format", "raw",
            "--nonblocking", "--output", str(path),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.7)  # attached and sampling

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def summary(self) -> dict[str, Any]:
        """Per mode and mutation: samples with the mutation on the stack, how many of them are in the
        plugin's code, and where (the hook > the innermost function of the plugin, most samples first)."""
        result: dict[str, Any] = {"active": {}, "inactive": {}}
        for (mutation, active), files in self.files.items():
            samples = ours = 0
            entries: Counter[str] = Counter()
            for path in files:
                if not path.exists():
                    continue
                for line in path.read_text(errors="replace").splitlines():
                    stack, _, count_text = line.rpartition(" ")
                    if not count_text.isdigit() or f"/{MUTATION_FILES[mutation]}:" not in stack:
                        continue
                    samples += int(count_text)
                    plugin = [_frame(f) for f in stack.split(";") if "saleor_notify_plugin" in f]
                    if plugin:
                        ours += int(count_text)
                        hook = plugin[1] if len(plugin) > 1 and plugin[0].startswith("wrapper ") else plugin[0]
                        entries[f"{hook} > {plugin[-1]}"] += int(count_text)
            result["active" if active else "inactive"][mutation] = {
                "samples": samples,
                "plugin_samples": ours,
                "plugin_entries": entries.most_common(6),
            }
        return result


# --- the run ------------------------------------------------------------------------------------


def _find_saleor(args: argparse.Namespace) -> tuple[Path, Path]:
    venv = Path(args.saleor_venv) if args.saleor_venv else Path(sys.prefix)
    if not (venv / "bin" / "uvicorn").exists() or not (venv / "bin" / "celery").exists():
        raise SystemExit(
            f"No Saleor virtualenv at {venv} (it needs bin/uvicorn and bin/celery). Run this with the Saleor "
            "virtualenv's Python (<saleor-venv>/bin/python -m tests.saleor.bench_live_shop), or pass "
            "--saleor-venv or set NOTIFY_SALEOR_VENV."
        )
    src = Path(args.saleor_src) if args.saleor_src else None
    if src is None:
        spec = importlib.util.find_spec("saleor")
        origin = Path(spec.origin) if spec and spec.origin else None
        src = origin.parents[1] if origin else None
    if src is None or not (src / "manage.py").is_file():
        raise SystemExit(
            f"No Saleor source (a folder with manage.py) at {src}: pass --saleor-src or set NOTIFY_SALEOR_SRC."
        )
    return venv, src


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(samples: list[Sample]) -> list[dict[str, Any]]:
    rows = []
    for mutation in MUTATIONS:
        mine = [s for s in samples if s.mutation == mutation]
        active = {s.round: s for s in mine if s.active}
        inactive = {s.round: s for s in mine if not s.active}
        a = _median([s.wall_ms for s in active.values()])
        i = _median([s.wall_ms for s in inactive.values()])
        if a is None or i is None:
            continue
        diff = a - i
        pct = diff / i * 100
        server_a = _median([s.server_ms for s in active.values() if s.server_ms is not None])
        server_i = _median([s.server_ms for s in inactive.values() if s.server_ms is not None])
        events_active: Counter[str] = Counter()
        events_inactive: Counter[str] = Counter()
        late_active: Counter[str] = Counter()
        late_inactive: Counter[str] = Counter()
        for s in active.values():
            events_active.update(s.events)
            late_active.update(s.late_events)
        for s in inactive.values():
            events_inactive.update(s.events)
            late_inactive.update(s.late_events)
        delivered = [s.delivered_ms for s in active.values() if s.delivered_ms is not None]
        rows.append(
            {
                "mutation": mutation,
                "rounds": min(len(active), len(inactive)),
                "median_active_ms": round(a, 2),
                "median_inactive_ms": round(i, 2),
                "difference_ms": round(diff, 2),
                "difference_pct": round(pct, 2),
                "active_slower_rounds": sum(
                    1 for r in active if r in inactive and active[r].wall_ms > inactive[r].wall_ms
                ),
                "goal_met": diff <= GOAL_MS and pct <= GOAL_PCT,
                "server_median_active_ms": None if server_a is None else round(server_a, 2),
                "server_median_inactive_ms": None if server_i is None else round(server_i, 2),
                "queries_median_active": _median([s.queries for s in active.values() if s.queries is not None]),
                "queries_median_inactive": _median([s.queries for s in inactive.values() if s.queries is not None]),
                "plugin_queries_median_active": _median(
                    [s.notify_queries for s in active.values() if s.notify_queries is not None]
                ),
                "plugin_sql_median_active": _median(
                    [s.plugin_queries for s in active.values() if s.plugin_queries is not None]
                ),
                "plugin_db_median_active_ms": _median(
                    [s.plugin_db_ms for s in active.values() if s.plugin_db_ms is not None]
                ),
                "db_median_active_ms": _median([s.db_ms for s in active.values() if s.db_ms is not None]),
                "db_median_inactive_ms": _median([s.db_ms for s in inactive.values() if s.db_ms is not None]),
                "events_recorded_active_rounds": dict(events_active),
                "events_recorded_inactive_rounds": dict(events_inactive),
                "late_events_active_rounds": dict(late_active),
                "late_events_inactive_rounds": dict(late_inactive),
                "delivered_ms_median": _median(delivered),
                "delivered_ms_max": max(delivered, default=None),
                "undelivered_samples": sum(1 for s in active.values() if s.delivered_ms is None),
            }
        )
    return rows


def sql_detail(path: Path, rounds: int) -> dict[str, Any]:
    """From the middleware's log: per mutation, the plugin's queries in the measured active rounds, the
    costliest first (literals replaced by ?), with their calls and milliseconds per round."""
    per: dict[str, dict[str, list[float]]] = {}
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        mutation, active, round_number = entry["label"].split("|")
        if active != "1" or int(round_number) < 0:
            continue
        for ms, sql in entry["queries"]:
            shape = re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b", "?", sql)
            per.setdefault(mutation, {}).setdefault(shape, []).append(ms)
    return {
        mutation: [
            {"sql": shape[:300], "calls_per_round": len(times) / rounds, "ms_per_round": round(sum(times) / rounds, 2)}
            for shape, times in sorted(shapes.items(), key=lambda item: -sum(item[1]))[:8]
        ]
        for mutation, shapes in per.items()
    }


def print_table(result: dict[str, Any]) -> None:
    print()
    print(
        f"Plugin active vs inactive in a live Saleor, {result['rounds']} interleaved rounds "
        f"(+{result['warmup_rounds']} warm-up), wall clock of the mutation over HTTP:"
    )
    head = (
        f"{'mutation':<19} {'active':>9} {'inactive':>9} {'diff ms':>8} {'diff %':>7} {'slower':>7} {'goal':>5}"
        f" | {'server a/i ms':>15} {'SQL a/i (ours)':>15} {'events a | i':>14} {'sent ms p50/max':>16}"
    )
    print(head)
    print("-" * len(head))
    for row in result["mutations"]:
        server = (
            f"{row['server_median_active_ms']:.1f}/{row['server_median_inactive_ms']:.1f}"
            if row["server_median_active_ms"] is not None and row["server_median_inactive_ms"] is not None
            else "-"
        )
        sql = (
            f"{row['queries_median_active']:.0f}/{row['queries_median_inactive']:.0f} "
            f"({row['plugin_queries_median_active']:.0f})"
            if row["queries_median_active"] is not None and row["queries_median_inactive"] is not None
            else "-"
        )
        recorded_a = sum(row["events_recorded_active_rounds"].values())
        events = f"{recorded_a} | {sum(row['events_recorded_inactive_rounds'].values())}"
        sent = (
            f"{row['delivered_ms_median']:.0f}/{row['delivered_ms_max']:.0f}"
            if row["delivered_ms_median"] is not None
            else "-"
        )
        print(
            f"{row['mutation']:<19} {row['median_active_ms']:>9.1f} {row['median_inactive_ms']:>9.1f} "
            f"{row['difference_ms']:>+8.1f} {row['difference_pct']:>+6.1f}% "
            f"{row['active_slower_rounds']:>3}/{row['rounds']:<3} {'yes' if row['goal_met'] else 'no':>5}"
            f" | {server:>15} {sql:>15} {events:>14} {sent:>16}"
        )
    print(
        f"goal: at most {GOAL_PCT:g} % and at most {GOAL_MS:g} ms added (medians); sent ms: from the response's "
        "end to the request's last notification at the receiver"
    )
    load = result["load_average"]
    print(
        f"load average (1, 5, 15 min): start {load['start']}, end {load['end']} on {os.cpu_count()} cores; "
        f"{result['elapsed_s']} s in all"
    )
    deliveries = result["deliveries"]
    print(
        f"receiver: {deliveries['received_total']} notifications for {deliveries['recorded_total']} recorded events "
        f"({'all delivered' if deliveries['all_delivered'] else 'NOT all delivered'}): "
        + ", ".join(f"{k} {v}" for k, v in sorted(deliveries["received_per_event"].items()))
    )
    problems = result["checks"]
    print("checks: " + ("all passed" if not problems else "; ".join(problems)))
    if result.get("sql_detail"):
        print("the plugin's queries in the active rounds (median per request; costliest per round):")
        for row in result["mutations"]:
            print(
                f"  {row['mutation']}: {row['plugin_sql_median_active']:.0f} queries, "
                f"{row['plugin_db_median_active_ms']:.1f} ms"
            )
            for query in result["sql_detail"].get(row["mutation"], [])[:3]:
                print(f"    {query['ms_per_round']:6.1f} ms x{query['calls_per_round']:.1f}  {query['sql'][:110]}")
    if result.get("profile"):
        print("py-spy on the API during the timed requests: samples with the mutation on the stack (in the plugin):")
        for mode, per in result["profile"].items():
            print(f"  {mode}: " + ", ".join(f"{m} {v['samples']} ({v['plugin_samples']})" for m, v in per.items()))
        for mutation, figures in result["profile"]["active"].items():
            for entry, count in figures["plugin_entries"][:3]:
                print(f"    {mutation}: {count} in {entry}")


def run(args: argparse.Namespace) -> int:
    venv, src = _find_saleor(args)
    os.environ.setdefault("NOTIFY_DASHBOARD_RUN_DB", "notify_live_bench_run")
    from tests.dashboard import live

    out_dir = Path(args.output).resolve().parent
    log_dir = out_dir / "live_shop_logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()
    settings_dir = out_dir / "live_shop_settings"
    settings_dir.mkdir(parents=True, exist_ok=True)
    (settings_dir / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_TEXT, encoding="utf-8")

    started = time.monotonic()
    load_start = tuple(round(x, 2) for x in os.getloadavg())
    print(f"load average at start: {load_start}; logs in {log_dir}", flush=True)
    saleor = live.LiveSaleor(venv, src, log_dir)
    saleor.env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    saleor.env["PYTHONPATH"] = os.pathsep.join([str(settings_dir), saleor.env["PYTHONPATH"]])
    saleor.env["DEBUG"] = "True" if args.debug else "False"
    sql_log = out_dir / "live_shop_sql.jsonl"
    sql_log.unlink(missing_ok=True)
    if args.sql_detail:
        saleor.env[SQL_LOG_ENV] = str(sql_log)
    receiver = Receiver()
    shop: Shop | None = None
    profiler: Profiler | None = None
    try:
        print("preparing the shop database (the first run makes the template: several minutes) ...", flush=True)
        saleor.prepare_database()
        print("starting Saleor's API, worker and beat ...", flush=True)
        saleor.start()
        shop = Shop(saleor, f"{live.PG_URL}/{live.RUN_DB}")
        shop.set_plugin(True, switches=True)
        shop.make_channel(receiver.url)
        if args.py_spy:
            py_spy = venv / "bin" / "py-spy"
            if not py_spy.exists():
                raise SystemExit(f"--py-spy: no py-spy in {venv / 'bin'} (pip install py-spy there)")
            profiler = Profiler(py_spy, saleor.processes["api"].pid, out_dir / "live_shop_profile")
        samples = measure(shop, saleor, receiver, args, profiler)
        checks: list[str] = []
        # Inactive, the plugin's workers hold deliveries back: the shop is left active, as it runs.
        shop.set_plugin(True)
        print("waiting for the worker to deliver every recorded event ...", flush=True)
        recorded = shop.recorded()
        deadline = time.monotonic() + args.delivery_timeout
        while receiver.counts() != Counter({k.lower(): v for k, v in recorded.items()}) and time.monotonic() < deadline:
            time.sleep(1)
            recorded = shop.recorded()
        received = receiver.counts()
        all_delivered = received == Counter({k.lower(): v for k, v in recorded.items()})
        if not all_delivered:
            checks.append(f"the receiver got {dict(received)} for recorded events {dict(recorded)}")
        rows = summarise(samples)
        for row in rows:
            if not row["events_recorded_active_rounds"]:
                checks.append(f"{row['mutation']}: no event recorded in the active rounds")
            if row["undelivered_samples"]:
                checks.append(
                    f"{row['mutation']}: {row['undelivered_samples']} requests' notifications not at the "
                    "receiver within 10 s of the response"
                )
            if (row["delivered_ms_max"] or 0) > HELD_TOO_LONG_MS:
                checks.append(
                    f"{row['mutation']}: a notification came {row['delivered_ms_max']:.0f} ms after the "
                    "response (held past its request?)"
                )
            if row["events_recorded_inactive_rounds"]:
                checks.append(
                    f"{row['mutation']}: events recorded in inactive rounds {row['events_recorded_inactive_rounds']}"
                )
        result = {
            "rounds": args.rounds,
            "warmup_rounds": args.warmup,
            "debug": args.debug,
            "py_spy": bool(args.py_spy),
            "with_sql_detail": bool(args.sql_detail),
            "goal": {"max_pct": GOAL_PCT, "max_ms": GOAL_MS},
            "cores": os.cpu_count(),
            "load_average": {"start": load_start, "end": tuple(round(x, 2) for x in os.getloadavg())},
            "elapsed_s": round(time.monotonic() - started),
            "mutations": rows,
            "deliveries": {
                "recorded_total": sum(recorded.values()),
                "received_total": sum(received.values()),
                "received_per_event": dict(received),
                "recorded_per_event": dict(recorded),
                "receiver_requests": receiver.requests,
                "all_delivered": all_delivered,
            },
            "checks": checks,
            "samples": [asdict(s) for s in samples],
        }
        if profiler is not None:
            result["profile"] = profiler.summary()
        if args.sql_detail:
            result["sql_detail"] = sql_detail(sql_log, args.rounds)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print_table(result)
        print(f"written to {output}")
        return 1 if checks else 0
    finally:
        # Stopping is not interrupted: a second Ctrl-C would leave processes behind (each stop is bounded).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if profiler is not None:
            profiler.stop()
        if shop is not None:
            with contextlib.suppress(Exception):
                shop.close()
        saleor.stop()
        receiver.close()
        if not args.keep_db:
            with contextlib.suppress(Exception):
                live._psql(f'DROP DATABASE IF EXISTS "{live.RUN_DB}" WITH (FORCE)')


def measure(
    shop: Shop, saleor: LiveSaleor, receiver: Receiver, args: argparse.Namespace, profiler: Profiler | None
) -> list[Sample]:
    """The rounds: the two modes in alternating order, each mutation prepared, then timed alone."""
    samples: list[Sample] = []
    mutations = args.mutations or list(MUTATIONS)
    active_now = True
    for round_number in range(-args.warmup, args.rounds):
        modes = (True, False) if round_number % 2 == 0 else (False, True)
        shop.login()  # outside the timed calls; a round lasts well under the token's 5 minutes
        for active in modes:
            if active != active_now:
                shop.set_plugin(active)
                active_now = active
            if active:
                deadline = time.monotonic() + 300
                while not shop.history_imported() and time.monotonic() < deadline:
                    time.sleep(0.5)  # activation re-reads Saleor's orders in a worker
            wait_quiet(saleor)
            measured = round_number >= 0
            last: dict[str, float] = {}
            for mutation in mutations:
                variables = shop.prepare(mutation)
                wait_quiet(saleor)
                since = shop.clock()
                started = time.time()
                if profiler is not None and measured:
                    profiler.start(mutation, active, round_number)
                try:
                    answer = shop.run_timed(mutation, variables, f"{mutation}|{int(active)}|{round_number}")
                finally:
                    answered = time.time()
                    if profiler is not None:
                        profiler.stop()
                wait_quiet(saleor, timeout_s=30)  # accountRegister's hook runs in a Celery task
                events, late = shop.recorded_since(since)
                # Active, every mutation here makes at least one event: one not yet recorded shows as a late arrival.
                delivered_ms = (
                    _delivered_ms(receiver, started, answered, max(1, sum(events.values()))) if active else None
                )
                last[mutation] = answer.wall_ms
                if measured:
                    samples.append(
                        Sample(
                            mutation=mutation,
                            active=active,
                            round=round_number,
                            wall_ms=round(answer.wall_ms, 3),
                            server_ms=answer.server.get("app"),
                            db_ms=answer.server.get("db"),
                            queries=_int(answer.server.get("sql")),
                            notify_queries=_int(answer.server.get("notify-sql")),
                            plugin_queries=_int(answer.server.get("plugin-sql")),
                            plugin_db_ms=answer.server.get("plugin-db"),
                            events=dict(events),
                            late_events=dict(late),
                            delivered_ms=delivered_ms,
                        )
                    )
            label = "warm-up" if not measured else f"round {round_number + 1}/{args.rounds}"
            figures = ", ".join(f"{m} {ms:.0f}" for m, ms in last.items())
            print(f"{label:>14} {'active' if active else 'inactive':>8}: {figures} ms", flush=True)
    return samples


def _delivered_ms(
    receiver: Receiver, started: float, answered: float, expected: int, timeout_s: float = 10.0
) -> float | None:
    """Milliseconds from the response's end (as the client saw it) to the last of the ``expected``
    notifications that came after the request started (None: not all came within ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while len(arrivals := receiver.arrivals_since(started)) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return round((arrivals[expected - 1] - answered) * 1000, 1) if len(arrivals) >= expected else None


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def paired_differences(samples: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per mutation, each round's active minus inactive wall clock: the two were measured one after
    the other (their order alternating), so each pair shares the machine's state of the moment."""
    pairs: dict[tuple[str, int], dict[bool, float]] = {}
    for sample in samples:
        pairs.setdefault((sample["mutation"], sample["round"]), {})[sample["active"]] = sample["wall_ms"]
    differences: dict[str, list[float]] = {}
    for (mutation, _), pair in sorted(pairs.items()):
        if True in pair and False in pair:
            differences.setdefault(mutation, []).append(pair[True] - pair[False])
    return differences


def combine(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Whole runs together: per mutation, in how many runs its medians met the goal, and the median of
    every round's own difference over all runs (against the median inactive time, for the percentage)."""
    mutations: dict[str, dict[str, Any]] = {}
    for name in [row["mutation"] for row in results[0]["mutations"]]:
        rows = [row for result in results for row in result["mutations"] if row["mutation"] == name]
        differences = [d for result in results for d in paired_differences(result["samples"]).get(name, [])]
        inactive = [s["wall_ms"] for r in results for s in r["samples"] if s["mutation"] == name and not s["active"]]
        pooled_ms = statistics.median(differences)
        pooled_pct = 100 * pooled_ms / statistics.median(inactive)
        mutations[name] = {
            "runs_met": sum(row["goal_met"] for row in rows),
            "difference_ms_per_run": [row["difference_ms"] for row in rows],
            "difference_pct_per_run": [row["difference_pct"] for row in rows],
            "median_active_ms_per_run": [row["median_active_ms"] for row in rows],
            "median_inactive_ms_per_run": [row["median_inactive_ms"] for row in rows],
            "pairs": len(differences),
            "pooled_difference_ms": round(pooled_ms, 2),
            "pooled_difference_pct": round(pooled_pct, 2),
            "pooled_active_slower_pairs": sum(d > 0 for d in differences),
            "pooled_goal_met": pooled_ms <= GOAL_MS and pooled_pct <= GOAL_PCT,
        }
    return {
        "runs": len(results),
        "rounds_per_run": results[0]["rounds"],
        "goal": {"max_pct": GOAL_PCT, "max_ms": GOAL_MS},
        "runs_with_every_mutation_met": sum(all(row["goal_met"] for row in r["mutations"]) for r in results),
        "mutations": mutations,
        "per_run": [
            {"load_average": r["load_average"], "elapsed_s": r["elapsed_s"], "checks": r["checks"],
             "notifications": r["deliveries"]["received_total"], "recorded": r["deliveries"]["recorded_total"]}
            for r in results
        ],
    }


def print_combined(combined: dict[str, Any]) -> None:
    n = combined["runs"]
    print()
    print(f"{n} whole runs of {combined['rounds_per_run']} rounds; what the plugin added, per run (medians) "
          f"and over every round's own pair:")
    head = (f"{'mutation':<19} {'per run, ms':<42} {'met in':>7} | {'pairs':>5} {'pooled ms':>9} {'pooled %':>8}"
            f" {'goal':>5}")
    print(head)
    print("-" * len(head))
    for name, m in combined["mutations"].items():
        per_run = " / ".join(f"{d:+.1f}" for d in m["difference_ms_per_run"])
        print(f"{name:<19} {per_run:<42} {m['runs_met']:>2} of {n} | {m['pairs']:>5} "
              f"{m['pooled_difference_ms']:>+9.1f} {m['pooled_difference_pct']:>+7.1f}% "
              f"{'yes' if m['pooled_goal_met'] else 'no':>5}")
    print(f"every mutation within the goal in {combined['runs_with_every_mutation_met']} of {n} runs")


def _run_outputs(output: Path, repeat: int) -> list[Path]:
    """Where each whole run writes its result: the output itself, or output.runK.json beside it."""
    if repeat == 1:
        return [output]
    return [output.with_name(f"{output.stem}.run{k}{output.suffix}") for k in range(1, repeat + 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.saleor.bench_live_shop",
        description=(
            "What the saleor-notify plugin adds to checkoutComplete, draftOrderComplete, orderMarkAsPaid, "
            "orderFulfill and accountRegister in a live Saleor (uvicorn, Celery worker and beat), plugin active "
            "vs inactive, interleaved round by round. Run it with the Saleor virtualenv's Python from the "
            "repository's root. Needs PostgreSQL (NOTIFY_DASHBOARD_PG), Redis (NOTIFY_DASHBOARD_REDIS_URL), "
            "psql and openssl."
        ),
    )
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up rounds, not counted (default 2)")
    parser.add_argument(
        "--mutations", nargs="+", choices=MUTATIONS, help="time only these mutations (default: all five)"
    )
    parser.add_argument(
        "--saleor-venv",
        default=os.environ.get("NOTIFY_SALEOR_VENV"),
        help="Saleor's virtualenv (default: NOTIFY_SALEOR_VENV, else the one running this script)",
    )
    parser.add_argument(
        "--saleor-src",
        default=os.environ.get("NOTIFY_SALEOR_SRC"),
        help="Saleor's source folder with manage.py (default: NOTIFY_SALEOR_SRC, else where saleor is installed from)",
    )
    parser.add_argument("--output", default=str(OUT_DIR / "live_shop.json"), help="the JSON result file")
    parser.add_argument(
        "--py-spy",
        action="store_true",
        help="sample the API process with py-spy during the measured rounds (slows it: figures are for "
        "attribution only) and report the plugin's share of each mutation's samples",
    )
    parser.add_argument(
        "--sql-detail",
        action="store_true",
        help="count the queries run from the plugin's code (a stack walk per query: a small cost in both "
        "modes) and list the costliest ones per mutation",
    )
    parser.add_argument("--debug", action="store_true", help="run Saleor with DEBUG=True (default: False, as a shop)")
    parser.add_argument(
        "--delivery-timeout", type=float, default=180.0, help="seconds to wait for every notification (default 180)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the run's shop database afterwards")
    parser.add_argument(
        "--repeat", type=int, default=1,
        help="whole runs, one after the other, each on a fresh copy of the shop (default 1); each writes "
        "OUTPUT's name with .runK, and OUTPUT gets the runs together: in how many each mutation met the goal, "
        "and the median of every round's own active-inactive difference over all of them",
    )
    parser.add_argument(
        "--combine", nargs="+", metavar="JSON",
        help="measure nothing: put the results of earlier runs together, as --repeat does, into OUTPUT",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warmup < 0 or args.repeat < 1:
        parser.error("--rounds and --repeat must be at least 1, --warmup at least 0")
    output = Path(args.output)
    if args.combine:
        combined = combine([json.loads(Path(f).read_text(encoding="utf-8")) for f in args.combine])
        output.write_text(json.dumps(combined, indent=2) + "\n", encoding="utf-8")
        print_combined(combined)
        print(f"written to {output}")
        return 0

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stop everything started, as Ctrl-C does

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    try:
        outputs = _run_outputs(output, args.repeat)
        status = 0
        for k, run_output in enumerate(outputs, 1):
            if args.repeat > 1:
                print(f"--- whole run {k} of {args.repeat} ---", flush=True)
            status |= run(argparse.Namespace(**{**vars(args), "output": str(run_output)}))
        if args.repeat > 1:
            combined = combine([json.loads(path.read_text(encoding="utf-8")) for path in outputs])
            output.write_text(json.dumps(combined, indent=2) + "\n", encoding="utf-8")
            print_combined(combined)
            print(f"written to {output}")
        return status
    except KeyboardInterrupt:
        print("interrupted: every process started was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
