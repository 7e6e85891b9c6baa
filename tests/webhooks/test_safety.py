"""Webhook URLs that would reach the tracker's own network are refused, with the reason.

Names are resolved by a fake resolver (``resolving_to``) except where the test says otherwise;
the real resolver is only ever asked about ``localhost``, which needs no network.
"""

from __future__ import annotations

import re
import socket

import pytest

from tracker.errors import InvalidInput
from tracker.webhooks.safety import Resolve, check_url, safe_addresses

PUBLIC = "93.184.215.14"


def resolving_to(*addresses: str) -> Resolve:
    """A resolver that answers every name with ``addresses``."""

    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


async def not_resolving(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


async def refusal(url: str, *, allow_http: bool = False, resolve: Resolve | None = None) -> str:
    """The message ``check_url`` refuses ``url`` with (private addresses not allowed)."""
    with pytest.raises(InvalidInput) as refused:
        await check_url(url, allow_http=allow_http, allow_private=False, resolve=resolve)
    assert refused.value.code == "unsafe_url"
    return refused.value.message


async def test_a_public_https_url_is_accepted_and_returned_stripped() -> None:
    url = await check_url(
        f"  https://{PUBLIC}/hooks/tracker?x=1 \n",
        allow_http=False,
        allow_private=False,
        resolve=resolving_to(PUBLIC),
    )
    assert url == f"https://{PUBLIC}/hooks/tracker?x=1"


async def test_a_name_resolving_only_to_public_addresses_is_accepted() -> None:
    resolve = resolving_to(PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    url = "https://hooks.example.com:8443/in"
    assert await check_url(url, allow_http=False, allow_private=False, resolve=resolve) == url


async def test_http_is_refused_unless_the_installation_allows_it() -> None:
    message = await refusal(f"http://{PUBLIC}/hook", resolve=resolving_to(PUBLIC))
    assert "https://" in message and "not http://" in message
    allowed = await check_url(
        f"http://{PUBLIC}/hook", allow_http=True, allow_private=False, resolve=resolving_to(PUBLIC)
    )
    assert allowed == f"http://{PUBLIC}/hook"


async def test_other_schemes_are_refused_even_when_http_is_allowed() -> None:
    message = await refusal("ftp://files.example.com/x", allow_http=True)
    assert "not ftp://" in message
    assert "no scheme" in await refusal("hooks.example.com/in")


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("[::1]", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared address space 100.64.0.0/10"),
        ("0.0.0.0", "unspecified"),
        ("[::]", "unspecified"),
        ("[::ffff:127.0.0.1]", "IPv4-mapped form of 127.0.0.1, a loopback"),
        ("[2002:a00:1::]", "6to4 form of 10.0.0.1, a private"),
        ("[64:ff9b::a9fe:a9fe]", "NAT64 form of 169.254.169.254, a link-local"),
        ("[fe80::1]", "link-local"),
        ("[fc00::1]", "private"),
        ("[fec0::1]", "site-local"),
        ("224.0.0.1", "multicast"),
        ("[ff02::1]", "multicast"),
        ("240.0.0.1", "private"),
        ("192.0.2.1", "private"),
    ],
)
async def test_an_address_inside_is_refused_naming_why(host: str, why: str) -> None:
    message = await refusal(f"https://{host}/hook", resolve=resolving_to(PUBLIC))
    assert why in message
    assert "public" in message


async def test_forms_carrying_a_public_ipv4_address_are_judged_by_it() -> None:
    for host in ("[::ffff:93.184.215.14]", "[2002:5db8:d70e::1]", "[64:ff9b::5db8:d70e]"):
        url = f"https://{host}/hook"
        assert await check_url(url, allow_http=False, allow_private=False) == url


async def test_a_name_with_any_private_address_is_refused() -> None:
    resolve = resolving_to(PUBLIC, "10.1.2.3", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    message = await refusal("https://hooks.example.com/in", resolve=resolve)
    assert "hooks.example.com resolves to 10.1.2.3, a private address" in message


async def test_private_addresses_are_let_through_when_the_installation_allows_them() -> None:
    url = "https://127.0.0.1:8443/hook"
    assert await check_url(url, allow_http=False, allow_private=True) == url
    addresses = await safe_addresses(
        "intranet.example", 443, allow_private=True, resolve=resolving_to("10.0.0.7", "10.0.0.7")
    )
    assert addresses == ["10.0.0.7"]


async def test_a_user_name_or_password_in_the_url_is_refused() -> None:
    for url in ("https://user:secret@hooks.example.com/in", "https://token@hooks.example.com/"):
        assert "user:password@" in await refusal(url, resolve=resolving_to(PUBLIC))


async def test_an_over_long_url_is_refused() -> None:
    url = "https://hooks.example.com/" + "a" * 2_000
    message = await refusal(url, resolve=resolving_to(PUBLIC))
    assert "2,026 characters" in message and "limit is 2,000" in message


async def test_a_url_of_exactly_the_limit_is_accepted() -> None:
    url = "https://hooks.example.com/" + "a" * (2_000 - len("https://hooks.example.com/"))
    assert len(url) == 2_000
    assert await check_url(url, allow_http=False, allow_private=False, resolve=resolving_to(PUBLIC))


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    message = await refusal("https://nowhere.example/in", resolve=not_resolving)
    assert "nowhere.example does not resolve" in message
    message = await refusal("https://nowhere.example/in", resolve=resolving_to())
    assert "nowhere.example does not resolve" in message


async def test_a_resolver_answering_something_other_than_an_address_is_refused() -> None:
    message = await refusal("https://odd.example/in", resolve=resolving_to("not-an-address"))
    assert "not an IP address" in message


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https:///path-only", "no host name"),
        ("https://hooks.example.com/in#part", "fragment"),
        ("https://hooks.example.com/in#", "fragment"),
        ("https://hooks.example.com:0/in", "port"),
        ("https://hooks.example.com:65536/in", "port"),
        ("https://hooks.example.com:http/in", "port"),
        ("https://[::1/in", "not a valid URL"),
        ("https://hooks.example.com/a b", "spaces or control characters"),
        ("https://hooks.example.com/\x00", "spaces or control characters"),
        ("   ", "empty"),
    ],
)
async def test_a_malformed_url_is_refused_naming_the_part(url: str, why: str) -> None:
    assert why in await refusal(url, resolve=resolving_to(PUBLIC))


async def test_the_real_resolver_refuses_localhost_as_loopback() -> None:
    message = await refusal("https://localhost/hook")
    assert "localhost resolves to" in message and "loopback" in message


async def test_the_deliverer_check_refuses_a_name_that_now_points_inside() -> None:
    """DNS rebinding: the same name, public when saved, private at the send."""
    assert await safe_addresses(
        "hooks.example.com", 443, allow_private=False, resolve=resolving_to(PUBLIC)
    ) == [PUBLIC]
    with pytest.raises(
        InvalidInput, match=re.escape("resolves to 169.254.169.254, a link-local address")
    ):
        await safe_addresses(
            "hooks.example.com", 443, allow_private=False, resolve=resolving_to("169.254.169.254")
        )


async def test_the_deliverer_check_judges_a_literal_address_without_resolving() -> None:
    assert await safe_addresses(PUBLIC, 443, allow_private=False, resolve=not_resolving) == [PUBLIC]
    with pytest.raises(InvalidInput, match=re.escape("127.0.0.1 is a loopback address")):
        await safe_addresses("127.0.0.1", 443, allow_private=False, resolve=not_resolving)
