"""Django settings of the benchmark process and of the worker it starts (its own DB, Redis DB, queue)."""

import os

DB_NAME = os.environ.get("NOTIFY_BENCH_DB_NAME", "bench_saleor_notify")
BROKER_URL = os.environ.get("NOTIFY_BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
QUEUE = os.environ.get("NOTIFY_BENCH_QUEUE", "bench-saleor-notify")

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
        # As the package's standalone settings: workers keep their connection between tasks.
        "CONN_MAX_AGE": 600,
    }
}
# Celery defaults otherwise (prefetch multiplier 4, as in standalone_settings).
CELERY_BROKER_URL = BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = QUEUE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
SALEOR_NOTIFY = {
    "ALLOW_PRIVATE_TARGETS": True,  # the receiver listens on 127.0.0.1
    "QUEUE": QUEUE,
}

import saleor_notify_plugin.celery_app  # noqa: E402,F401 - the Celery app this process publishes with

# As the package's standalone settings: Celery's Django fixup closes every DB connection around
# every task unless this is set (whatever CONN_MAX_AGE says). The "stock Celery" variant
# (``NOTIFY_BENCH_DB_REUSE_MAX=0``) measures what a worker without it gets.
CELERY_DB_REUSE_MAX = int(os.environ.get("NOTIFY_BENCH_DB_REUSE_MAX", "1000")) or None
