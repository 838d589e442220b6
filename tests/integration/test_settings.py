"""Where the settings come from: the deployment's SALEOR_NOTIFY, then the dashboard's shop settings."""

import pytest

from saleor_notify_plugin.capture import config as shop_config
from saleor_notify_plugin.conf import get_settings

pytestmark = pytest.mark.django_db


def save_dashboard(**items):
    shop_config.mirror([{"name": k, "value": v} for k, v in items.items()])


def test_defaults_refuse_private_targets_and_use_celerys_default_queue(settings):
    settings.SALEOR_NOTIFY = {}
    assert get_settings().allow_private_targets is False
    assert get_settings().queue is None
    assert get_settings().timeout_s == 30.0


def test_dashboard_settings_apply_at_once_but_cannot_allow_private_targets(settings):
    """The queue comes from the dashboard; private targets only from the deployment's settings."""
    settings.SALEOR_NOTIFY = {}
    save_dashboard(allow_private_targets=True, celery_queue="notifications")
    assert get_settings().queue == "notifications"
    assert get_settings().allow_private_targets is False


def test_the_deployment_settings_win_over_the_dashboard(settings):
    settings.SALEOR_NOTIFY = {"ALLOW_PRIVATE_TARGETS": False, "QUEUE": "ops"}
    save_dashboard(allow_private_targets=True, celery_queue="notifications")
    assert get_settings().allow_private_targets is False
    assert get_settings().queue == "ops"


def test_a_mistyped_setting_is_reported(settings):
    settings.SALEOR_NOTIFY = {"TIMEOUT": 5}
    with pytest.raises(ValueError, match="timeout"):
        get_settings()


@pytest.fixture(autouse=True)
def fresh_shop_settings():
    from saleor_notify_plugin.conf import forget_shop_settings

    forget_shop_settings()
    yield
    forget_shop_settings()
