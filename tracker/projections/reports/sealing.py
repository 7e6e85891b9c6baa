"""The content hash of every report, and where its rows came from.

The content hash is the SHA-256 (hex) of the report's canonical JSON without its
``content_hash`` field: ``msgspec.to_builtins`` (dates and instants as ISO 8601 text, instants
in UTC with a ``Z``), object keys sorted, no whitespace, UTF-8. A printed report can be proved to
match the store by recomputing it (``verify``) from the same ``position``, ``as_of`` and
``known_at``, which are part of the hashed body.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

import msgspec

from tracker.projections.read_model.views import Provenance

R = TypeVar("R", bound=msgspec.Struct)


def source_of(provenance: Provenance | None) -> dict[str, str]:
    """A row's provenance: the source document's row, when the event was seeded from one."""
    return dict(provenance.source) if provenance is not None else {}


def canonical_json(report: msgspec.Struct) -> bytes:
    """The report's body without ``content_hash``, as canonical JSON."""
    body = msgspec.to_builtins(report)
    if isinstance(body, dict):
        body.pop("content_hash", None)
    return msgspec.json.encode(body, order="sorted")


def content_hash(report: msgspec.Struct) -> str:
    return hashlib.sha256(canonical_json(report)).hexdigest()


def seal(report: R) -> R:
    """The report with its ``content_hash`` set."""
    return msgspec.structs.replace(report, content_hash=content_hash(report))


def verify(report: msgspec.Struct) -> bool:
    """True when the report's ``content_hash`` matches its body."""
    return getattr(report, "content_hash", None) == content_hash(report)


__all__ = ["canonical_json", "content_hash", "seal", "source_of", "verify"]
