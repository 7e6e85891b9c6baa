"""Moving a store written before people's data was sealed into a new one that seals it.

A stored event is never edited (triggers refuse it) and the hash chain covers every byte, so
the plain names and addresses in an older store's events cannot be removed by anything written
after them: no new event can make the old ones forget. The upgrade is therefore a move, like a
restore: ``tracker export`` from the old store, then ``tracker people reseal FILE`` into a new,
empty one. Every event keeps its id, stream (``person:`` and ``reminders:`` streams renamed to
the pseudonym), version, position and both times; its data and metadata are re-encoded with
people's values sealed, in the current schema, and every stream's hash chain is computed
afresh, so ``tracker verify`` passes on the new store. Stream-head anchors published for the old
store do not match the new one: publish the new heads (``tracker verify``) and destroy the old
store and its exports once the new one is checked (docs/privacy.md, "Existing stores").
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from uuid import UUID

import msgspec

from tracker.errors import InvalidInput
from tracker.events.base import Metadata, NewEvent, registry
from tracker.events.codec import GENESIS_HASH, event_hash, parse_instant
from tracker.events.prepare import encode_batch
from tracker.events.store import RawEvent
from tracker.events.transfer import read_lines
from tracker.events.verify import ChainChecker
from tracker.people.sealing import identities_of
from tracker.people.store import SealingStore

_metadata = msgspec.json.Decoder(Metadata)
UNLIMITED = 1 << 40
"""Sealing makes an event longer; an event the old store took is taken whatever its size."""


async def reseal(store: SealingStore, path: Path, *, batch_size: int = 2000) -> int:
    """Import the export at ``path`` (checked whole first, as ``tracker import`` does) into the
    empty ``store`` with people's values sealed; returns the number of events."""
    if await store.head_position() != 0 or await store.read_raw(0, 1):
        raise InvalidInput(
            "reseal needs an empty store: this one already holds events; nothing imported"
        )
    keys = await store.keys()
    now = store._clock.now()
    # First the whole file is checked and a key made for everyone it names; then it is read
    # again and written (twice rather than held in memory).
    checker = ChainChecker()
    wanted: dict[str, set[str]] = {}
    for raw in read_lines(path):
        found = checker.check(raw)
        if found is not None:
            raise InvalidInput(f"{path}: refused, nothing imported: {found.describe()}")
        event = registry.decode(raw.type, raw.schema_version, bytes(raw.data))
        for identity, names in identities_of(event, _metadata.decode(bytes(raw.metadata))).items():
            wanted.setdefault(identity, set()).update(names)
    await keys.ensure(wanted, now)
    return await store.inner.import_raw(_resealed(store, path), batch_size=batch_size)


def _resealed(store: SealingStore, path: Path) -> Iterable[RawEvent]:
    assert store._keys is not None
    keyring = store._keys.keyring
    heads: dict[str, str] = {}
    for raw in read_lines(path):
        event = registry.decode(raw.type, raw.schema_version, bytes(raw.data))
        metadata = _metadata.decode(bytes(raw.metadata))
        sealed = keyring.seal_event(
            NewEvent(
                data=event,
                occurred_at=parse_instant(raw.occurred_at),
                metadata=metadata,
                event_id=UUID(raw.event_id),
            )
        )
        if sealed.metadata.idempotency_key:
            sealed = msgspec.structs.replace(
                sealed,
                metadata=msgspec.structs.replace(
                    sealed.metadata,
                    idempotency_key=store._key(keyring, sealed.metadata.idempotency_key),
                ),
            )
        (encoded,) = encode_batch([sealed], idempotency_key=None, max_event_bytes=UNLIMITED)
        stream_id = store._stream(keyring, raw.stream_id)
        data, metadata_bytes = encoded.data.encode(), encoded.metadata.encode()
        digest = event_hash(
            previous_hash=heads.get(stream_id, GENESIS_HASH),
            event_id=raw.event_id,
            stream_id=stream_id,
            version=raw.version,
            type_name=encoded.type,
            schema_version=encoded.schema_version,
            occurred_at=raw.occurred_at,
            recorded_at=raw.recorded_at,
            data=data,
            metadata=metadata_bytes,
        )
        heads[stream_id] = digest
        yield RawEvent(
            position=raw.position,
            event_id=raw.event_id,
            stream_id=stream_id,
            version=raw.version,
            type=encoded.type,
            schema_version=encoded.schema_version,
            occurred_at=raw.occurred_at,
            recorded_at=raw.recorded_at,
            data=msgspec.Raw(data),
            metadata=msgspec.Raw(metadata_bytes),
            hash=digest,
            idempotency_key=store._key(keyring, raw.idempotency_key),
        )


__all__ = ["reseal"]
