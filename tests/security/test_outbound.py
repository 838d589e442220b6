"""Where notifications may go: one address rule at save and at connect, no proxy from the
environment, private targets only by the deployment, Slack only on Slack's hosts."""

from __future__ import annotations

import json
import uuid

import pytest

from saleor_notify_plugin.capture import config as shop_config
from saleor_notify_plugin.conf import forget_shop_settings, get_settings
from saleor_notify_plugin.delivery import addresses, http
from saleor_notify_plugin.delivery.outcome import ErrorKind
from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.events import EventType
from saleor_notify_plugin.graphql.ids import to_global_id
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.models import NotificationChannel
from saleor_notify_plugin.pipeline import attempts, fan_out
from saleor_notify_plugin.validation import validate_target_url
from tests.builders import attach, record
from tests.graphql import operations as ops
from tests.security.conftest import token_for

pytestmark = pytest.mark.django_db(transaction=True)

#: Accepted at save and refused at send before (192.88.99.1, 2002::1), or passed both
#: (NAT64, IPv4-compatible, IPv4-translated, site-local, Teredo): now refused at both.
SPECIAL = [
    "192.88.99.1",  # 6to4 relay anycast
    "2002::1",  # 6to4
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::1",  # NAT64, local use
    "::a00:1",  # IPv4-compatible 10.0.0.1
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "fec0::1",  # site-local
    "2001::1",  # Teredo
    "100.64.0.1",  # shared (CG-NAT)
    "169.254.169.254",  # cloud metadata
    "fd00::1",  # unique local
    "fe80::1",  # link-local
]
PUBLIC = ["93.184.215.14", "2606:4700:4700::1111", "1.1.1.1"]


