"""Reading a programme as the caller may: their right to read is judged on the programme as it
is now (today's roster), whatever time the question is about. A member added last week may read
last year's reports; one taken off the roster may not read any."""

from __future__ import annotations

from api.auth import Principal
from api.authz import Action, digest_involvement, require
from api.services import Services
from api.when import When
from tracker.projections.views import ProgrammeView


async def require_read(
    principal: Principal, services: Services, key: str, when: When, view: ProgrammeView
) -> None:
    """``view`` answers ``when``; members are checked against the current view."""
    if principal.scope != "member":
        return
    reads = services.reads
    current = view if when.live else await reads.view(key, When())
    who = digest_involvement(principal.person, reads.digest_of(current))
    require(principal, Action.READ, who, key)


async def readable_view(
    principal: Principal, services: Services, key: str, when: When
) -> ProgrammeView:
    view = await services.reads.view(key, when)
    await require_read(principal, services, key, when, view)
    return view
