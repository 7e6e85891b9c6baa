"""Request bodies: strict (unknown fields refused), bounded, and never the event classes.

Who acts is never in a body: it is the token's person. Every body may carry ``occurred_at``
(when it happened, for paper records entered later; default now), which must have a timezone.
Dates known to the day are ``YYYY-MM-DD``; milestone dates may be known only to the month
(``YYYY-MM``), the calendar quarter (``YYYY-Qn``, n 1 to 4) or the year (``YYYY``), and may be
marked assumed (the source does not give them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from tracker.closure import ReportPart

EMAIL: Final = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
SLUG: Final = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
MILESTONE_DATE: Final = (
    r"^(19|20|21)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?|-Q[1-4])?$"
)
FIRST_DAY: Final = date(1900, 1, 1)
LAST_DAY: Final = date(2199, 12, 31)
"""Every date and instant the API takes lies within these days (docs/api.md, "Limits"): a
year 9999 or 0001 once broke every report of its programme for everyone."""

NO_CONTROL: Final = r"^[^\x00-\x1f\x7f]*$"
"""No control character: a CR or LF in a name or title would end an e-mail header."""
ONE_LINE: Final = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
"""One line of text with something in it: no control character, not only spaces."""

Email = Annotated[str, Meta(pattern=EMAIL, max_length=254, description="an e-mail address")]
Name = Annotated[
    str,
    Meta(min_length=1, max_length=200, pattern=ONE_LINE, description="one line, no controls"),
]
Title = Annotated[
    str,
    Meta(min_length=1, max_length=500, pattern=ONE_LINE, description="one line, no controls"),
]
Text = Annotated[str, Meta(max_length=10_000)]
Reason = Annotated[str, Meta(min_length=1, max_length=2_000, pattern=r"\S")]
Score = Annotated[int, Meta(ge=1, le=5)]
MilestoneDate = Annotated[
    str,
    Meta(
        pattern=MILESTONE_DATE,
        description=(
            "YYYY-MM-DD; or, when known only to the month, quarter or year, YYYY-MM, "
            "YYYY-Qn (n 1 to 4: Q1 is January to March) or YYYY"
        ),
        examples=["2021-03-31", "2014-03", "2013-Q2", "2013"],
    ),
]
OccurredAt = Annotated[
    datetime,
    Meta(tz=True, description="when it happened (RFC 3339 with a timezone); default: now"),
]


def in_range(name: str, value: date) -> None:
    """Refuse a date or instant outside ``FIRST_DAY`` .. ``LAST_DAY`` (ValueError: 400)."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{name} {value.isoformat()} is outside the dates the tracker takes "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
        )


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    occurred_at: OccurredAt | None = None
    backdating_reason: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=2_000,
                pattern=ONE_LINE,
                description=(
                    "why occurred_at is more working days back than the tracker allows without "
                    "one (5 by default): admin tokens only; one line, no control characters; "
                    "stored with the events and shown in reports and their data-quality "
                    "findings (docs/domain.md, 'Back-dated entries')"
                ),
            ),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        """Every date and instant of every body within the range (``in_range``)."""
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, date):
                in_range(name, value)


class PersonIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    name: Annotated[str, Meta(max_length=200, pattern=NO_CONTROL)] = ""


Person = Email | PersonIn
"""A person: an e-mail, or {email, name}."""


class ProgrammeIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    key: Annotated[str, Meta(pattern=SLUG, description="a slug: btls-transition")]
    name: Title
    start: date
    planned_end: date | None = None
    purpose: Text = ""
    scope: Text = ""
    governance: Text = ""


class RosterIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    title: Title
    raci: Annotated[str, Meta(min_length=1, max_length=8, description="R, A, C or I (Latin)")]


class RosterRevokeIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Text = ""


class DelegationIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    deputy: Email
    for_: Email = msgspec.field(name="for")
    starts: date
    ends: date
    deputy_name: Annotated[str, Meta(max_length=200, pattern=NO_CONTROL)] = ""


class WorkstreamIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    key: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
    name: Title
    description: Text = ""


class OutcomeIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    number: Annotated[int, Meta(ge=1, le=10_000)]
    title: Title


class DeliverableIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    due: date
    approvers: Annotated[list[Person], Meta(min_length=1, max_length=20)]
    endorsers: Annotated[list[Person], Meta(max_length=50)] = []
    outcome: Annotated[int, Meta(ge=1, le=10_000)] | None = None
    workstream: Annotated[str, Meta(max_length=64)] | None = None
    due_assumed: bool = False
    """The due date is a placeholder the source does not give: shown "(assumed)", not rated
    (no amber or red) until re-planned."""


class GateIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A phase gate: what it waits for (ids of the programme's deliverables and milestones, at
    least one in all) and who approves it."""

    title: Title
    order: Annotated[int, Meta(ge=1, le=1000)]
    deliverables: Annotated[list[UUID], Meta(max_length=500)] = []
    milestones: Annotated[list[UUID], Meta(max_length=500)] = []
    approvers: Annotated[list[Person], Meta(min_length=1, max_length=20)]


class SubmitIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Text = ""


class SignIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    on_behalf_of: Email | None = None
    """A deputy may name whose signature this is; by default the domain works it out."""


class ReturnIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Reason
    on_behalf_of: Email | None = None


class DeferIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason
    destination: Title


class ReinstateIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason = "reinstated"


class ReasonIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class ReplanIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    due: date
    reason: Reason


Assumed = Annotated[
    bool,
    Meta(
        description=(
            "true when the source does not give the date and it is assumed: shown "
            '"(assumed)", never makes the milestone amber or red'
        )
    ),
]


class MilestoneIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    baseline: MilestoneDate
    workstream: Annotated[str, Meta(max_length=64)] | None = None
    baseline_assumed: Assumed = False


class MilestoneDateIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    date: MilestoneDate
    reason: Reason
    assumed: Assumed = False


class AchieveIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    date: MilestoneDate
    assumed: Assumed = False
    """The source says it was achieved but not when: the date is assumed, never rated."""


class RiskIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: Literal["risk", "issue", "assumption", "dependency"]
    title: Title
    description: Text
    impact: Score
    owner: Person
    likelihood: Score | None = None
    mitigation: Text = ""
    ref: Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$")] | None = None


class RiskUpdateIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, Meta(min_length=1, max_length=10_000, pattern=r"\S")]


class RescoreIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    impact: Score
    reason: Reason
    likelihood: Score | None = None


class CloseRiskIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Reason


class LearningPointIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: Annotated[str, Meta(min_length=1, max_length=10_000, pattern=r"\S")]
    recommendation: Text = ""
    responsible: Annotated[str, Meta(max_length=200, pattern=NO_CONTROL)] = ""
    number: Annotated[int, Meta(ge=1, le=10_000)] | None = None


class RecommendationIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: Annotated[str, Meta(min_length=1, max_length=10_000, pattern=r"\S")]
    responsible: Annotated[str, Meta(max_length=200, pattern=NO_CONTROL)] = ""
    number: Annotated[int, Meta(ge=1, le=10_000)] | None = None


class NextStepIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    description: Annotated[str, Meta(min_length=1, max_length=10_000, pattern=r"\S")]
    responsible: Annotated[str, Meta(max_length=200, pattern=NO_CONTROL)] = ""
    number: Annotated[int, Meta(ge=1, le=10_000)] | None = None
    deliverable: UUID | None = None


class ReportSectionIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One heading of the report's paper: the part it heads, its number as printed ("" when
    unnumbered) and its title."""

    part: ReportPart
    number: Annotated[str, Meta(max_length=10, pattern=r"^[^\x00-\x1f\x7f]*$")] = ""
    title: Name


class ClosureSubmitIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``presenters`` and ``sections``: the report's paper's own (who presented it, and its
    section numbers and titles), when it is one; the report shows them in place of its own."""

    summary: Text = ""
    presenters: Annotated[list[Name], Meta(max_length=10)] = []
    sections: Annotated[list[ReportSectionIn], Meta(max_length=10)] = []


class ClosureApproveIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    override_reason: Reason | None = None
    on_behalf_of: Email | None = None


class TokenIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    scope: Literal["admin", "member", "reader"] = "member"
    name: Annotated[str, Meta(max_length=200, pattern=NO_CONTROL)] = ""
    expires_in_days: Annotated[
        int, Meta(ge=1, le=366, description="days until the token expires (default 90)")
    ] = 90


class ErasureIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why the person is erased: the request answered (their own names in it are replaced)."""

    reason: Annotated[str, Meta(min_length=1, max_length=2000)]


WebhookKind = Literal["signoff", "closure", "milestone", "raid", "rag"]
"""The kinds of ``tracker.webhooks.kinds.KINDS``."""
MAX_WEBHOOK_PROGRAMMES: Final = 500


class WebhookIn(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    url: Annotated[str, Meta(min_length=8, max_length=2000)]
    kinds: Annotated[list[WebhookKind], Meta(min_length=1, max_length=5)]
    programmes: (
        Annotated[
            list[Annotated[str, Meta(pattern=SLUG, max_length=64)]],
            Meta(min_length=1, max_length=MAX_WEBHOOK_PROGRAMMES),
        ]
        | None
    ) = None
    """Only these programmes; omitted: every programme, those registered later included."""
    format: Literal["json", "teams"] = "json"
