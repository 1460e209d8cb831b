"""Where a webhook may go: http(s) URLs only, and (unless the operator allows it) never to a
loopback, link-local, private or otherwise non-public address, so a subscription cannot make the
server reach into its own network (SSRF).

The address is checked where it matters, on the address actually connected to, after name
resolution (`webhook.connect`): a name that resolves to a public address when the subscription is
made and to a private one later is still refused. A literal address or `localhost` is refused
when the subscription is made as well, to say so at once.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from hostcap.errors import HostcapError


class UrlRefused(HostcapError):
    """A webhook URL or the address it resolves to is not allowed."""

    http_status = 422
    exit_code = 2


def check_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL with a host and no credentials; ValueError otherwise."""
    if len(url) > 2000:
        raise ValueError("the URL is longer than 2000 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    if parts.username or parts.password:
        raise ValueError("the URL must not carry credentials (the signature authenticates deliveries)")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        raise ValueError("the URL's port is not a valid port number") from None
    return url


def refused_address(address: str) -> str | None:
    """Why a delivery must not connect to `address` (None: it may): anything but a public
    unicast address, an IPv4 address mapped into IPv6 judged as itself."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return f"{ip} is a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def check_destination(url: str, allow_private: bool) -> None:
    """Refuse now a URL whose host is a literal non-public address or `localhost` (a name is checked
    when connecting, on what it resolves to then)."""
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        raise UrlRefused(f"webhook destination refused: {host} is a loopback name")
    try:
        reason = refused_address(host)
    except ValueError:
        return  # a name, not an address
    if reason:
        raise UrlRefused(f"webhook destination refused: {reason}")
