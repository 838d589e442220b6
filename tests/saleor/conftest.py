"""The Saleor tier: Saleor's own fixtures, as Saleor's root conftest.py loads them.

Without Saleor on the path nothing here is collected but ``test_00_saleor_available.py``,
which is skipped with one message saying how to run the tier.
"""

from __future__ import annotations

import importlib.util

SALEOR_AVAILABLE = importlib.util.find_spec("saleor") is not None
HOW_TO_RUN = (
    "Saleor tier skipped: Saleor is not installed in this environment. Run it from a Saleor 3.24 "
    "virtualenv with this package installed, from the checkout's root: `<saleor-venv>/bin/pytest "
    "-c tests/saleor/tier.ini tests/saleor -p no:xdist --reuse-db` (add --create-db the first time)."
)

if not SALEOR_AVAILABLE:
    collect_ignore_glob = ["test_[!0]*.py"]
else:
    import django.test
    from saleor.tests.utils import prepare_test_db_connections

    django.test.TransactionTestCase.databases = {"default", "replica"}
    django.test.TestCase.databases = {"default", "replica"}
    prepare_test_db_connections()

    pytest_plugins = [
        "saleor.tests.fixtures",
        "saleor.app.tests.fixtures",
        "saleor.plugins.tests.fixtures",
        "saleor.graphql.tests.fixtures",
        "saleor.webhook.tests.fixtures",
        "saleor.tax.tests.fixtures",
        "saleor.channel.tests.fixtures",
        "saleor.page.tests.fixtures",
        "saleor.menu.tests.fixtures",
        "saleor.warehouse.tests.fixtures",
        "saleor.thumbnail.tests.fixtures",
        "saleor.order.tests.fixtures",
        "saleor.product.tests.fixtures",
        "saleor.site.tests.fixtures",
        "saleor.shipping.tests.fixtures",
        "saleor.permission.tests.fixtures",
        "saleor.giftcard.tests.fixtures",
        "saleor.discount.tests.fixtures",
        "saleor.checkout.tests.fixtures",
        "saleor.attribute.tests.fixtures",
        "saleor.account.tests.fixtures",
        "saleor.graphql.account.tests.fixtures",
        "saleor.payment.tests.fixtures",
        "saleor.webhook.tests.circuit_breaker.fixtures",
        "tests.saleor.fixtures",
        "tests.saleor.fixtures_api",
    ]
