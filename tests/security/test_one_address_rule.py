"""One rule for where a postback may go: the URL a channel is saved with is judged exactly as the
transport judges it when it connects, for addresses in every forbidden range and for names
resolving to them.

Names: no name server can be set up on a shared machine, so names under ``.names.test`` are
answered by a stand-in for the system resolver (``socket.getaddrinfo``, what both the mutation
and the transport call). Like the real one it receives a non-ASCII name IDNA-encoded by Python
itself, as CPython's socket module encodes it before asking the system.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import pytest
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES
from urllib3.util.connection import HAS_IPV6

from saleor_notify_plugin.delivery import addresses, http
from saleor_notify_plugin.delivery.outcome import ErrorKind
from saleor_notify_plugin.errors import NotifyError, NotifyErrorCode
from saleor_notify_plugin.graphql.requestor import Permission
from saleor_notify_plugin.validation import validate_target_url
from tests.graphql import operations as ops
from tests.security.conftest import token_for

#: Not globally reachable (IANA's special-purpose registries), plus the ranges that carry or reach
#: another address (IPv4 inside IPv6, 6to4, Teredo, NAT64) and multicast.
SPECIAL_RANGES = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48",
    "100::/64", "2001::/32", "2001:db8::/32", "2002::/16", "5f00::/16", "3fff::/20",
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
]
FORBIDDEN = sorted(
    {str(n) for n in SPECIAL_RANGES}
    | {str(n) for n in addresses.BLOCKED_NETWORKS}
    | {str(n) for n in EXTRA_BLOCKED_NET_RANGES}  # what requests-hardened refuses by itself
)
PUBLIC = ["93.184.215.14", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111"]


def samples(network: str) -> list[str]:
    """The first, second and last address of a range."""
    net = ipaddress.ip_network(network)
    return sorted({str(net.network_address), str(net.network_address + min(1, net.num_addresses - 1)),
                   str(net.broadcast_address)})


FORBIDDEN_ADDRESSES = sorted({ip for net in FORBIDDEN for ip in samples(net)})
OFF = http.HttpSettings(timeout_s=2, connect_timeout_s=0.5, allow_private_targets=False)
ON = http.HttpSettings(timeout_s=2, connect_timeout_s=0.5, allow_private_targets=True)


def literal(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


def name_for(ip: str) -> str:
    return "a-" + ipaddress.ip_address(ip).exploded.replace(":", "-").replace(".", "-") + ".names.test"


def refused_at_save(url: str) -> NotifyErrorCode | None:
    try:
        validate_target_url(url, allow_private=False)
    except NotifyError as exc:
        return exc.code
    return None


def usable(ip: str) -> bool:
    return HAS_IPV6 or ipaddress.ip_address(ip).version == 4


def test_the_forbidden_ranges_include_what_the_connect_time_filter_refuses():
    """requests-hardened refuses some ranges at connect by itself: each is in the one rule's list."""
    for net in EXTRA_BLOCKED_NET_RANGES:
        for ip in samples(str(net)):
            assert addresses.is_forbidden(ip), ip


@pytest.mark.parametrize("ip", FORBIDDEN_ADDRESSES)
def test_a_forbidden_address_is_refused_at_save_and_at_send(ip, names):
    if not usable(ip):
        pytest.skip("this machine has no IPv6")
    names[name_for(ip)] = [ip]
    for host in (literal(ip), name_for(ip)):
        url = f"http://{host}:9/hook"
        assert refused_at_save(url) is NotifyErrorCode.PRIVATE_TARGET, url
        assert http.post(url, b"{}", {}, OFF).error_kind is ErrorKind.BLOCKED_ADDRESS, url


@pytest.mark.parametrize("ip", PUBLIC)
def test_a_public_address_is_accepted_at_save_and_not_refused_at_send(ip, names):
    if not usable(ip):
        pytest.skip("this machine has no IPv6")
    names[name_for(ip)] = [ip]
    for host in (literal(ip), name_for(ip)):
        url = f"http://{host}:9/hook"
        assert refused_at_save(url) is None, url
        # Port 9 (discard) on a public host: nothing answers, but nothing refused it either.
        assert http.post(url, b"{}", {}, OFF).error_kind is not ErrorKind.BLOCKED_ADDRESS, url


def test_where_private_targets_are_allowed_the_same_names_reach_the_server(names, receiver):
    """The refusals above are the rule, not a network failure: allowed, the request arrives."""
    port = urlsplit(receiver.base_url).port
    names["loopback.names.test"] = ["127.0.0.1"]
    names["xn--fa-hia.names.test"] = ["127.0.0.1"]
    for host in ("127.0.0.1", "loopback.names.test", "faß.names.test"):
        path = f"/hook/{abs(hash(host))}"
        url = f"http://{host}:{port}{path}"
        assert refused_at_save(url) is NotifyErrorCode.PRIVATE_TARGET, url
        assert http.post(url, b"{}", {}, OFF).error_kind is ErrorKind.BLOCKED_ADDRESS, url
        assert receiver.received(path) == []
        validate_target_url(url, allow_private=True)
        assert http.post(url, b"{}", {}, ON).status_code == 200, url
        assert len(receiver.received(path)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_name_is_judged_as_the_transport_encodes_it(api, settings, names, receiver):
    """Before: the mutation let Python resolve "faß" as IDNA 2003 does ("fass"), while requests
    sends to the IDNA 2008 name ("xn--fa-hia"): a public answer for the one, a loopback answer for
    the other, and the channel was saved with a URL the transport then refused. Now: refused at save."""
    settings.SALEOR_NOTIFY = {**settings.SALEOR_NOTIFY, "ALLOW_PRIVATE_TARGETS": False}
    port = urlsplit(receiver.base_url).port
    names["fass.names.test"] = ["93.184.215.14"]
    names["xn--fa-hia.names.test"] = ["127.0.0.1"]
    url = f"http://faß.names.test:{port}/internal"
    token = token_for("plugins-admin", Permission.MANAGE_PLUGINS)
    created = api.post(ops.CHANNEL_CREATE, {"input": {"name": "x", "kind": "POSTBACK", "url": url}}, token=token)
    assert [e["code"] for e in created.json()["data"]["notificationChannelCreate"]["errors"]] == ["PRIVATE_TARGET"]
    assert http.post(url, b"{}", {}, OFF).error_kind is ErrorKind.BLOCKED_ADDRESS
    assert receiver.received("/internal") == []


def test_a_name_is_judged_by_the_address_the_transport_connects_to(names):
    """Before: a name with a public and a private address was refused at save, whichever the
    transport connects to (the first of a family this machine uses, which it then checks). Now:
    the save judges that same address; the private one first is refused at both."""
    names["public-first.names.test"] = ["93.184.215.14", "10.0.0.1"]
    names["private-first.names.test"] = ["10.0.0.1", "93.184.215.14"]
    public_first = "http://public-first.names.test:9/hook"
    assert refused_at_save(public_first) is None
    assert http.post(public_first, b"{}", {}, OFF).error_kind is not ErrorKind.BLOCKED_ADDRESS
    private_first = "http://private-first.names.test:9/hook"
    assert refused_at_save(private_first) is NotifyErrorCode.PRIVATE_TARGET
    assert http.post(private_first, b"{}", {}, OFF).error_kind is ErrorKind.BLOCKED_ADDRESS
