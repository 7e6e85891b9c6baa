"""Webhook URLs that cannot be turned against the tracker's own network (server-side request
forgery).

A subscription's URL is checked when it is saved (``check_url``): https only (http only where
the installation allows it), no ``user:password@``, no fragment, a port from 1 to 65535, and a
host every one of whose addresses is public. The deliverer resolves the host again right before
each send (``safe_addresses``) and connects only to the addresses that returns, so a name that
resolved to a public address when saved and to ``127.0.0.1`` later (DNS rebinding) is refused.

An address is refused when it is unspecified, loopback, link-local (``169.254.169.254`` is the
cloud metadata service), multicast, in the shared address space ``100.64.0.0/10``, site-local,
private, reserved or otherwise not publicly routable; an IPv6 address that carries an IPv4 one
(IPv4-mapped ``::ffff:0:0/96``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) is judged by the
IPv4 address it carries. ``allow_private`` (for installations on a private network) lets every
address through.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Final, TypeAlias
from urllib.parse import SplitResult, urlsplit

from tracker.errors import InvalidInput

Resolve: TypeAlias = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> IP address strings``, as ``getaddrinfo`` would answer."""

IPAddress: TypeAlias = IPv4Address | IPv6Address

UNSAFE_URL: Final = "unsafe_url"
URL_MAX: Final = 2_000
DEFAULT_PORTS: Final = {"https": 443, "http": 80}

_SHARED: Final = IPv4Network("100.64.0.0/10")
_NAT64: Final = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL: Final = IPv6Network("64:ff9b:1::/48")
_ADVICE: Final = "webhooks may only be sent to public internet addresses"


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, code=UNSAFE_URL)


async def resolve_with_system(host: str, port: int) -> list[str]:
    """The operating system's resolver (``/etc/hosts``, then DNS), off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _embedded(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 one carries, with the name of the form that carries it."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _NAT64:
        return "NAT64", IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: IPAddress) -> str | None:
    """Why the address is not public, as a phrase ("a loopback address"), or None if it is."""
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in _SHARED:
        return "an address in the shared address space 100.64.0.0/10"
    if isinstance(address, IPv6Address) and address.is_site_local:
        return "a site-local address"
    if address.is_private or address in _NAT64_LOCAL:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a publicly routable address"
    return None


def why_unsafe(address: IPAddress) -> str | None:
    """Why the deliverer must not connect to the address, or None if it may."""
    if isinstance(address, IPv6Address):
        carried = _embedded(address)
        if carried is not None:
            form, inner = carried
            reason = _kind(inner)
            return None if reason is None else f"an {form} form of {inner}, {reason}"
    return _kind(address)


def _literal(host: str) -> IPAddress | None:
    try:
        return ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


async def _resolved(host: str, port: int, resolve: Resolve) -> list[IPAddress]:
    """Every address the host resolves to; refused if none."""
    try:
        answers = await resolve(host, port)
    except (socket.gaierror, UnicodeError) as error:
        raise _refuse(
            f"the webhook host {host} does not resolve to an address ({error}); check the host name"
        ) from error
    if not answers:
        raise _refuse(
            f"the webhook host {host} does not resolve to an address; check the host name"
        )
    found: list[IPAddress] = []
    for answer in dict.fromkeys(answers):
        address = _literal(answer)
        if address is None:
            raise _refuse(f"the webhook host {host} resolved to {answer!r}, not an IP address")
        found.append(address)
    return found


async def safe_addresses(
    host: str, port: int, *, allow_private: bool, resolve: Resolve | None = None
) -> list[str]:
    """The addresses the deliverer may connect to for ``host``: all of them, or a refusal if any
    one is not public (a name with one private address can be steered to it)."""
    literal = _literal(host)
    if literal is not None:
        reason = None if allow_private else why_unsafe(literal)
        if reason is not None:
            raise _refuse(f"the webhook host {host} is {reason}; {_ADVICE}")
        return [str(literal)]
    addresses = await _resolved(host, port, resolve or resolve_with_system)
    if not allow_private:
        for address in addresses:
            reason = why_unsafe(address)
            if reason is not None:
                raise _refuse(f"the webhook host {host} resolves to {address}, {reason}; {_ADVICE}")
    return [str(address) for address in addresses]


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as error:
        raise _refuse(f"the webhook URL is not a valid URL ({error})") from error


def _check_text(url: str) -> None:
    """Length, and no spaces or control characters (urllib would silently drop some)."""
    if not url:
        raise _refuse("the webhook URL is empty")
    if len(url) > URL_MAX:
        raise _refuse(f"the webhook URL is {len(url):,} characters long; the limit is {URL_MAX:,}")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise _refuse("the webhook URL contains spaces or control characters; percent-encode them")


def _check_scheme(parts: SplitResult, allow_http: bool) -> None:
    allowed = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in allowed:
        wanted = " or ".join(f"{s}://" for s in allowed)
        got = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise _refuse(f"the webhook URL must start with {wanted}, not {got}")


def _port(parts: SplitResult) -> int:
    """The URL's port, or the scheme's default."""
    try:
        port = parts.port
    except ValueError as error:
        raise _refuse("the webhook URL's port must be a number from 1 to 65535") from error
    if port == 0:
        raise _refuse("the webhook URL's port must be a number from 1 to 65535")
    return port if port is not None else DEFAULT_PORTS[parts.scheme]


def _host(parts: SplitResult, url: str) -> str:
    """The host, once the parts a webhook URL must not have are ruled out."""
    if "@" in parts.netloc:
        raise _refuse(
            "the webhook URL must not contain a user name or password (user:password@); "
            "remove that part"
        )
    if not parts.hostname:
        raise _refuse("the webhook URL has no host name")
    if "#" in url:
        raise _refuse("the webhook URL must not contain a fragment (#...); remove it")
    return parts.hostname


async def check_url(
    url: str, *, allow_http: bool, allow_private: bool, resolve: Resolve | None = None
) -> str:
    """The URL, stripped, if webhooks may be sent to it; otherwise ``InvalidInput``
    (code ``unsafe_url``) naming the reason."""
    cleaned = url.strip()
    _check_text(cleaned)
    parts = _split(cleaned)
    _check_scheme(parts, allow_http)
    host = _host(parts, cleaned)
    port = _port(parts)
    await safe_addresses(host, port, allow_private=allow_private, resolve=resolve)
    return cleaned
