"""Secrets at rest and in logs: encrypted columns, key rotation, the migration of existing rows,
the previous secret erased when its window ends, and DEBUG logs of real deliveries."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from saleor_notify_plugin import channels, secrets_at_rest
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import NotificationChannel
from saleor_notify_plugin.pipeline import attempts, fan_out, upkeep
from tests.builders import attach, record
from tests.graphql import operations as ops
from tests.security.conftest import token_for
from tests.support.receiver import Reply

pytestmark = pytest.mark.django_db(transaction=True)

SLACK_TOKEN = "T0SECRET/B0SECRET/xoxbSlackTokenDoNotLeak"


def stored_columns() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, previous_secret, target_url FROM saleor_notify_notificationchannel ORDER BY id")
        return cursor.fetchall()


def test_secrets_and_urls_are_encrypted_at_rest(api, receiver):
    """Before: the secret, the previous secret and the Slack URL were plaintext columns. Now: Fernet tokens."""
    token = token_for("plugins-admin", Permission.MANAGE_PLUGINS)
    created = api.post(ops.CHANNEL_CREATE, {"input": {"name": "crm", "kind": "POSTBACK",
                                                       "url": receiver.url("/hook?key=k3y-in-url")}}, token=token)
    secret = created.json()["data"]["notificationChannelCreate"]["secret"]
    gid = created.json()["data"]["notificationChannelCreate"]["channel"]["id"]
    rotated = api.post(ops.CHANNEL_ROTATE, {"id": gid}, token=token).json()["data"]["notificationChannelRotateSecret"]
    api.post(ops.CHANNEL_CREATE, {"input": {"name": "ops", "kind": "SLACK",
                                            "url": receiver.url(f"/services/{SLACK_TOKEN}")}}, token=token)
    raw = " ".join(str(v) for row in stored_columns() for v in row)
    for plaintext in (secret, rotated["secret"], SLACK_TOKEN, "k3y-in-url"):
        assert plaintext not in raw
    assert raw.count("gAAAAA") == 5  # Fernet tokens: two secrets and a URL, a secret and a URL
    channel = NotificationChannel.objects.get(name="crm")
    assert (channel.secret, channel.previous_secret) == (rotated["secret"], secret)


def test_rows_written_before_encryption_are_migrated(transactional_db):
    """Existing plaintext rows are encrypted by migration 0006, and read back unchanged."""
    call_command("migrate", "saleor_notify", "0005_capture_edges", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO saleor_notify_notificationchannel (name, kind, target_url, email_recipients, secret,"
                " previous_secret, is_active, created_at, updated_at) VALUES"
                " ('old', 'SLACK', %s, '[]', 'whsec_plaintextOLDsecret', 'whsec_plaintextPREVIOUS', true,"
                " now(), now())",
                [f"https://hooks.slack.com/services/{SLACK_TOKEN}"],
            )
    finally:
        call_command("migrate", "saleor_notify", verbosity=0)
    raw = " ".join(str(v) for v in stored_columns()[0])
    assert "plaintext" not in raw and SLACK_TOKEN not in raw
    channel = NotificationChannel.objects.get(name="old")
    assert channel.secret == "whsec_plaintextOLDsecret" and channel.previous_secret == "whsec_plaintextPREVIOUS"
    assert channel.target_url.endswith(SLACK_TOKEN)


def test_a_key_is_rotated_by_putting_a_new_one_first_and_reencrypting(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ENCRYPTION_KEYS": [old]}
    channel = channels.create_channel(name="crm", kind="POSTBACK", url="http://127.0.0.1:9/hook")
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ENCRYPTION_KEYS": [new, old]}
    call_command("notify_reencrypt", verbosity=0)
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ENCRYPTION_KEYS": [new]}
    assert NotificationChannel.objects.get(pk=channel.pk).secret == channel.secret
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ENCRYPTION_KEYS": [old]}
    with pytest.raises(secrets_at_rest.SecretUnreadable):
        NotificationChannel.objects.get(pk=channel.pk)


def test_the_previous_secret_is_erased_when_its_window_ends(receiver, path):
    """Before: kept (and readable) after its 24 hours. Now: erased at the next send, and by the hourly purge."""
    channel = channels.create_channel(name="crm", kind="POSTBACK", url=receiver.url(path))
    rotated = channels.rotate_secret(channel.pk)
    receiver.script(path, Reply(200), secret=rotated.secret)
    NotificationChannel.objects.filter(pk=channel.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    attach(EventType.ORDER_COMPLETED, channel)
    for pk in fan_out.fan_out(record(EventType.ORDER_COMPLETED)):
        attempts.attempt_delivery(pk)
    sent = receiver.received(path)[0]
    assert sent.verified and len(sent.headers["webhook-signature"].split()) == 1
    assert stored_columns()[0][1] == ""

    other = channels.rotate_secret(channels.create_channel(name="b", kind="EMAIL", emails=["a@example.com"]).pk)
    upkeep.purge_old(timezone.now() + timedelta(hours=25))
    assert NotificationChannel.objects.get(pk=other.pk).previous_secret == ""


def test_debug_logs_of_real_deliveries_hold_no_secret(receiver, mail_server, settings, caplog):
    """Before: urllib3's DEBUG request line carried the Slack token (and a postback URL's key). Now: the
    transport's own DEBUG line names each post with its URL masked."""
    settings.EMAIL_PORT = mail_server.port
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    key = f"k3y{uuid.uuid4().hex}"
    postback = channels.rotate_secret(
        channels.create_channel(name="crm", kind="POSTBACK", url=receiver.url(f"/crm/{key}?token={key}")).pk
    )
    slack = channels.create_channel(name="#ops", kind="SLACK", url=receiver.url(f"/services/{SLACK_TOKEN}"))
    email = channels.create_channel(name="ops", kind="EMAIL", emails=["ops@example.com"])
    for channel in (postback, slack, email):
        attach(EventType.REFUND_APPLIED, channel)
    for pk in fan_out.fan_out(record(EventType.REFUND_APPLIED, payload={"number": "1042"})):
        attempts.attempt_delivery(pk)
    assert {c.deliveries.get().status for c in (postback, slack, email)} == {"SUCCESS"}
    posts = [r.getMessage() for r in caplog.records if r.name == "saleor_notify_plugin.delivery.http"]
    assert len(posts) == 2 and all(p.startswith("POST http://127.0.0.1:") for p in posts), posts
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (postback.secret, postback.previous_secret, SLACK_TOKEN, "xoxb", key):
        assert secret not in logged, secret
    assert "[redacted]" in logged
