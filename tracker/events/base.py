"""Event base, the type registry and upcasting.

Events are past-tense facts: frozen, keyword-only, tagged msgspec Structs whose tag (the class
name) never changes. A type evolves by adding fields with defaults; when a stored shape must be
reshaped, the type's ``schema_version`` goes up and an upcaster turns the old shape into the new
one on read. Stored events are never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

import msgspec

from tracker.errors import InvalidInput


class Event(msgspec.Struct, frozen=True, kw_only=True, tag=True, gc=False):
    """Base of every event type. Subclasses hold only ids and plain values.

    ``gc=False``: events hold no reference cycles, so the garbage collector need not track
    them; tracking them made the collector the largest cost of reading events (measured: 47 us
    of 50 us per event decoded while a page of 1,000 was alive)."""

    schema_version: ClassVar[int] = 1
    omitted_when_default: ClassVar[frozenset[str]] = frozenset()
    """Fields added later that the stored encoding leaves out while they hold their default:
    an event that does not use one encodes to the same bytes as before the field existed, so a
    repeated command (idempotency) and every stored hash still match."""
    personal_fields: ClassVar[Mapping[str, str]] = {}
    """The string fields holding a person's address or name (not ``PersonRef`` fields, which
    are found from their type): field -> the field holding whose it is (itself for an
    address). Sealed under that person's key when stored (``tracker.people.sealing``)."""


E = TypeVar("E", bound=type[Event])

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the stored data of version n into the data of version n + 1."""


class EventRegistry:
    """Event types by name, with the upcasters that bring old shapes up to date."""

    def __init__(self) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._decoders: dict[str, msgspec.json.Decoder[Any]] = {}
        self.current_decoders: dict[str, tuple[int, msgspec.json.Decoder[Any]]] = {}
        """Each type's current schema version and its decoder: data stored in that version
        needs no upcasting (the read path's shortcut, ``prepare.decode_rows``)."""

    def register(self, cls: E) -> E:
        name = cls.__name__
        existing = self._types.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"event type {name} is registered twice")
        self._types[name] = cls
        self._decoders[name] = msgspec.json.Decoder(cls)
        self.current_decoders[name] = (cls.schema_version, self._decoders[name])
        return cls

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return decorate

    def type_named(self, name: str) -> type[Event]:
        cls = self._types.get(name)
        if cls is None:
            raise InvalidInput(f"unknown event type {name!r}")
        return cls

    def knows(self, name: str) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return sorted(self._types)

    def decode(self, name: str, schema_version: int, data: bytes | str) -> Event:
        """Decode stored data, upcasting it from ``schema_version`` to the current shape."""
        cls = self.type_named(name)
        current = cls.schema_version
        if schema_version == current:
            decoded: Event = self._decoders[name].decode(data)
            return decoded
        if schema_version > current:
            raise InvalidInput(
                f"{name} data has schema version {schema_version}, newer than this code's "
                f"{current}: upgrade the tracker"
            )
        raw: dict[str, Any] = msgspec.json.decode(data)
        for version in range(schema_version, current):
            step = self._upcasters.get((name, version))
            if step is None:
                raise InvalidInput(f"no upcaster for {name} from schema version {version}")
            raw = step(raw)
        return msgspec.convert(raw, type=cls)


registry = EventRegistry()
"""The process-wide registry. Event modules register their types when imported."""


def event_type(cls: E) -> E:
    """Class decorator: register an event type by its class name."""
    return registry.register(cls)


class Metadata(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """Who did it and why. ``on_behalf_of`` is set when a deputy acts for someone."""

    actor: str | None = None
    on_behalf_of: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None
    source: dict[str, str] = {}
    """Provenance, e.g. the source document and table row of a seeded event."""
    backdating_reason: str | None = None
    """Why the event is dated further back than the back-dating rule allows without a reason
    (``tracker.backdating``): reports mark it and list it among the data-quality findings."""
    marked: bool = False
    """Some free text of the event (or of ``source``) holds sealed names
    (``tracker.people.sealing``): reading restores them. Left out while False."""


class NewEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """An event the caller wants stored. ``occurred_at`` is when it happened."""

    data: Event
    occurred_at: datetime
    metadata: Metadata = Metadata()
    event_id: UUID = msgspec.field(default_factory=uuid4)


class StoredEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """An event as the store holds it."""

    position: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    schema_version: int
    data: Event
    metadata: Metadata
    occurred_at: datetime
    recorded_at: datetime
    hash: str
