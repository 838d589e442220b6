"""Django app configuration; ready() registers system checks and touches no database."""

from django.apps import AppConfig

from . import checks


class SaleorNotifyConfig(AppConfig):
    name = "saleor_notify_plugin"
    label = "saleor_notify"
    verbose_name = "Saleor notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register()
