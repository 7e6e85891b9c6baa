"""One error tree. Every error carries a stable ``code`` and a message a person can act on."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the tracker raises on purpose."""

    code: str = "tracker_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class InvalidInput(TrackerError):
    """Input that can never be accepted as given (bad shape, bad value)."""

    code = "invalid_input"


class DomainError(TrackerError):
    """A governance rule refused the command."""

    code = "domain_error"


class RuleBroken(DomainError):
    code = "rule_broken"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class NotFound(DomainError):
    code = "not_found"


class Forbidden(TrackerError):
    """The caller's scope or standing on the programme does not allow the action
    (``tracker.permissions``)."""

    code = "forbidden"


class StreamConflict(TrackerError):
    """Optimistic concurrency: the stream is not at the version the caller expected."""

    code = "stream_conflict"

    def __init__(self, stream_id: str, expected: object, actual: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, not at the expected {expected}"
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class PreconditionFailed(TrackerError):
    """An append's precondition (``tracker.events.store.Precondition``) no longer held:
    nothing was stored. The caller reloads what it depended on and tries again."""

    code = "precondition_failed"

    def __init__(self, expected: int, found: int) -> None:
        super().__init__(f"the append expected {expected} and the store holds {found}")
        self.expected = expected
        self.found = found


class IdempotencyMismatch(TrackerError):
    """An event id or idempotency key was reused for different events."""

    code = "idempotency_mismatch"


class StoreUnavailable(TrackerError):
    """The database could not be reached or timed out."""

    code = "store_unavailable"
