"""Each setting is defined once (``conf.NotifySettings``): the deployment's ``SALEOR_NOTIFY``, the
dashboard page's fields and saved items, the shop row and the README all follow from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saleor_notify_plugin import conf, parsing
from saleor_notify_plugin.capture import config as shop_config
from saleor_notify_plugin.checks import check_settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()

#: The dashboard page's fields, in the page's order, as Saleor shows them.
PAGE = ["funnel_marker_key", "funnel_channel_slugs", "digital_product_rule", "digital_metadata_key",
        "subscription_metadata_key", "funnel_fallback_minutes", "allow_private_targets", "celery_queue",
        "alert_after_minutes", "alert_emails"]


def test_the_dashboard_page_shows_the_defined_settings_in_order():
    assert [s.dashboard_key for s in conf.DASHBOARD_SETTINGS] == PAGE
    assert [i["name"] for i in shop_config.page_items()] == PAGE
    assert [s.name for s in conf.DASHBOARD_SETTINGS if s.dashboard.read_only] == ["allow_private_targets"]
    assert all(s.dashboard.label and s.dashboard.help_text for s in conf.DASHBOARD_SETTINGS)


def test_the_readme_lists_every_deployment_key_and_no_other():
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    documented = {key for cell in first_cells for key in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}
    assert documented == {s.key for s in conf.SETTINGS if s.where is not conf.Where.DASHBOARD}


def test_deployment_values_are_parsed_by_type(settings):
    settings.SALEOR_NOTIFY = {
        "timeout_s": "5", "ALLOW_PRIVATE_TARGETS": "false", "SLACK_HOSTS": "hooks.slack.com, chat.example",
        "ENCRYPTION_KEYS": [b"a2V5"], "QUEUE": " ", "SWEEP_BATCH_SIZE": "200", "CLIENT_IP_HEADER": "X-Forwarded-For",
    }
    assert conf.deployment_values() == {
        "timeout_s": 5.0, "allow_private_targets": False, "slack_hosts": ("hooks.slack.com", "chat.example"),
        "encryption_keys": ("a2V5",), "queue": None, "sweep_batch_size": 200, "client_ip_header": "X-Forwarded-For",
    }


@pytest.mark.parametrize(("given", "message"), [
    ({"TIMEOUT_S": "soon"}, "SALEOR_NOTIFY['TIMEOUT_S'] must be a number, not 'soon'."),
    ({"ALLOW_PRIVATE_TARGETS": "maybe"}, "SALEOR_NOTIFY['ALLOW_PRIVATE_TARGETS'] must be true or false, not 'maybe'."),
    ({"ALLOW_PRIVATE_TARGETS": 2}, "SALEOR_NOTIFY['ALLOW_PRIVATE_TARGETS'] must be true or false, not 2."),
    ({"SWEEP_BATCH_SIZE": 0}, "SALEOR_NOTIFY['SWEEP_BATCH_SIZE'] must be at least 1, not 0."),
    ({"SWEEP_BATCH_SIZE": 2.5}, "SALEOR_NOTIFY['SWEEP_BATCH_SIZE'] must be a whole number, not 2.5."),
    ({"SLACK_HOSTS": 5}, "SALEOR_NOTIFY['SLACK_HOSTS'] must be a list of texts or a comma-separated text, not 5."),
    ({"QUEUE": ["a"]}, "SALEOR_NOTIFY['QUEUE'] must be text, not ['a']."),
    ({"RETRY_AFTER_MAX_S": "inf"}, "SALEOR_NOTIFY['RETRY_AFTER_MAX_S'] must be a finite number, not 'inf'."),
    ({"FUNNEL_MARKER_KEY": "lp"}, "Unknown SALEOR_NOTIFY setting(s): funnel_marker_key"),  # the page's alone
])
def test_a_bad_deployment_value_is_a_clear_error_at_startup(settings, given, message):
    settings.SALEOR_NOTIFY = given
    with pytest.raises(ValueError) as raised:
        conf.deployment_values()
    assert str(raised.value) == message
    assert [(e.id, e.msg) for e in check_settings(None)] == [("saleor_notify.E001", message)]


def test_the_pages_items_are_parsed_leniently():
    """What the shop owner typed never breaks a hook: unusable values are the defaults."""
    assert conf.dashboard_values([
        {"name": "funnel_marker_key", "value": "  lp "},
        {"name": "funnel_channel_slugs", "value": "eu,\nus, ,"},
        {"name": "digital_product_rule", "value": "sometimes"},
        {"name": "funnel_fallback_minutes", "value": "0"},
        {"name": "allow_private_targets", "value": True},  # shown only: never taken from the page
        {"name": "celery_queue", "value": ""},
        {"name": "event_order_completed", "value": True},  # a switch: the EventSwitch rows' business
        {"name": "timeout_s", "value": "1"},  # the deployment's alone
    ]) == {"funnel_marker_key": "lp", "funnel_channel_slugs": ("eu", "us"), "digital_rule": "metadata",
           "funnel_fallback_minutes": 1, "queue": None}
    assert conf.dashboard_values([{"name": "funnel_fallback_minutes", "value": "soon"}]) == {
        "funnel_fallback_minutes": 30}


def test_the_deployment_wins_over_the_page_and_the_page_over_the_defaults(settings):
    settings.SALEOR_NOTIFY = {"QUEUE": "ops"}
    read = shop_config.from_items([{"name": "celery_queue", "value": "shop"}, {"name": "funnel_marker_key",
                                                                                "value": "lp"}])
    assert (read.queue, read.funnel_marker_key, read.digital_metadata_key) == ("ops", "lp", "digital")


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), (1, True), (0, False), ("true", True), (" Yes ", True), ("on", True),
    ("1", True), ("false", False), ("no", False), ("OFF", False), ("0", False), ("", False),
])
def test_one_parser_for_switches(value, expected):
    assert parsing.to_bool(value, "x") is expected


@pytest.mark.parametrize("value", ["maybe", 2, None, 1.0, ["true"]])
def test_the_switch_parser_refuses_what_is_not_a_switch(value):
    with pytest.raises(parsing.SettingError, match="x must be true or false"):
        parsing.to_bool(value, "x")


@pytest.mark.django_db
def test_a_worker_reads_the_shop_row_once_per_call(django_assert_num_queries):
    shop_config.mirror([{"name": "funnel_marker_key", "value": "lp"}, {"name": "celery_queue", "value": "q"}])
    with django_assert_num_queries(1):
        shop = shop_config.load()  # the capture task's read
        again = conf.get_settings()  # e.g. the queue of a task it enqueues
    assert shop.funnel_marker_key == again.funnel_marker_key == "lp"


@pytest.mark.django_db(transaction=True)
def test_the_shop_rows_values_survive_the_move_to_one_column():
    from tests.support.migrations import just_before

    with just_before("0011_shop_settings_values") as old:
        old.get_model("saleor_notify", "ShopSettings").objects.update_or_create(pk=1, defaults={
            "funnel_marker_key": "lp", "funnel_channel_slugs": ["eu"], "digital_rule": "no_shipping",
            "digital_metadata_key": "d", "subscription_metadata_key": "plan", "funnel_fallback_minutes": 45,
            "allow_private_targets": True, "queue": "shop"})
    conf.forget_shop_settings()
    read = shop_config.load()
    assert (read.funnel_marker_key, read.funnel_channel_slugs, read.digital_rule, read.digital_metadata_key,
            read.subscription_metadata_key, read.funnel_fallback_minutes) == ("lp", ("eu",), "no_shipping", "d",
                                                                               "plan", 45)
    assert conf.shop_values()["queue"] == "shop"


@pytest.mark.django_db  # get_settings reads the shop row when this process's copy has expired
def test_a_deployment_that_keeps_saleors_settings_sets_keys_in_the_environment(settings, monkeypatch):
    """Saleor's image is configured from the environment: ``SALEOR_NOTIFY_<KEY>`` is the deployment's
    word too, parsed like text in ``SALEOR_NOTIFY``, which wins where both set a key."""
    settings.SALEOR_NOTIFY = {"TIMEOUT_S": 7}
    monkeypatch.setenv("SALEOR_NOTIFY_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv("SALEOR_NOTIFY_SLACK_HOSTS", "hooks.slack.com, chat.example")
    monkeypatch.setenv("SALEOR_NOTIFY_TIMEOUT_S", "3")
    current = conf.settings_from({})  # as get_settings builds them, with no shop values saved
    assert current.allow_private_targets is True
    assert current.slack_hosts == ("hooks.slack.com", "chat.example")
    assert current.timeout_s == 7.0
    assert conf.deployment_value("allow_private_targets") is True


@pytest.mark.parametrize(("variable", "text", "message"), [
    ("SALEOR_NOTIFY_TIMEOUT_S", "soon", "the environment's SALEOR_NOTIFY_TIMEOUT_S must be a number, not 'soon'."),
    ("SALEOR_NOTIFY_TIMEOUTS", "5", "Unknown SALEOR_NOTIFY setting(s): SALEOR_NOTIFY_TIMEOUTS"),
    ("SALEOR_NOTIFY_FUNNEL_MARKER_KEY", "lp", "Unknown SALEOR_NOTIFY setting(s): SALEOR_NOTIFY_FUNNEL_MARKER_KEY"),
])
def test_a_bad_environment_value_is_named_at_startup(settings, monkeypatch, variable, text, message):
    settings.SALEOR_NOTIFY = {}
    monkeypatch.setenv(variable, text)
    assert [error.msg for error in check_settings(None)] == [message]
