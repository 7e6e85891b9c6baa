"""Turning new events into rows: validation, canonical encoding and hashing. Pure."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, SafeUUID

import msgspec

from tracker.errors import IdempotencyMismatch, InvalidInput, StreamConflict
from tracker.events.base import Event, Metadata, NewEvent, StoredEvent, registry
from tracker.events.codec import canonical_json, event_hash, format_instant, parse_instant
from tracker.events.store import (
    AppendResult,
    ExpectedVersion,
    RawEvent,
    StreamAppend,
    StreamState,
)
from tracker.ids import stream_id as check_stream_id

_metadata_encoder = msgspec.json.Encoder(order="sorted")
_metadata_decoder = msgspec.json.Decoder(Metadata)
_EMPTY_METADATA = Metadata()


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """One event ready to insert. ``position`` is assigned by the database."""

    event_id: str
    stream_id: str
    version: int
    type: str
    schema_version: int
    data: str
    metadata: str
    idempotency_key: str | None
    occurred_at: datetime
    recorded_at: datetime
    hash: str
    occurred_text: str = ""
    """``occurred_at`` as stored (``format_instant``), made once for the hash and the row."""
    recorded_text: str = ""
    metadata_struct: Metadata | None = None
    """``metadata`` before encoding: what the stored event carries, without decoding it back."""


def validate_batch(
    stream_id: str,
    events: Sequence[NewEvent],
    *,
    now: datetime,
    max_event_bytes: int,
    max_events: int,
) -> None:
    """Refuse anything that must never be stored, before touching the database."""
    check_stream_id(stream_id)
    if not events:
        raise InvalidInput("an append needs at least one event")
    if len(events) > max_events:
        raise InvalidInput(f"an append holds at most {max_events} events, got {len(events)}")
    seen: set[str] = set()
    for new in events:
        name = type(new.data).__name__
        if not registry.knows(name) or registry.type_named(name) is not type(new.data):
            raise InvalidInput(f"unknown event type {name!r}: register it before storing it")
        if new.occurred_at.tzinfo is None:
            raise InvalidInput(f"occurred_at of {name} must carry a timezone")
        if new.occurred_at > now:
            raise InvalidInput(
                f"occurred_at {format_instant(new.occurred_at)} of {name} is in the future "
                f"(now {format_instant(now)})"
            )
        key = str(new.event_id)
        if key in seen:
            raise InvalidInput(f"event id {key} appears twice in one append")
        seen.add(key)


def check_expected(stream_id: str, expected: ExpectedVersion, actual: int) -> None:
    if expected is StreamState.ANY:
        return
    if expected is StreamState.NO_STREAM:
        ok = actual == 0
    elif expected is StreamState.EXISTS:
        ok = actual > 0
    else:
        if expected < 0:
            raise InvalidInput(f"expected version must be 0 or more, got {expected}")
        ok = actual == expected
    if not ok:
        label = expected.value if isinstance(expected, StreamState) else expected
        raise StreamConflict(stream_id, label, actual)


class Encoded(msgspec.Struct, frozen=True, kw_only=True):
    """One new event in its stored encoding, before the database gives it a place."""

    type: str
    schema_version: int
    data: str
    metadata: str
    metadata_struct: Metadata
    occurred_at: datetime


def _check_reads_back(name: str, data: bytes) -> None:
    """Refuse data its own type would not decode: msgspec checks types and constraints when it
    decodes, not when it encodes, so a value outside a ``Literal`` or a ``Meta`` bound would be
    stored and every later read of its stream would fail on it."""
    try:
        registry.current_decoders[name][1].decode(data)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"{name} would not read back: {exc}") from None


@functools.cache
def _omitted_defaults(event_type: type[Event]) -> tuple[tuple[str, Any], ...]:
    """Each ``omitted_when_default`` field of the type with its default, worked out once per
    type: ``msgspec.structs.fields`` resolves the type's annotations, about 110 us a call."""
    defaults = {f.name: f.default for f in msgspec.structs.fields(event_type)}
    return tuple((name, defaults[name]) for name in sorted(event_type.omitted_when_default))


def stored_fields(event: Event) -> dict[str, Any]:
    """The event's fields as stored: those of ``omitted_when_default`` left out at their
    default (``Event.omitted_when_default``)."""
    fields = msgspec.structs.asdict(event)
    if type(event).omitted_when_default:
        for name, default in _omitted_defaults(type(event)):
            if fields[name] == default:
                del fields[name]
    return fields