def literal(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


@pytest.fixture
def public_only(settings):
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ALLOW_PRIVATE_TARGETS": False}
    forget_shop_settings()
    yield
    forget_shop_settings()


@pytest.mark.parametrize("ip", SPECIAL)
def test_a_special_address_is_refused_at_save_and_at_connect(api, public_only, ip):
    """Before: some were saved and then refused at send, some passed both. Now: refused at both, the same way."""
    token = token_for("plugins-admin", Permission.MANAGE_PLUGINS)
    url = f"http://{literal(ip)}:9/hook"
    created = api.post(ops.CHANNEL_CREATE, {"input": {"name": "x", "kind": "POSTBACK", "url": url}}, token=token)
    assert [e["code"] for e in created.json()["data"]["notificationChannelCreate"]["errors"]] == ["PRIVATE_TARGET"]
    outcome = http.post(url, b"{}", {}, get_settings().http)
    assert outcome.error_kind is ErrorKind.BLOCKED_ADDRESS


@pytest.mark.parametrize("ip", SPECIAL + PUBLIC)
def test_save_and_connect_use_one_rule(ip):
    """The validator refuses exactly what the connect-time filter refuses."""
    try:
        validate_target_url(f"http://{literal(ip)}/", allow_private=False)
        refused_at_save = False
    except NotifyError as refusal:
        assert refusal.code is NotifyErrorCode.PRIVATE_TARGET, refusal  # not refused for another reason
        refused_at_save = True
    assert refused_at_save is addresses.is_forbidden(ip) is (ip in SPECIAL)


def test_an_environment_proxy_is_not_used(receiver, monkeypatch):
    """Before: with HTTP_PROXY set, a postback went through the proxy, which resolved the name itself
    (undoing the pinned address). Now: connected directly, the proxy sees nothing."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, receiver.base_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    before = len(receiver.requests)
    for allow_private in (False, True):
        settings = http.HttpSettings(timeout_s=2, connect_timeout_s=1, allow_private_targets=allow_private)
        outcome = http.post(f"http://internal-{uuid.uuid4().hex[:6]}.invalid/hook", b"{}", {}, settings)
        assert outcome.error_kind is ErrorKind.CONNECT_ERROR  # the name does not resolve here: nothing sent
    assert len(receiver.requests) == before


def test_the_worker_s_netrc_credentials_never_go_with_a_postback(receiver, monkeypatch, tmp_path):
    """Before: requests added the worker's ``~/.netrc`` login for the target's host to every postback
    (a channel pointed at a host listed there got the deployment's credentials in ``Authorization``).
    Now: a postback carries only the headers the plugin sets."""
    host = receiver.base_url.split("//", 1)[1].split(":", 1)[0]
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {host} login deploy-bot password s3cret-registry-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    target = receiver.url(f"/netrc-{uuid.uuid4().hex[:6]}")
    settings = http.HttpSettings(timeout_s=2, connect_timeout_s=1, allow_private_targets=True)
    outcome = http.post(target, b"{}", {"webhook-id": "evt_1"}, settings)
    assert outcome.status_code == 200
    (got,) = receiver.received(target.removeprefix(receiver.base_url))
    assert "Authorization" not in got.headers and "authorization" not in got.headers
    assert got.headers["webhook-id"] == "evt_1"


def test_the_dashboard_cannot_allow_private_targets(api, public_only, receiver):
    """Before: MANAGE_PLUGINS could switch private targets on from the plugin page; a test send then
    returned 1 KiB of an internal service's answer. Now: only the deployment's setting counts."""
    from tests.support.receiver import Reply

    shop_config.mirror([{"name": "allow_private_targets", "value": True}])
    assert get_settings().allow_private_targets is False
    token = token_for("plugins-admin", Permission.MANAGE_PLUGINS)
    internal = receiver.script("/internal/metadata", Reply(200, body=b"ami-id: secret-internal-data" * 40))
    created = api.post(ops.CHANNEL_CREATE, {"input": {"name": "x", "kind": "POSTBACK", "url": internal}}, token=token)
    assert [e["code"] for e in created.json()["data"]["notificationChannelCreate"]["errors"]] == ["PRIVATE_TARGET"]

    # A row that points inside already (saved while the deployment allowed it): the test send is refused.
    channel = NotificationChannel.objects.create(name="old", kind="POSTBACK", target_url=internal)
    tested = api.post(ops.CHANNEL_TEST, {"id": to_global_id("NotificationChannel", channel.pk)}, token=token)
    result = tested.json()["data"]["notificationChannelTest"]["result"]
    assert result["errorKind"] == "BLOCKED_ADDRESS" and not result.get("responseExcerpt")
    assert "secret-internal-data" not in tested.text
    assert receiver.received("/internal/metadata") == []


def test_a_slack_channel_must_be_on_slacks_host(api, settings, receiver):
    """Before: any URL was a "Slack" channel. Now: SLACK_HOSTS only (hooks.slack.com unless widened)."""
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "SLACK_HOSTS": ["hooks.slack.com"]}
    token = token_for("plugins-admin", Permission.MANAGE_PLUGINS)
    for url in ("https://hooks.slack.com.attacker.test/services/T/B/x", "https://attacker.test/services/T/B/x",
                receiver.url("/services/T/B/x")):
        created = api.post(ops.CHANNEL_CREATE, {"input": {"name": "s", "kind": "SLACK", "url": url}}, token=token)
        assert [e["code"] for e in created.json()["data"]["notificationChannelCreate"]["errors"]] == ["INVALID_URL"]
    # A row saved before the hosts were narrowed is not sent to.
    path = f"/services/T0/B0/{uuid.uuid4().hex}"
    channel = NotificationChannel.objects.create(name="old", kind="SLACK", target_url=receiver.url(path))
    attach(EventType.ORDER_COMPLETED, channel)
    for pk in fan_out.fan_out(record(EventType.ORDER_COMPLETED)):
        attempts.attempt_delivery(pk)
    assert channel.deliveries.get().failure_kind == "invalid_target"
    tested = api.post(ops.CHANNEL_TEST, {"id": to_global_id("NotificationChannel", channel.pk)}, token=token)
    assert tested.json()["data"]["notificationChannelTest"]["result"]["errorKind"] == "INVALID_TARGET"
    assert receiver.received(path) == []


def test_slack_text_cannot_mention_a_whole_channel(live, receiver):
    """Before: a contact's address "<!channel>"@example.com pinged everyone. Now: escaped, shown literally."""
    from saleor_notify_plugin import channels
    from tests.support.waiting import wait_for

    path = f"/services/T0/B0/{uuid.uuid4().hex}"
    channel = channels.create_channel(name="#crm", kind="SLACK", url=receiver.url(path))
    attach(EventType.REFUND_APPLIED, channel)
    record(EventType.REFUND_APPLIED, payload={"email": '"<!channel>"@example.com', "note": "<https://x.test|y>"})
    wait_for(lambda: receiver.received(path), 10)
    text = json.loads(receiver.received(path)[0].body)["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text

    from saleor_notify_plugin import channel_probe

    named = channels.create_channel(name="<!here> ops", kind="SLACK", url=receiver.url(path))
    assert channel_probe.send_test(named.pk).succeeded
    assert "&lt;!here&gt;" in json.loads(receiver.received(path)[-1].body)["text"]


def test_an_email_subject_cannot_carry_extra_headers(live, mail_server):
    """Before: a line break in the summary raised inside the sender. Now: one line, delivered."""
    from saleor_notify_plugin import channels
    from tests.builders import final_delivery
    from tests.support.waiting import wait_for

    channel = channels.create_channel(name="ops", kind="EMAIL", emails=["ops@example.com"])
    attach(EventType.REFUND_APPLIED, channel)
    record(EventType.REFUND_APPLIED, payload={"number": "1042\r\nBcc: everyone@attacker.test"})
    assert wait_for(lambda: final_delivery(channel), 10).status == "SUCCESS"
    _, recipients, content = mail_server.messages[-1]
    assert recipients == ["ops@example.com"]
    headers = content.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    assert b"\r\nBcc:" not in headers and b"Subject: Refund applied (shop): order 1042 Bcc:" in headers
