"""Events of the closure report, held in the programme stream."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar

import msgspec

from tracker.events.base import Event, event_type
from tracker.events.values import PersonRef, StreamVersion


class ReportSection(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One section heading of the report as its paper numbers and titles it: ``part`` is the
    report's part it heads (``tracker.closure.REPORT_PARTS``), ``number`` as printed ("3", or ""
    when unnumbered), ``title`` as printed ("Socitm deliverables")."""

    part: str
    number: str
    title: str


@event_type
class ClosureReportSubmitted(Event, frozen=True, kw_only=True):
    """The report as it stands: who must endorse and approve (from the roster at submission) and
    every stream of the programme pinned at its version, so the report can be rebuilt exactly.

    ``presenters`` ("Glyn Peach - Chief Digital Officer") and ``sections`` (the paper's own
    section numbers and titles) are the paper's, when the report is one; both are left out of
    the stored data when empty."""

    omitted_when_default: ClassVar[frozenset[str]] = frozenset({"presenters", "sections"})

    programme_key: str
    revision: int
    approver: PersonRef
    endorsers: tuple[PersonRef, ...]
    informed: tuple[PersonRef, ...]
    programme_version: int
    items: tuple[StreamVersion, ...]
    summary: str = ""
    presenters: tuple[str, ...] = ()
    sections: tuple[ReportSection, ...] = ()


@event_type
class ClosureReportEndorsed(Event, frozen=True, kw_only=True):
    personal_fields: ClassVar[Mapping[str, str]] = {
        "actor": "actor",
        "on_behalf_of": "on_behalf_of",
    }
    programme_key: str
    revision: int
    actor: str
    on_behalf_of: str | None = None


@event_type
class ClosureReportApproved(Event, frozen=True, kw_only=True):
    """``override_reason`` is set when approved with ``endorsements_missing``; ``informed`` are
    the I members to notify."""

    personal_fields: ClassVar[Mapping[str, str]] = {
        "actor": "actor",
        "on_behalf_of": "on_behalf_of",
        "endorsements_missing": "endorsements_missing",
        "informed": "informed",
    }

    programme_key: str
    revision: int
    actor: str
    on_behalf_of: str | None = None
    override_reason: str | None = None
    endorsements_missing: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()


@event_type
class ProgrammeClosed(Event, frozen=True, kw_only=True):
    programme_key: str
    closed_on: date
