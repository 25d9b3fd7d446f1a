"""Address policy for untrusted links: no private, loopback, link-local or otherwise non-public targets.

A host is resolved and *every* address it resolves to is checked with :mod:`ipaddress`;
one non-public address is enough to refuse. ``allow_hosts`` (names, ``*.suffix``, IPs,
CIDRs) and ``allow_private_addresses`` open the policy for tests and offline replays.

Limit: the check and httpx's own connection resolve the name separately, so a DNS
server that answers differently within milliseconds (rebinding) is not covered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from fetcher.errors import BlockedAddress, TransportError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressPolicy:
    """Decides whether an untrusted URL may be fetched, from settings' allow-list."""

    def __init__(self, *, allow_private: bool, allow_hosts: list[str]) -> None:
        self.allow_private = allow_private
        self._names: set[str] = set()
        self._suffixes: list[str] = []
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow_hosts:
            entry = entry.strip().lower().rstrip(".")
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("*."):
                self._suffixes.append(entry[1:])
            else:
                self._names.add(entry)

    def host_allowed(self, host: str) -> bool:
        """True when ``host`` (a name) is on the allow-list."""
        host = host.lower().rstrip(".")
        return host in self._names or any(host.endswith(s) for s in self._suffixes)

    def address_allowed(self, ip: IPAddress) -> bool:
        """True when ``ip`` is public or explicitly allowed."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self._networks):
            return True
        if self.allow_private:
            return True
        return is_public(ip)

    async def check(self, url: str) -> None:
        """Raise BlockedAddress unless every address of ``url``'s host is allowed."""
        if self.allow_private:
            return
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise BlockedAddress(url, "URL has no host")
        if self.host_allowed(host):
            return
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            addresses = await resolve(url, host, parts.port or (443 if parts.scheme == "https" else 80))
        for ip in addresses:
            if not self.address_allowed(ip):
                raise BlockedAddress(
                    url, f"refused untrusted link: {host} resolves to non-public address {ip}"
                )


def is_public(ip: IPAddress) -> bool:
    """True for globally routable unicast addresses (not private, loopback, link-local, reserved...)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve(url: str, host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (TransportError when it does not resolve)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(url, f"cannot resolve host {host}: {exc}") from exc
    out: list[IPAddress] = []
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]
        try:
            out.append(ipaddress.ip_address(addr))
        except ValueError:
            continue
    if not out:
        raise TransportError(url, f"cannot resolve host {host}: no addresses")
    return out
