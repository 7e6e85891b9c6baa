"""Reading a programme as the caller may: their right to read is judged on the programme as it
stands now (today's roster and delegations, read consistently with every write answered
before the request), whatever time the question is about. A member added last week may read
last year's reports; one taken off the roster may not read any; a deputy reads only while a
delegation covers today."""

from __future__ import annotations

from datetime import date

from api.auth import Principal
from api.reads import Seen
from api.services import Services
from api.when import When
from tracker.context import local_date
from tracker.errors import NotFound
from tracker.permissions import Action, digest_involvement, require
from tracker.projections.read_model.reader import Glance


def today_of(services: Services) -> date:
    """Today where the council is (Europe/London): the day delegations are judged on."""
    return local_date(services.clock.now())


async def require_read(principal: Principal, services: Services, glance: Glance) -> None:
    """403 unless the caller may read the programme now (NotFound when it does not exist)."""
    if not glance.exists:
        raise NotFound(f"programme {glance.key!r} not found", code="programme_not_found")
    if principal.scope != "member":
        return
    current = await services.reads.digest(glance)
    who = digest_involvement(principal.person, today_of(services), current)
    require(principal, Action.READ, who, glance.key)


async def readable_view(principal: Principal, services: Services, key: str, when: When) -> Seen:
    """The programme's view for ``when``, once the caller's right to read it now is checked."""
    glance = await services.reads.glance(key)
    await require_read(principal, services, glance)
    return await services.reads.seen(glance, when)
