"""The package's own Celery app, for running outside Saleor (inside Saleor, Saleor's app is used).

    celery -A saleor_notify_plugin.celery_app worker --beat
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_notify_plugin.standalone_settings")

app = Celery("saleor_notify")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_notify_plugin"])


@app.on_after_configure.connect
def _schedule(sender: Celery, **kwargs: object) -> None:
    from .conf import get_settings
    from .tasks import beat_schedule

    sender.conf.beat_schedule = {**beat_schedule(get_settings().sweep_interval_s), **(sender.conf.beat_schedule or {})}