def encode_batch(
    events: Sequence[NewEvent], *, idempotency_key: str | None, max_event_bytes: int
) -> list[Encoded]:
    """Canonical data and metadata for each event; refuses an event over the size limit."""
    encoded: list[Encoded] = []
    for new in events:
        name = type(new.data).__name__
        # The tag is the type column, so the stored data is the fields alone.
        data = canonical_json(stored_fields(new.data))
        _check_reads_back(name, data)
        metadata_struct = new.metadata
        if idempotency_key is not None and metadata_struct.idempotency_key != idempotency_key:
            metadata_struct = msgspec.structs.replace(
                metadata_struct, idempotency_key=idempotency_key
            )
        metadata = _metadata_encoder.encode(metadata_struct)
        if len(data) + len(metadata) > max_event_bytes:
            raise InvalidInput(
                f"{name} is {len(data) + len(metadata)} bytes encoded; the limit is "
                f"{max_event_bytes}"
            )
        encoded.append(
            Encoded(
                type=name,
                schema_version=type(new.data).schema_version,
                data=data.decode(),
                metadata=metadata.decode(),
                metadata_struct=metadata_struct,
                # Stored to the microsecond, in UTC: what is returned must equal what is read.
                occurred_at=new.occurred_at.astimezone(UTC),
            )
        )
    return encoded


def build_rows(
    stream_id: str,
    events: Sequence[NewEvent],
    *,
    head_version: int,
    head_hash: str,
    recorded_at: datetime,
    idempotency_key: str | None,
    max_event_bytes: int,
) -> list[Row]:
    """Rows with versions and the hash chain, for stores that hash in Python (SQLite)."""
    rows: list[Row] = []
    previous = head_hash
    recorded_text = format_instant(recorded_at)
    encoded = encode_batch(events, idempotency_key=idempotency_key, max_event_bytes=max_event_bytes)
    for index, (new, item) in enumerate(zip(events, encoded, strict=True)):
        version = head_version + index + 1
        event_id = str(new.event_id)
        occurred_text = format_instant(item.occurred_at)
        digest = event_hash(
            previous_hash=previous,
            event_id=event_id,
            stream_id=stream_id,
            version=version,
            type_name=item.type,
            schema_version=item.schema_version,
            occurred_at=occurred_text,
            recorded_at=recorded_text,
            data=item.data.encode(),
            metadata=item.metadata.encode(),
        )
        rows.append(
            Row(
                event_id=event_id,
                stream_id=stream_id,
                version=version,
                type=item.type,
                schema_version=item.schema_version,
                data=item.data,
                metadata=item.metadata,
                idempotency_key=idempotency_key if index == 0 else None,
                occurred_at=item.occurred_at,
                recorded_at=recorded_at.astimezone(UTC),
                hash=digest,
                occurred_text=occurred_text,
                recorded_text=recorded_text,
                metadata_struct=item.metadata_struct,
            )
        )
        previous = digest
    return rows


def stored_uuid(text: str) -> UUID:
    """An event id as the store wrote it (``str(uuid)``), without ``UUID()``'s parsing of every
    form a person might type: that parsing was the largest part of decoding a read row
    (issue 15). Anything but 32 hex digits (with hyphens) still fails, in ``int``."""
    if len(text) != 36:
        raise ValueError(f"not a stored event id: {text!r}")
    made = object.__new__(UUID)
    object.__setattr__(made, "int", int(text.replace("-", ""), 16))
    object.__setattr__(made, "is_safe", SafeUUID.unknown)
    return made


def decode_stored(
    *,
    position: int,
    event_id: str | UUID,
    stream_id: str,
    version: int,
    type_name: str,
    schema_version: int,
    data: str | bytes,
    metadata: str | bytes,
    occurred_at: datetime,
    recorded_at: datetime,
    hash_: str,
) -> StoredEvent:
    return StoredEvent(
        position=position,
        stream_id=stream_id,
        version=version,
        event_id=event_id if isinstance(event_id, UUID) else stored_uuid(event_id),
        type=type_name,
        schema_version=schema_version,
        data=registry.decode(type_name, schema_version, data),
        metadata=_metadata_decoder.decode(metadata),
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        hash=hash_,
    )


def decode_rows(rows: Iterable[Sequence[Any]], *, from_text: bool) -> list[StoredEvent]:
    """Stored rows as events: the read path (issue 15), so written for speed.

    Each row holds position, event id, stream, version, type, schema version, data, metadata,
    occurred, recorded and hash, in that order (more columns after them are ignored). With
    ``from_text`` the event id and the instants are text (SQLite); otherwise a UUID and
    datetimes (asyncpg). The events of one append share their metadata, so a row that repeats
    the previous row's metadata text reuses its decoded value (``Metadata`` is immutable).
    Data in the current schema goes straight to its decoder; older data is upcast."""
    decoders = registry.current_decoders
    decode_data = registry.decode
    decode_metadata = _metadata_decoder.decode
    last_text: str | bytes | None = None
    last_metadata = _EMPTY_METADATA
    events: list[StoredEvent] = []
    append = events.append
    for row in rows:
        (position, event_id, stream_id, version, type_name, schema_version, data, metadata,
         occurred_at, recorded_at, hash_, *_) = row  # fmt: skip
        current = decoders.get(type_name)
        if current is not None and current[0] == schema_version:
            decoded = current[1].decode(data)
        else:
            decoded = decode_data(type_name, schema_version, data)
        if metadata != last_text:
            last_metadata = decode_metadata(metadata)
            last_text = metadata
        if from_text:
            event_id = stored_uuid(event_id)
            occurred_at = parse_instant(occurred_at)
            recorded_at = parse_instant(recorded_at)
        append(
            StoredEvent(
                position=position,
                stream_id=stream_id,
                version=version,
                event_id=event_id,
                type=type_name,
                schema_version=schema_version,
                data=decoded,
                metadata=last_metadata,
                occurred_at=occurred_at,
                recorded_at=recorded_at,
                hash=hash_,
            )
        )
    return events


