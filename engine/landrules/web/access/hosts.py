"""The Host allow-list and the same-origin test.

A browser sends `Host` as the name it resolved: a page that rebinds its own DNS name to this
machine (DNS rebinding) arrives with its own name, which is not on the list. `Origin` (or,
without it, `Referer`) names the page a state-changing request came from; it must be this
server as the browser reached it — scheme aside, the same host and port as `Host`.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")
DEFAULT_PORTS = {"http": 80, "https": 443}


def default_allowed(bound: str) -> tuple[str, ...]:
    """The bound host, this machine's loopback names, and for a wildcard bind its own names."""
    names = [bound] if bound not in WILDCARD else [socket.gethostname(), socket.getfqdn()]
    return tuple(dict.fromkeys(n.lower() for n in [*names, *LOOPBACK] if n))


def split_host(value: str) -> tuple[str, int | None]:
    """`name[:port]` or `[v6][:port]` → (name, port), name lowercased without brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port = value.partition(":")
    else:
        name, port = value, ""
    return name.rstrip("."), int(port) if port.isdigit() else None


def host_allowed(header: str | None, allowed: tuple[str, ...]) -> bool:
    """True when the Host header names an allowed host (an entry with a port must match it too)."""
    if not header:
        return False
    name, port = split_host(header)
    for entry in allowed:
        want, want_port = split_host(entry)
        if want == name and (want_port is None or want_port == port):
            return True
    return False


def same_origin(url: str, host: str | None, scheme: str = "http") -> bool:
    """True when `url` (an Origin or a Referer) is this server as `Host` names it."""
    if not url or url == "null" or not host:
        return False
    parts = urlsplit(url)
    try:
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return False
        given = parts.port
    except ValueError:  # a port that is not a number
        return False
    name, port = split_host(host)
    if parts.hostname.lower().rstrip(".") != name:
        return False
    if port is None and given is None:  # both the default port (a proxy may speak http to us for https)
        return True
    return (given or DEFAULT_PORTS[parts.scheme]) == (port or DEFAULT_PORTS.get(scheme, 80))
