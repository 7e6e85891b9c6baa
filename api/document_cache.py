"""Rendered documents (the closure report's PDF) kept in memory by what they were made from.

A PDF costs most of a second of CPU; the same report asked again costs a dictionary look-up.
The key is everything that changes the bytes (``api.pages.controllers.closure``: programme,
as-of and known-at, the report's content hash, the templates' version), so a changed report
is never served stale: it has another key. Memory is bounded in bytes, least recently used
out first; a document larger than the whole bound is not kept.

Requests for a key being made wait for that one rendering rather than starting another, and
the rendering runs to its end (and is kept) even if the request that started it goes away.
Counted in ``tracker_document_cache_total{kind, result}`` (``hit`` or ``render``) on /metrics.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Hashable
from functools import partial
from typing import Any, Final

from prometheus_client import Counter

LOOKUPS: Final = Counter(
    "tracker_document_cache",
    "Rendered documents asked for, by kind and result: hit (from memory) or render (made).",
    ["kind", "result"],
)


class DocumentCache:
    def __init__(self, kind: str, max_bytes: int) -> None:
        self.kind = kind
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._making: dict[Hashable, asyncio.Future[bytes]] = {}

    def clear(self) -> None:
        """Drop every kept document (a person was erased: a kept one may name them)."""
        self._items.clear()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable) -> bytes | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    async def get_or_make(
        self, key: Hashable, make: Callable[[], Coroutine[Any, Any, bytes]]
    ) -> bytes:
        found = self.get(key)
        if found is not None:
            LOOKUPS.labels(self.kind, "hit").inc()
            return found
        making = self._making.get(key)
        if making is None:
            LOOKUPS.labels(self.kind, "render").inc()
            making = asyncio.ensure_future(make())
            self._making[key] = making
            making.add_done_callback(partial(self._made, key))
        else:
            LOOKUPS.labels(self.kind, "hit").inc()
        # Shielded: a client that leaves does not cancel a rendering others (or its retry) need.
        return await asyncio.shield(making)

    def _made(self, key: Hashable, making: asyncio.Future[bytes]) -> None:
        self._making.pop(key, None)
        if making.cancelled() or making.exception() is not None:
            return  # the error went to whoever waited; nothing is kept
        self._put(key, making.result())

    def _put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self._max_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        self._items[key] = body
        self._bytes += len(body)
        while self._bytes > self._max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped)
