"""Benchmark (not a test): each hook's cost and query count, empty shop vs a big one.

Run through ``python -m benchmarks.shop_size`` (which formats and, with ``--publish``, publishes
the figures), or directly:

    <saleor-venv>/bin/pytest -c tests/saleor/tier.ini tests/saleor/bench_shop_size.py --reuse-db -p no:xdist -s -q

Sizes come from ``BENCH_ORDERS``, ``BENCH_CUSTOMERS`` and ``BENCH_ROUNDS``; raw figures go to
``build/shop-size/results.json``. Saleor's tables are filled with SQL (``INSERT ... SELECT ...
generate_series``, every column copied from a template row Saleor's fixtures made, the
columns read from information_schema). The test is transactional: its rows are truncated after.
Celery runs eagerly, as Saleor's test settings have it: each measured hook call runs, in the call,
the capture a worker runs in production (``capture.deferred``), so the figures are the capture's
cost and queries wherever it runs. No fan-out runs in the measured calls (its message goes after
commit, and the test never commits).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_notify_plugin.capture import history
from saleor_notify_plugin.models import HistoryImport, KnownOrder

from .fixtures import PLUGIN_ID, PLUGIN_PATH, configure

ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "300000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))
OUT = Path(__file__).resolve().parents[2] / "build" / "shop-size"
#: Saleor's tables the shop's size is in, and ours that grows with it: no hook may scan them.
BIG_TABLES = ("order_order", "order_orderline", "account_user", "checkout_checkout", "saleor_notify_knownorder")
HOOKS = ("order_created", "order_fully_paid", "checkout_updated (new e-mail)", "customer_created",
         "tracking_number_updated")

pytestmark = pytest.mark.django_db(transaction=True)


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def _clone(table: str, template_where: str, params: list, count: int, overrides: dict[str, str],
           skip: tuple[str, ...] = (), source: str = "") -> float:
    """INSERT ``count`` copies of a template row (``g`` is the copy's 1-based number); seconds taken."""
    columns = [c for c in _columns(table) if c not in skip]
    exprs = [overrides.get(c, f't."{c}"') for c in columns]
    sql = (
        f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
        f'SELECT {", ".join(exprs)} FROM "{table}" t {source or "CROSS JOIN generate_series(1, %s) AS g"} '
        f"WHERE {template_where}"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, ([] if source else [count]) + params)
    return time.perf_counter() - started


def fill_shop(template_order, template_user, orders: int, customers: int) -> dict:
    """``customers`` accounts and ``orders`` orders (one line each) from the templates, with SQL."""
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute('SELECT COALESCE(max(id), 0) FROM "account_user"')
        user_base = cursor.fetchone()[0]
        cursor.execute('SELECT max(number) FROM "order_order"')
        number_base = cursor.fetchone()[0]
    timings["customers_s"] = _clone(
        "account_user", "t.id = %s", [template_user.pk], customers,
        {
            "email": "'customer' || g || '@example.com'",
            "uuid": "gen_random_uuid()",
            "external_reference": "NULL",
            "search_document": "'customer' || g || '@example.com'",
            "date_joined": "now() - g * interval '1 minute'",
            "updated_at": "now() - g * interval '1 minute'",
        },
        skip=("id",),
    )
    with connection.cursor() as cursor:
        cursor.execute('SELECT min(id), max(id), count(*) FROM "account_user" WHERE id > %s', [user_base])
        first_user, last_user, made = cursor.fetchone()
    assert made == customers and last_user - first_user + 1 == customers, "account ids are not contiguous"
    # Order g belongs to customer c = g mod (customers * 4 / 3): three in four of them have an account, the
    # rest are guests (some with mixed-case addresses); seven in ten orders are fully paid.
    people = max(1, customers * 4 // 3)
    c = f"(g %% {people})"  # %% : the statement has parameters
    email = (
        f"CASE WHEN {c} < {customers} THEN 'customer' || ({c} + 1) || '@example.com' "
        f"WHEN {c} %% 7 = 0 THEN 'Guest' || {c} || '@Example.com' ELSE 'guest' || {c} || '@example.com' END"
    )
    timings["orders_s"] = _clone(
        "order_order", "t.id = %s", [template_order.pk], orders,
        {
            "id": "gen_random_uuid()",
            "number": f"{number_base} + g",
            "user_email": email,
            "user_id": f"CASE WHEN {c} < {customers} THEN {first_user} + {c} ELSE NULL END",
            "charge_status": "CASE WHEN g %% 10 < 7 THEN 'full' ELSE 'none' END",
            "created_at": "now() - g * interval '1 minute'",
            "updated_at": "now() - g * interval '1 minute'",
            "checkout_token": "''",
            "external_reference": "NULL",
            "search_vector": "NULL",
        },
    )
    template_line = template_order.lines.order_by("created_at").first()
    timings["lines_s"] = _clone(
        "order_orderline", "t.id = %s", [template_line.pk], orders,
        {"id": "gen_random_uuid()", "order_id": "o.id", "old_id": "NULL"},
        source=f'JOIN "order_order" o ON o.number > {int(number_base)}',
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('order_order_number_seq', (SELECT max(number) FROM \"order_order\"))")
        for table in ("account_user", "order_order", "order_orderline"):
            cursor.execute(f'ANALYZE "{table}"')
    timings["analyze_s"] = time.perf_counter() - started
    return timings


def settle(tables: tuple[str, ...]) -> float:
    """Let the database finish what writing rows leaves behind, as a running shop's long has: VACUUM
    (ANALYZE) the tables, a CHECKPOINT, and no autovacuum worker still running. Without it the big
    shop was measured while PostgreSQL was still vacuuming and writing out a million fresh rows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
        cursor.execute("CHECKPOINT")
        give_up = time.monotonic() + 300
        while time.monotonic() < give_up:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.5)
    return time.perf_counter() - started


class Shop:
    """Fresh objects for each hook call, made outside the timed call."""

    def __init__(self, order_generator, template_order, checkout, fulfillment):
        self.order_generator = order_generator
        self.template = template_order
        self.checkout = checkout
        self.fulfillment = fulfillment
        self.n = 0

    def tag(self) -> str:
        self.n += 1
        return f"{uuid.uuid4().hex[:8]}-{self.n}"

    def new_order(self, paid: bool):
        from saleor.order.models import Order

        order = self.order_generator(user=None, user_email=f"bench-{self.tag()}@example.com")
        if paid:
            for line in self.template.lines.all():
                line.pk = line.id = None
                line.order = order
                line.old_id = None
                line.save()
            Order.objects.filter(pk=order.pk).update(charge_status="full")
            order.refresh_from_db()
        return order

    def calls(self, plugin):
        """Each hook with what it needs: a call to time, made fresh each time."""
        from saleor.account.models import User

        def order_created():
            order = self.new_order(paid=False)
            return lambda: plugin.order_created(order, previous_value=None)

        def order_fully_paid():
            order = self.new_order(paid=True)
            return lambda: plugin.order_fully_paid(order, previous_value=None)

        def checkout_updated():
            self.checkout.email = f"bench-checkout-{self.tag()}@example.com"
            return lambda: plugin.checkout_updated(self.checkout, previous_value=None)

        def customer_created():
            user = User.objects.create(email=f"bench-customer-{self.tag()}@example.com")
            return lambda: plugin.customer_created(user, previous_value=None)

        def tracking_number_updated():
            self.fulfillment.tracking_number = f"TRK-{self.tag()}"
            self.fulfillment.save(update_fields=["tracking_number"])
            return lambda: plugin.tracking_number_updated(self.fulfillment, previous_value=None)

        return dict(zip(HOOKS, (order_created, order_fully_paid, checkout_updated, customer_created,
                                tracking_number_updated), strict=True))


def _plugin():
    from saleor.plugins.manager import get_plugins_manager

    return get_plugins_manager(allow_replica=False).get_plugin(PLUGIN_ID)


def measure(shop: Shop, rounds: int) -> dict:
    """Per hook: median and range of ``rounds`` calls (interleaved), and one call's SQL."""
    plugin = _plugin()
    calls = shop.calls(plugin)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for round_number in range(rounds + 1):  # round 0 warms up and is not counted
        for name, make in calls.items():
            call = make()
            started = time.perf_counter()
            call()
            elapsed_ms = (time.perf_counter() - started) * 1000
            if round_number:
                times[name].append(elapsed_ms)
    result = {}
    for name, make in calls.items():
        call = make()
        with CaptureQueriesContext(connection) as ctx:
            call()
        values = sorted(times[name])
        result[name] = {
            "median_ms": statistics.median(values),
            "min_ms": values[0],
            "max_ms": values[-1],
            "queries": len(ctx.captured_queries),
            "sql": [q["sql"] for q in ctx.captured_queries],
        }
    return result


_SCAN = re.compile(r"Seq Scan on (\w+)")


def explain(queries: list[str]) -> list[dict]:
    """EXPLAIN of each statement (ANALYZE for reads; writes are planned, not run)."""
    plans = []
    for sql in queries:
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb not in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            continue
        analyze = verb in ("SELECT", "WITH") and "FOR UPDATE" not in sql
        with connection.cursor() as cursor:
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        scans = sorted(set(_SCAN.findall(plan)))
        plans.append({
            "sql": sql[:400],
            "plan": plan,
            "seq_scans": scans,
            "big_table_scans": [t for t in scans if t in BIG_TABLES],
        })
    return plans


def _summary(phase: dict) -> dict:
    return {name: {k: v for k, v in figures.items() if k != "sql"} for name, figures in phase.items()}


def test_hooks_cost_the_same_in_an_empty_and_a_big_shop(
    settings, order_generator, order_with_lines, customer_user, checkout_with_item, fulfillment
):
    settings.SALEOR_NOTIFY = {"ALLOW_PRIVATE_TARGETS": True}
    settings.PLUGINS = [PLUGIN_PATH]
    product = order_with_lines.lines.first().variant.product
    product.metadata = {"digital": "true"}  # so a paid order asks the product-conflict question
    product.save(update_fields=["metadata"])
    configure({"funnel_marker_key": "funnel", "digital_metadata_key": "digital"})  # active, every switch on
    history.run_import(HistoryImport.objects.get().generation)  # the empty shop's import, if not run already
    shop = Shop(order_generator, order_with_lines, checkout_with_item, fulfillment)
    load = {"start": os.getloadavg()}
    started = time.perf_counter()

    settled_s = {"empty": settle(BIG_TABLES)}
    empty = measure(shop, ROUNDS)
    fill = fill_shop(order_with_lines, customer_user, ORDERS, CUSTOMERS)

    # Before the import has read the big shop's history, the hooks ask Saleor's tables (the old queries).
    generation = history.start_import()
    # Saleor's test settings may run the task at once: put the import back to its start either way, so
    # the hooks below ask Saleor's tables, and the import is timed here.
    HistoryImport.objects.filter(pk=1).update(finished_at=None, position=0, orders_read=0,
                                              progressed_at=timezone.now())
    before_import = measure(shop, max(5, ROUNDS // 5))
    explain_before = {name: explain(figures["sql"]) for name, figures in before_import.items()}
    import_started = time.perf_counter()
    chunks = 0
    while history.import_chunk(generation) == "more":
        chunks += 1
    import_s = time.perf_counter() - import_started
    settled_s["big"] = settle(BIG_TABLES)
    big = measure(shop, ROUNDS)
    explain_big = {name: explain(figures["sql"]) for name, figures in big.items()}
    load["end"] = os.getloadavg()

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute('SELECT count(*) FROM "order_order"')
        order_count = cursor.fetchone()[0]
        cursor.execute('SELECT count(*) FROM "account_user"')
        user_count = cursor.fetchone()[0]
    results = {
        "date": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "sizes": {"orders": ORDERS, "customers": CUSTOMERS, "rounds": ROUNDS,
                  "orders_in_table": order_count, "accounts_in_table": user_count},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "postgresql": pg_version},
        "load_average": load,
        "fill_s": fill,
        "settle_s": settled_s,
        "tasks_eager": __import__("celery").current_app.conf.task_always_eager,
        "import": {"seconds": import_s, "chunks": chunks + 1, "orders_read": HistoryImport.objects.get().orders_read,
                   "known_orders": KnownOrder.objects.count()},
        "empty": _summary(empty),
        "big_before_import": _summary(before_import),
        "big": _summary(big),
        "explain_big": explain_big,
        "explain_before_import": explain_before,
        "whole_run_s": time.perf_counter() - started,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"\nshop size: {ORDERS:,} orders, {CUSTOMERS:,} customers; {ROUNDS} rounds; raw: {OUT / 'results.json'}")
    for name in HOOKS:
        e, b, o = empty[name], big[name], before_import[name]
        print(f"  {name:<30} empty {e['median_ms']:6.2f} ms {e['queries']:>2} q | big {b['median_ms']:6.2f} ms "
              f"{b['queries']:>2} q ({b['median_ms'] / e['median_ms']:.2f}x) | before import {o['median_ms']:7.2f} ms")
    print(f"  import: {import_s:.1f} s, {chunks + 1} chunks")
    scans = {name: [p["big_table_scans"] for p in plans if p["big_table_scans"]] for name, plans in explain_big.items()}
    print(f"  Seq Scans on big tables after the import: {scans}")
