"""The delivery signature: a receiver accepts only the body the tracker signed, recently, with the
subscription's secret."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tracker.webhooks.signing import new_secret, sign, verify

SECRET = "whsec_2bN9v0yq4ZpQe8kT3mXr7LcA1sJd6HfW5uGt0oPiEy"
BODY = b'{"id":"5f0c","kind":"signoff","summary":"BTLS: deliverable \'Cut-over plan\' signed off."}'
AT = 1_718_000_000


def test_the_header_is_the_timestamp_and_the_hmac_of_timestamp_dot_body() -> None:
    digest = hmac.new(SECRET.encode("utf-8"), b"1718000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, AT) == f"t=1718000000,v1={digest}"


def test_a_fixed_vector_stays_the_same() -> None:
    """Receivers implement this by hand, so the format must never drift (the hex is also what
    ``printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test`` prints)."""
    assert sign("whsec_test", b"{}", 1_700_000_000) == (
        "t=1700000000,v1=" + hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
    )
    assert sign("whsec_test", b"{}", 1_700_000_000).endswith(
        "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
    )


def test_the_signed_body_verifies_within_the_tolerance_either_way() -> None:
    header = sign(SECRET, BODY, AT)
    assert verify(header, BODY, SECRET, now=AT)
    assert verify(header, BODY, SECRET, now=AT + 300)
    assert verify(header, BODY, SECRET, now=AT - 300)


def test_a_tampered_body_does_not_verify() -> None:
    header = sign(SECRET, BODY, AT)
    assert not verify(header, BODY.replace(b"signed off", b"returned"), SECRET, now=AT)
    assert not verify(header, BODY + b" ", SECRET, now=AT)


def test_a_wrong_secret_does_not_verify() -> None:
    assert not verify(sign(SECRET, BODY, AT), BODY, "whsec_someone-else", now=AT)


def test_an_old_or_future_timestamp_does_not_verify() -> None:
    header = sign(SECRET, BODY, AT)
    assert not verify(header, BODY, SECRET, now=AT + 301)
    assert not verify(header, BODY, SECRET, now=AT - 301)
    assert verify(header, BODY, SECRET, now=AT + 3_600, tolerance=3_600)


def test_a_changed_timestamp_does_not_verify() -> None:
    """The timestamp is signed: moving it forward to pass the tolerance breaks the signature."""
    digest = sign(SECRET, BODY, AT).split("v1=")[1]
    assert not verify(f"t={AT + 1000},v1={digest}", BODY, SECRET, now=AT + 1000)


def test_unknown_parts_are_ignored_and_any_v1_may_match() -> None:
    """While a secret is rotated the header carries a signature per secret."""
    good = sign(SECRET, BODY, AT).split("v1=")[1]
    stale = sign("whsec_old", BODY, AT).split("v1=")[1]
    header = f"v0=abc, v1={stale}, t={AT}, v2=future-scheme, v1={good}"
    assert verify(header, BODY, SECRET, now=AT)
    assert not verify(f"t={AT},v1={stale},v1={stale}", BODY, SECRET, now=AT)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        ",,,",
        "t=,v1=",
        "v1=" + "0" * 64,
        f"t={AT}",
        f"t=abc,v1={'0' * 64}",
        f"t=-{AT},v1={'0' * 64}",
        f"t={AT},t={AT},v1={'0' * 64}",
        f"t={'9' * 5000},v1={'0' * 64}",
        f"t={AT},v1=é" + "0" * 63,
        f"t={AT},v1=\udcff",
        f"t={AT},v1={'Z' * 64}",
    ],
)
def test_a_malformed_header_is_false_and_never_an_exception(header: str) -> None:
    assert verify(header, BODY, SECRET, now=AT) is False


def test_the_same_malformed_header_with_a_good_signature_shows_the_cases_are_real() -> None:
    """The duplicate ``t`` case above is refused for being malformed, not for its signature."""
    good = sign(SECRET, BODY, AT).split("v1=")[1]
    assert verify(f"t={AT},v1={good}", BODY, SECRET, now=AT)
    assert not verify(f"t={AT},t={AT},v1={good}", BODY, SECRET, now=AT)


def test_new_secrets_are_prefixed_and_different_each_time() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and second.startswith("whsec_")
    assert first != second
    assert len(first) >= len("whsec_") + 43
