"""Which IP addresses a notification may be sent to: one rule, used when a target is saved and
again on the address actually connected to.

An address is refused when it is not globally routable (private, loopback, link-local,
documentation, benchmarking, shared CG-NAT, unspecified...), multicast, or in a range that
carries or reaches another address: IPv4 inside IPv6 (mapped, compatible, translated, NAT64,
6to4, Teredo) and the 6to4 relay anycast. Such forms are refused whatever address they hold,
so no embedded form can be used to reach an internal host. Site-local IPv6 (fec0::/10,
deprecated but still routed inside some networks) is refused too.
"""

from __future__ import annotations

import ipaddress

from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Beyond what ``ipaddress`` calls non-global: the one list of refused ranges.
_OURS: tuple[_Network, ...] = (
    ipaddress.ip_network("192.88.99.0/24"),  # 6to4 relay anycast
    ipaddress.ip_network("100.64.0.0/10"),  # shared address space (CG-NAT)
    ipaddress.ip_network("::/96"),  # IPv4-compatible (deprecated) and the unspecified address
    ipaddress.ip_network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.ip_network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64, well-known prefix
    ipaddress.ip_network("64:ff9b:1::/48"),  # NAT64, local use
    ipaddress.ip_network("2002::/16"),  # 6to4
    ipaddress.ip_network("2001::/32"),  # Teredo
    ipaddress.ip_network("fec0::/10"),  # site-local (deprecated)
    ipaddress.ip_network("fc00::/7"),  # unique local
    ipaddress.ip_network("fe80::/10"),  # link-local
)
#: Ours and requests-hardened's (its connect-time filter's list: never looser than it), once each.
BLOCKED_NETWORKS: tuple[_Network, ...] = tuple(dict.fromkeys((*EXTRA_BLOCKED_NET_RANGES, *_OURS)))


def parse(text: str) -> IPAddress:
    """An address from a socket or a URL host (brackets and an IPv6 zone are dropped)."""
    return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])


def is_forbidden(ip: IPAddress | str) -> bool:
    """True for an address no notification may reach unless the deployment allows private targets."""
    if isinstance(ip, str):
        ip = parse(ip)
    if any(ip.version == net.version and ip in net for net in BLOCKED_NETWORKS):
        return True
    return ip.is_multicast or not ip.is_global