def raw_hash(raw: RawEvent, previous_hash: str) -> str:
    """Recompute a stored event's hash from its stored bytes."""
    return event_hash(
        previous_hash=previous_hash,
        event_id=raw.event_id,
        stream_id=raw.stream_id,
        version=raw.version,
        type_name=raw.type,
        schema_version=raw.schema_version,
        occurred_at=raw.occurred_at,
        recorded_at=raw.recorded_at,
        data=bytes(raw.data),
        metadata=bytes(raw.metadata),
    )


def same_batch(following: list[StoredEvent], key: str) -> list[StoredEvent]:
    """The events of the append made with ``key``: the first and those after it carrying it."""
    batch = following[:1]
    for event in following[1:]:
        if event.metadata.idempotency_key != key:
            break
        batch.append(event)
    return batch


def in_batches(events: Iterable[RawEvent], size: int) -> Iterator[list[RawEvent]]:
    batch: list[RawEvent] = []
    for raw in events:
        batch.append(raw)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def validate_appends(
    appends: Sequence[StreamAppend], *, now: datetime, max_event_bytes: int, max_events: int
) -> None:
    """``validate_batch`` for each stream, and the rules of a multi-stream append."""
    if not appends:
        raise InvalidInput("an append needs at least one stream")
    streams = [a.stream_id for a in appends]
    if len(set(streams)) != len(streams):
        raise InvalidInput("a stream appears twice in one append: give each stream once")
    total = sum(len(a.events) for a in appends)
    if total > max_events:
        raise InvalidInput(f"an append holds at most {max_events} events, got {total}")
    seen: set[str] = set()
    for part in appends:
        validate_batch(
            part.stream_id,
            part.events,
            now=now,
            max_event_bytes=max_event_bytes,
            max_events=max_events,
        )
        for new in part.events:
            if str(new.event_id) in seen:
                raise InvalidInput(f"event id {new.event_id} appears twice in one append")
            seen.add(str(new.event_id))


def results_by_stream(
    stored: Sequence[StoredEvent], *, duplicate: bool = False
) -> list[AppendResult]:
    """One result per stream, in the order the streams first appear among ``stored``."""
    groups: dict[str, list[StoredEvent]] = {}
    for event in stored:
        groups.setdefault(event.stream_id, []).append(event)
    return [
        AppendResult(
            stream_id=stream_id,
            first_version=events[0].version,
            last_version=events[-1].version,
            first_position=events[0].position,
            last_position=events[-1].position,
            events=events,
            duplicate=duplicate,
        )
        for stream_id, events in groups.items()
    ]


def duplicate_result(stored: Sequence[StoredEvent]) -> AppendResult:
    """The result of an earlier identical single-stream append, returned again."""
    (result,) = results_by_stream(stored, duplicate=True)
    return result


def earlier_by_ids(
    streams: Sequence[str], stored: Sequence[StoredEvent], ids: Sequence[str]
) -> list[AppendResult]:
    """The earlier append that stored exactly these event ids (``stored``, in position order);
    refuses when only some of them are stored, or stored in other streams."""
    if [str(e.event_id) for e in stored] != list(ids):
        raise IdempotencyMismatch(
            "some of these event ids are already stored, in another append: "
            + ", ".join(str(e.event_id) for e in stored)
        )
    return earlier_append(streams, stored)


def earlier_append(streams: Sequence[str], stored: Sequence[StoredEvent]) -> list[AppendResult]:
    """The results of an earlier identical multi-stream append, found by key or event ids.

    Refuses when what is stored is not this append: other streams, or only some of the ids."""
    results = results_by_stream(stored, duplicate=True)
    if [r.stream_id for r in results] != list(streams):
        raise IdempotencyMismatch(
            "this idempotency key or these event ids were used for another append (streams "
            + ", ".join(r.stream_id for r in results)
            + ")"
        )
    return results


def keyed(events: Sequence[NewEvent], key: str | None) -> list[NewEvent]:
    """The events with ``key`` in their metadata (as an append with that key stores them)."""
    if key is None:
        return list(events)
    return [
        msgspec.structs.replace(
            e, metadata=msgspec.structs.replace(e.metadata, idempotency_key=key)
        )
        for e in events
    ]
