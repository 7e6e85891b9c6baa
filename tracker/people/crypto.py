"""Pseudonyms and sealed values: the cryptography of per-person keys. Pure.

- A **pseudonym** (``p_`` and 26 base32 characters) is a keyed HMAC of a person's identity
  (their lower-cased address, or ``name:<Name>`` for someone known only by name) under the
  people key: stable, so stream ids and idempotency keys need no look-up, and not confirmable
  from a guessed address without the key.
- A **sealed value** (``sealed:<pseudonym>:<base64url>``) is AES-GCM under the person's own data
  key. The nonce is an HMAC of the value under that key (a synthetic IV), so the same value
  seals to the same text: an event sealed twice stores the same bytes, and a reader opens each
  distinct text once. What that reveals (that two sealed values of one person are equal) the
  pseudonym in clear already says.
- A person's **data key** is kept wrapped (AES-GCM) under a key derived from the people key,
  with the pseudonym as associated data, so a wrapped key copied onto another person does not
  open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from typing import Final

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_PREFIX: Final = "sealed:"
PSEUDONYM_PATTERN: Final = r"p_[a-z2-7]{26}"
SEALED_PATTERN: Final = re.compile(rf"sealed:({PSEUDONYM_PATTERN}):([A-Za-z0-9_-]+)")
_PSEUDONYM: Final = re.compile(rf"^{PSEUDONYM_PATTERN}$")
DATA_KEY_BYTES: Final = 32
_NONCE_BYTES: Final = 12


def derive(people_key: bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, from the people key (HKDF-SHA256)."""
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(people_key)


class PeopleKey:
    """The people key's two uses: naming people (pseudonyms) and wrapping their data keys."""

    def __init__(self, people_key: bytes) -> None:
        self._naming = derive(people_key, b"tracker people: pseudonyms")
        self._wrapping = AESGCM(derive(people_key, b"tracker people: data keys"))
        self._named: dict[str, str] = {}

    def pseudonym(self, identity: str) -> str:
        """``p_`` + 26 base32 characters (130 bits) of HMAC-SHA256(identity); remembered, as
        it is asked for several times an append (6 us each: pure-Python base32)."""
        found = self._named.get(identity)
        if found is None:
            digest = hmac.new(self._naming, identity.encode(), hashlib.sha256).digest()
            found = "p_" + base64.b32encode(digest).decode().lower()[:26]
            if len(self._named) >= 100_000:
                self._named.clear()
            self._named[identity] = found
        return found

    def wrap(self, pseudonym: str, data_key: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        boxed = self._wrapping.encrypt(nonce, data_key, pseudonym.encode())
        return base64.b64encode(nonce + boxed).decode()

    def unwrap(self, pseudonym: str, wrapped: str) -> bytes:
        raw = base64.b64decode(wrapped)
        return self._wrapping.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], pseudonym.encode())


def is_pseudonym(text: str) -> bool:
    return bool(_PSEUDONYM.match(text))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=8 * DATA_KEY_BYTES)


class DataKey:
    """One person's data key, ready to seal and open their values."""

    __slots__ = ("_aead", "_raw", "pseudonym")

    def __init__(self, pseudonym: str, raw: bytes) -> None:
        self.pseudonym = pseudonym
        self._raw = raw
        self._aead = AESGCM(raw)

    def seal(self, plain: str) -> str:
        data = plain.encode()
        nonce = hmac.new(self._raw, data, hashlib.sha256).digest()[:_NONCE_BYTES]
        boxed = self._aead.encrypt(nonce, data, self.pseudonym.encode())
        body = base64.urlsafe_b64encode(nonce + boxed).decode().rstrip("=")
        return f"{SEALED_PREFIX}{self.pseudonym}:{body}"

    def open(self, sealed: str) -> str:
        found = SEALED_PATTERN.fullmatch(sealed)
        if found is None or found.group(1) != self.pseudonym:
            raise ValueError("not a value sealed for this person")
        body = found.group(2)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return self._aead.decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self.pseudonym.encode()
        ).decode()


def sealed_pseudonym(text: str) -> str | None:
    """The pseudonym a sealed value belongs to; None when ``text`` is not sealed."""
    if not text.startswith(SEALED_PREFIX):
        return None
    found = SEALED_PATTERN.fullmatch(text)
    return found.group(1) if found else None
