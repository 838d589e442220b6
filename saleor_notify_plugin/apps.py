"""Django app configuration; ready() registers system checks and the request signals' receivers,
and touches no database."""

from django.apps import AppConfig
from django.core.signals import request_finished, request_started, setting_changed

from . import checks


class SaleorNotifyConfig(AppConfig):
    name = "saleor_notify_plugin"
    label = "saleor_notify"
    verbose_name = "Saleor notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .pipeline import broker

        checks.register()
        # The worker starts on a request's messages once its response is out, not while the shop's
        # process is still answering on the same cores.
        request_started.connect(broker.hold_for_request, dispatch_uid="saleor_notify.hold_for_request")
        request_finished.connect(broker.release_after_response, dispatch_uid="saleor_notify.release_after_response")
        # CELERY_TASK_ALWAYS_EAGER is read once per process; a test that changes it is heard.
        setting_changed.connect(broker.forget_eagerness, dispatch_uid="saleor_notify.forget_eagerness")
