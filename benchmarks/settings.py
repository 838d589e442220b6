"""Django settings of the benchmark process and of the worker it starts (its own DB, Redis DB, queue)."""

import os

DB_NAME = os.environ.get("NOTIFY_BENCH_DB_NAME", "bench_saleor_notify")
BROKER_URL = os.environ.get("NOTIFY_BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
QUEUE = os.environ.get("NOTIFY_BENCH_QUEUE", "bench-saleor-notify")

#: The worker as a stock Saleor deployment runs it (the default), or tuned as the package's
#: standalone settings (``NOTIFY_BENCH_TUNED=1``: the variant rows of the report).
TUNED = os.environ.get("NOTIFY_BENCH_TUNED", "") == "1"

SECRET_KEY = "bench-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = ["django.contrib.contenttypes", "saleor_notify_plugin"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "USER": "postgres",
        "PASSWORD": "",
        # Saleor's default (DB_CONN_MAX_AGE unset); the tuned variant keeps connections 600 s.
        "CONN_MAX_AGE": 600 if TUNED else 0,
    }
}
CELERY_BROKER_URL = BROKER_URL
# Saleor's prefetch multiplier (CELERY_WORKER_PREFETCH_MULTIPLIER unset: 1); tuned: Celery's default 4.
CELERY_WORKER_PREFETCH_MULTIPLIER = 4 if TUNED else 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = QUEUE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
SALEOR_NOTIFY = {
    "ALLOW_PRIVATE_TARGETS": True,  # the receiver listens on 127.0.0.1
    "QUEUE": QUEUE,
}

import saleor_notify_plugin.celery_app  # noqa: E402,F401 - the Celery app this process publishes with

# Saleor's settings leave CELERY_DB_REUSE_MAX unset (Celery's Django fixup then closes the task
# thread's connections around every task); the tuned variant sets it as the standalone settings do.
CELERY_DB_REUSE_MAX = 1000 if TUNED else None
