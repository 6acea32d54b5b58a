"""The client's address, decided once per request.

Throttles, django-axes and the access log all read ``REMOTE_ADDR``. Behind a
reverse proxy that is the proxy, and the client's address arrives in
``X-Forwarded-For`` — a header any client can also send itself. So the
header is believed only when the connection comes from a proxy listed in
``NGO_TRUSTED_PROXIES`` (addresses or networks, default none), and then only
the part the trusted proxies appended: the right-most address that is not a
trusted proxy. Everything else keeps the connection's own address.

A small module of our own: django-ipware answers the same question but
guesses from a dozen headers by default; here one header and one setting
decide, and the middleware runs before anything reads the address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_proxies() -> tuple[Network, ...]:
    return _trusted(tuple(settings.NGO_TRUSTED_PROXIES))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def resolve_client_address(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address from the connection's address and X-Forwarded-For."""
    if not networks or not _is_trusted(remote_addr, networks) or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote_addr  # a malformed chain: believe nothing in it
        if not _is_trusted(hop, networks):
            return hop
    return hops[0]  # every hop is a trusted proxy: the first is the origin


def client_address(request: HttpRequest) -> str | None:
    """For django-axes (AXES_CLIENT_IP_CALLABLE): the address the middleware decided."""
    return request.META.get("REMOTE_ADDR") or None


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: sets REMOTE_ADDR to the client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        remote = request.META.get("REMOTE_ADDR", "")
        request.META["REMOTE_ADDR"] = resolve_client_address(
            remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted_proxies()
        )
        return self.get_response(request)
