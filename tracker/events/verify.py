"""Verification: versions contiguous per stream, positions increasing, hash chains intact."""

from __future__ import annotations

import msgspec

from tracker.events.codec import GENESIS_HASH
from tracker.events.prepare import raw_hash
from tracker.events.store import EventStore, RawEvent


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    stream_id: str
    version: int
    problem: str

    def describe(self) -> str:
        return (
            f"position {self.position}, stream {self.stream_id!r} version {self.version}: "
            f"{self.problem}"
        )


class VerifyReport(msgspec.Struct, frozen=True, kw_only=True):
    events: int
    streams: int
    head_position: int
    first_broken: Finding | None
    """The first broken link in position order; None when everything holds."""
    stream_heads: dict[str, str]
    """The last hash of each stream: publish these to anchor the chains outside the database."""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


class ChainChecker:
    """Checks events one at a time, in position order; remembers each stream's head."""

    def __init__(self) -> None:
        self.heads: dict[str, tuple[int, str]] = {}
        self.last_position = 0
        self.count = 0

    def check(self, raw: RawEvent) -> Finding | None:
        self.count += 1

        def finding(problem: str) -> Finding:
            return Finding(
                position=raw.position, stream_id=raw.stream_id, version=raw.version, problem=problem
            )

        if raw.position <= self.last_position:
            return finding(f"position does not increase (after {self.last_position})")
        self.last_position = raw.position
        version, previous = self.heads.get(raw.stream_id, (0, GENESIS_HASH))
        if raw.version != version + 1:
            return finding(f"version follows {version}: versions must be contiguous from 1")
        expected = raw_hash(raw, previous)
        if expected != raw.hash:
            return finding(
                "stored hash does not match the event's contents and the previous hash "
                f"(stored {raw.hash[:12]}…, computed {expected[:12]}…): the event or the one "
                "before it in the stream was altered"
            )
        self.heads[raw.stream_id] = (raw.version, raw.hash)
        return None


async def verify_store(store: EventStore, *, page_size: int = 2000) -> VerifyReport:
    checker = ChainChecker()
    first: Finding | None = None
    after = 0
    while True:
        page = await store.read_raw(after, page_size)
        if not page:
            break
        for raw in page:
            found = checker.check(raw)
            if found is not None and first is None:
                first = found
        after = page[-1].position
    return VerifyReport(
        events=checker.count,
        streams=len(checker.heads),
        head_position=checker.last_position,
        first_broken=first,
        stream_heads={stream: head for stream, (_, head) in sorted(checker.heads.items())},
    )
