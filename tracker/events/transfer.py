"""Export and import as JSON Lines: the backup of record.

One event per line, keys in a fixed order, data and metadata as the exact stored JSON, so an
export of an import is byte-identical. An import goes into an empty store only, and is checked
(versions, positions, hash chains) before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec

from tracker.errors import InvalidInput
from tracker.events.store import EventStore, RawEvent
from tracker.events.verify import ChainChecker

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(RawEvent)


async def export_events(store: EventStore, out: IO[bytes], *, page_size: int = 2000) -> int:
    """Every event up to the store's safe head when the export starts, so an export taken while
    the API is writing is a whole prefix of the log: on PostgreSQL an append can commit after
    one with a later position, and reading past the safe head could skip it (the file would
    miss an event in the middle). Later events go to the next export."""
    head = await store.head_position()
    count = 0
    after = 0
    while True:
        page = [raw for raw in await store.read_raw(after, page_size) if raw.position <= head]
        if not page:
            return count
        buffer = bytearray()
        for raw in page:
            _encoder.encode_into(raw, buffer, -1)
            buffer.extend(b"\n")
        out.write(buffer)
        count += len(page)
        after = page[-1].position


def read_lines(path: Path) -> Iterator[RawEvent]:
    """The events of an export, naming the line of the first that is not one.

    Every exported line ends with a line end, so a last line without one is a file cut short
    (a copy interrupted mid-line), even when what is left of the line happens to parse.
    """
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if not line.endswith(b"\n"):
                raise InvalidInput(
                    f"{path}:{number}: the last line has no line end: the file is cut short"
                )
            try:
                yield _decoder.decode(line)
            except msgspec.ValidationError as exc:
                raise InvalidInput(f"{path}:{number}: not a tracker event line: {exc}") from exc
            except msgspec.DecodeError as exc:
                raise InvalidInput(f"{path}:{number}: not JSON: {exc}") from exc


async def import_events(store: EventStore, path: Path, *, batch_size: int = 2000) -> int:
    """Check the whole file, then import it into an empty store (in one transaction)."""
    if await store.head_position() != 0 or await store.read_raw(0, 1):
        raise InvalidInput(
            "import needs an empty store: this one already holds events; nothing imported "
            "(restore into a new database: `tracker db upgrade`, then `tracker import`)"
        )
    checker = ChainChecker()
    try:
        for raw in read_lines(path):
            found = checker.check(raw)
            if found is not None:
                raise InvalidInput(f"{path}: refused, nothing imported: {found.describe()}")
    except InvalidInput as exc:
        if "nothing imported" in str(exc):
            raise
        raise InvalidInput(f"{exc}; refused, nothing imported") from exc
    return await store.import_raw(read_lines(path), batch_size=batch_size)
