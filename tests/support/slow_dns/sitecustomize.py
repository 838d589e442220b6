"""A slow name server, for the worker processes of the deadline tests.

No resolver that answers slowly can be set up on a shared machine without changing its
``/etc/resolv.conf``; so a worker started with this directory on ``PYTHONPATH`` resolves names
ending in ``.slow-dns.test`` to 127.0.0.1 after ``NOTIFY_TEST_SLOW_DNS_S`` seconds, inside
``getaddrinfo`` (where a real resolver waits). Everything else resolves as usual.
"""

import os
import socket
import time

_real_getaddrinfo = socket.getaddrinfo
_DELAY_S = float(os.environ.get("NOTIFY_TEST_SLOW_DNS_S", "5"))


def _slow_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".slow-dns.test"):
        time.sleep(_DELAY_S)
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _slow_getaddrinfo
