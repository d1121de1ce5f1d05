"""Rate limits per client: an IPv6 /64 counts as one client, and networks many clients share get more room."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from flask import current_app, request
from limits import parse_many


def _client_address() -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_network() -> str:
    """Return the client's address for rate limits: IPv4 as is, IPv6 as its /64 (one household or phone)."""
    address = _client_address()
    if address is None:
        return request.remote_addr or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def in_shared_network() -> bool:
    """Tell whether the client's address is one that many clients share (configured as `shared_networks`)."""
    address = _client_address()
    shared = current_app.config["PORTAL"]["shared_networks"]
    return address is not None and any(address in network for network in shared)


def client_limit(limit: str | Callable[[], str]) -> Callable[[], str]:
    """Return a limit for `limiter.limit` that grows by `shared_network_factor` for clients of a shared network.

    The waiting room's guest Wi-Fi shows the whole room as one address; counted
    as one client it would lock everybody out after a few lookups.
    """
    def for_this_client() -> str:
        items = parse_many(limit() if callable(limit) else limit)
        factor = current_app.config["PORTAL"]["shared_network_factor"] if in_shared_network() else 1
        return "; ".join(f"{item.amount * factor} per {item.multiples} {item.GRANULARITY.name}" for item in items)

    return for_this_client
