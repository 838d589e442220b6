"""Settings for the test suite: real PostgreSQL and Redis on this machine.

The worker started by the tests reads the same module; NOTIFY_TEST_* variables let the
fixture give it the test database and short timings.
"""

import os

SECRET_KEY = "tests-not-secret"
USE_TZ = True
# tests.support installs the fake shop (tests/support/fake_shop.py) behind the port to Saleor.
INSTALLED_APPS = ["django.contrib.contenttypes", "saleor_notify_plugin", "tests.support.apps.FakeShopConfig"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("NOTIFY_TEST_DB_NAME", "postgres"),
        "HOST": os.environ.get("NOTIFY_TEST_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("NOTIFY_TEST_DB_PORT", "5432"),
        "USER": os.environ.get("NOTIFY_TEST_DB_USER", "postgres"),
        "PASSWORD": "",
        "CONN_MAX_AGE": 60,
        # The name lets the suite tell its session worker's sessions from those of other processes.
        "OPTIONS": {"connect_timeout": 3,
                    "application_name": os.environ.get("NOTIFY_TEST_DB_APPLICATION_NAME", "saleor-notify-tests")},
        # Separate names let several test runs share one server.
        "TEST": {"NAME": os.environ.get("NOTIFY_TEST_DB_TEST_NAME", "test_saleor_notify")},
    }
}
CELERY_BROKER_URL = os.environ.get("NOTIFY_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("NOTIFY_TEST_QUEUE", "saleor-notify-tests")
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NOTIFY_TEST_SMTP_PORT", "2525"))
DEFAULT_FROM_EMAIL = "shop@example.com"
SILENCED_SYSTEM_CHECKS = ["saleor_notify.W001"]  # loopback receivers are intended here


def _float_env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


SALEOR_NOTIFY = {
    # Receivers run on 127.0.0.1 in the tests: loopback targets must be allowed here.
    "ALLOW_PRIVATE_TARGETS": True,
    # Many anonymous calls come from one test client: the rate-limit tests lower this themselves.
    "ANONYMOUS_RATE_LIMIT": 1_000_000,
    # The Slack stand-in listens there too.
    "SLACK_HOSTS": ["hooks.slack.com", "127.0.0.1", "localhost"],
    # Waiting switched off, not the logic: backoff is computed, then ~0.
    "RETRY_BASE_DELAY_S": _float_env("NOTIFY_TEST_RETRY_BASE_DELAY_S", 0.0),
    "RETRY_AFTER_MAX_S": _float_env("NOTIFY_TEST_RETRY_AFTER_MAX_S", 2.0),
    "TIMEOUT_S": _float_env("NOTIFY_TEST_TIMEOUT_S", 2.0),
    "SWEEP_STALE_AFTER_S": _float_env("NOTIFY_TEST_SWEEP_STALE_AFTER_S", 0.5),
    # A killed worker's claim expires after TIMEOUT_S + this (the reliability tests shorten it).
    "LEASE_MARGIN_S": _float_env("NOTIFY_TEST_LEASE_MARGIN_S", 30.0),
    "QUEUE": os.environ.get("NOTIFY_TEST_QUEUE", "saleor-notify-tests"),
}

import saleor_notify_plugin.celery_app  # noqa: E402,F401 - the Celery app this process publishes with

if os.environ.get("NOTIFY_TEST_SPANS_FILE"):  # a worker whose spans a telemetry test reads
    from tests.support.otel import install_file_exporter

    install_file_exporter(os.environ["NOTIFY_TEST_SPANS_FILE"])
