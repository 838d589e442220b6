"""Saleor's own test settings, plus this plugin (run the Saleor tier with ``pytest -c tests/saleor/tier.ini``)."""

import importlib.util
import os

if importlib.util.find_spec("saleor") is None:  # not a Saleor environment: the tier only says how to run it
    from tests.settings import *  # noqa: F403
else:
    from saleor.tests.settings import *  # noqa: F403

if "saleor_notify_plugin" not in INSTALLED_APPS:  # noqa: F405 - the entry point adds it when pip-installed
    INSTALLED_APPS.append("saleor_notify_plugin")  # noqa: F405

# A test database of our own: Saleor's test_saleor lacks our tables and others use it.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("NOTIFY_TIER_DB_TEST_NAME", "test_saleor_notify_tier")}  # noqa: F405

SALEOR_NOTIFY = {"ALLOW_PRIVATE_TARGETS": True}
