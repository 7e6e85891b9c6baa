"""Open event streams per token, capped (``streams_per_token``): an open stream costs a
connection and a loop polling the store, so one token may not hold any number of them.

A slot is taken before the stream's response starts, so the one over the cap is a 429 problem
rather than a stream that ends at once. It is given back when the stream ends, however it
ends: the stream's own ``finally``, or, for a stream whose body never started (the client left
before it), when its generator is collected (``weakref.finalize``). Counted in this process:
behind several API processes each holds its own count (docs/api.md).
"""

from __future__ import annotations

import math
import weakref

from api.errors import ApiProblem


class Slot:
    """One open stream; ``release`` is idempotent."""

    def __init__(self, slots: StreamSlots, token_id: str) -> None:
        self._slots = slots
        self._token_id = token_id
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.give_back(self._token_id)

    def tie_to(self, stream: object) -> None:
        """Give the slot back when ``stream`` is collected, should it never run to its end."""
        weakref.finalize(stream, self.release)


class StreamSlots:
    def __init__(self, per_token: int, *, retry_after_seconds: float) -> None:
        self._per_token = per_token
        self._retry_after = max(1, math.ceil(retry_after_seconds))
        self._open: dict[str, int] = {}

    def open_for(self, token_id: str) -> int:
        return self._open.get(token_id, 0)

    def take(self, token_id: str) -> Slot:
        """A slot for one more stream, or 429 when the token holds the most allowed."""
        held = self.open_for(token_id)
        if held >= self._per_token:
            raise ApiProblem(
                429,
                "too_many_streams",
                f"this token already holds {held} open event streams, the most allowed at "
                "once: close one (or resume it with Last-Event-ID) before opening another",
                headers={"Retry-After": str(self._retry_after)},
            )
        self._open[token_id] = held + 1
        return Slot(self, token_id)

    def give_back(self, token_id: str) -> None:
        left = self._open.get(token_id, 0) - 1
        if left > 0:
            self._open[token_id] = left
        else:
            self._open.pop(token_id, None)
