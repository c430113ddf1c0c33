"""Where a cloud account's `endpoint_url` may point: public hosts, or what the operator
allowlists (`SEALTRAIL_ENDPOINT_ALLOWLIST`, e.g. a local moto or LocalStack).

The scan worker sends signed requests to the endpoint, so an endpoint on loopback, a
private range, link-local (the cloud metadata service at 169.254.169.254) or any other
non-public address would let whoever manages accounts make the server call inside its
own network (server-side request forgery). The host is resolved and every address it
resolves to is checked, when the account is saved and again before each scan (the
name may resolve elsewhere by then). IPv4 written in other forms (`2130706433`,
`0x7f.1`) resolves to the same address and is judged by it; IPv4 inside IPv6
(`::ffff:127.0.0.1`, 6to4, NAT64) is judged by the IPv4 address it carries.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_address,
    ip_network,
)
from urllib.parse import urlsplit

from sealtrail.errors import ConfigurationError

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
Resolve = Callable[[str, int], Sequence[str]]
SETTING = "SEALTRAIL_ENDPOINT_ALLOWLIST"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix


@dataclass(frozen=True)
class Allowed:
    """One allowlist entry: a host name or a network, on one port or on any."""

    host: str | None = None
    network: Network | None = None
    port: int | None = None

    def admits_host(self, host: str, port: int) -> bool:
        """Whether this entry names `host` (and its port, when it names one)."""
        return self.host == host and self.port in (None, port)

    def admits_address(self, address: Address, port: int) -> bool:
        """Whether `address` lies in this entry's network (on its port, if any)."""
        return (
            self.network is not None
            and address.version == self.network.version
            and address in self.network
            and self.port in (None, port)
        )


@lru_cache(maxsize=8)
def parse_allowlist(text: str) -> tuple[Allowed, ...]:
    """The entries of `SEALTRAIL_ENDPOINT_ALLOWLIST`: `host`, `host:port`, `address`,
    `[v6 address]:port` or a CIDR, comma-separated."""
    return tuple(_entry(item.strip()) for item in text.split(",") if item.strip())


def _entry(item: str) -> Allowed:
    try:
        return Allowed(network=ip_network(item, strict=False))
    except ValueError:
        pass
    parts = urlsplit(f"//{item}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = _normal_host(parts.hostname or "")
    if not host or port == -1 or parts.username is not None or parts.path:
        raise ConfigurationError(f"{SETTING}: cannot read {item!r} as a host, host:port or CIDR")
    try:
        return Allowed(network=ip_network(host), port=port)
    except ValueError:
        return Allowed(host=host, port=port)


def _normal_host(host: str) -> str:
    return host.lower().rstrip(".")


def _getaddrinfo(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public(address: Address) -> bool:
    """Whether `address` is a public unicast address (IPv4 inside IPv6 judged as IPv4)."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def masked(url: str) -> str:
    """`url` with any credentials replaced by `***` (accounts saved before they were
    refused may hold some)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def endpoint_problem(url: str, allowlist: str, *, resolve: Resolve = _getaddrinfo) -> str | None:
    """Why a scan may not call `url`, or None when it may.

    Only http and https, no credentials in the URL, and a host that is allowlisted by
    name or whose every address is public or allowlisted.
    """
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        return "only http and https endpoints are allowed"
    if "@" in parts.netloc:
        return "credentials in the URL are not allowed; give them as access keys"
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return "the port is not a number from 0 to 65535"
    host = _normal_host(parts.hostname or "")
    if not host:
        return "the URL names no host"
    entries = parse_allowlist(allowlist)
    if any(entry.admits_host(host, port) for entry in entries):
        return None
    try:
        # A zone index ("fe80::1%eth0") is not part of the address.
        addresses = {ip_address(a.split("%", 1)[0]) for a in resolve(host, port)}
    except (OSError, UnicodeError, ValueError):
        return f"the host {host!r} does not resolve"
    if not addresses:
        return f"the host {host!r} does not resolve"
    refused = sorted(
        str(address)
        for address in addresses
        if not is_public(address)
        and not any(entry.admits_address(address, port) for entry in entries)
    )
    if refused:
        return (
            f"{host} resolves to a non-public address ({', '.join(refused)}); "
            f"an operator may allow it with {SETTING}"
        )
    return None
