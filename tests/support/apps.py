"""The test suite's stand-in for Saleor's side of the port, installed as Saleor's is: once, at startup."""

from django.apps import AppConfig

from saleor_notify_plugin import shop


class FakeShopConfig(AppConfig):
    name = "tests.support"
    label = "notify_test_support"

    def ready(self) -> None:
        # Imported here: the fake shop imports the plugin's models, which load after the app registry.
        from .fake_shop import SHOP

        shop.install(SHOP)
