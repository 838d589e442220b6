"""Minimal Django settings for running the package without Saleor (worker, migrations).

Environment: ``DATABASE_URL``-style pieces are not parsed; set ``NOTIFY_DB_NAME`` /
``NOTIFY_DB_HOST`` / ``NOTIFY_DB_USER`` for PostgreSQL, ``CELERY_BROKER_URL`` for the broker.
"""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "saleor-notify-standalone-not-secret")
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"  # logs and timestamps in UTC (Django's default is America/Chicago)
INSTALLED_APPS = ["django.contrib.contenttypes", "saleor_notify_plugin"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("NOTIFY_DB_NAME", "saleor_notify"),
        "HOST": os.environ.get("NOTIFY_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("NOTIFY_DB_PORT", "5432"),
        "USER": os.environ.get("NOTIFY_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("NOTIFY_DB_PASSWORD", ""),
        "CONN_MAX_AGE": 600,
    }
}
# Celery's Django fixup closes the task thread's database connections around every task unless
# this is set. The plugin's task bodies do not need it (they run in threads of their own whose
# connections last: task_thread.py); it keeps the connection of Celery's own thread too.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
SALEOR_NOTIFY: dict = {}
