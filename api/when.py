"""The time question of a query: ``as_of`` (effective) and ``known_at`` (recorded). Without
either a query answers now, every write answered before it included; with either, as the
programme stood then (docs/projections.md)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final

import msgspec

from api.errors import ApiProblem, FieldError
from api.schemas.bodies import in_range
from tracker.projections.reports.question import effective_until

DATE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class When(msgspec.Struct, frozen=True, kw_only=True):
    as_of: datetime | None = None
    """The effective instant: a date given as ``as_of`` is the end of that day, UTC."""
    known_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.as_of is None and self.known_at is None


def _bad(name: str, message: str) -> ApiProblem:
    return ApiProblem(
        400,
        "invalid_parameter",
        f"{name}: {message}",
        errors=[FieldError(field=f"query.{name}", message=message)],
    )


def _instant(name: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise _bad(name, f"{raw!r} is not an RFC 3339 instant (2021-03-01T12:00:00Z)") from exc
    if value.tzinfo is None:
        raise _bad(name, f"{raw!r} has no timezone: add Z or an offset such as +01:00")
    return value


def _bounded(name: str, value: date | datetime) -> date | datetime:
    try:
        in_range(name, value.astimezone(UTC) if isinstance(value, datetime) else value)
    except OverflowError as exc:  # 9999-12-31T23:59:59-14:00 is past year 9999 in UTC
        raise _bad(name, f"{value.isoformat()} is outside the dates the tracker takes") from exc
    except ValueError as exc:
        raise _bad(name, str(exc)) from exc
    return value


def parse_when(as_of: str | None, known_at: str | None) -> When:
    effective: date | datetime | None = None
    if as_of is not None:
        if DATE.match(as_of.strip()):
            try:
                effective = date.fromisoformat(as_of.strip())
            except ValueError as exc:
                raise _bad("as_of", f"{as_of!r} is not a calendar date") from exc
        else:
            effective = _instant("as_of", as_of)
    if effective is not None:
        effective = _bounded("as_of", effective)
    recorded = _instant("known_at", known_at) if known_at is not None else None
    if recorded is not None:
        _bounded("known_at", recorded)
    return When(as_of=effective_until(effective), known_at=recorded)
