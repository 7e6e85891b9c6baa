"""Every write, the same way: scope, rate limit, Idempotency-Key, If-Match, load the target,
check the caller's rights on that object, build the command with the caller as actor, run the
domain handler, answer with the stream version (ETag) and the store position.

Refusals from any step are answered here as problem+json (through ``api.errors``) so that an
Idempotency-Key replays them too.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from uuid import UUID, uuid4

import msgspec
from litestar import Response

from api.auth import ApiRequest, Principal
from api.errors import (
    ApiProblem,
    FieldError,
    Problem,
    api_problem_response,
    forbidden,
    is_unavailable,
    tracker_problem,
    unavailable_response,
)
from api.idempotency import StoredResponse, fingerprint, parse_key
from api.request_store import RequestStore
from api.schemas import WriteResult
from api.services import Services
from api.stream_cache import CachedHandlers
from api.targets import Target, TargetRef
from tracker.backdating import BackdatingRule
from tracker.commands import Command
from tracker.errors import StreamConflict, TrackerError
from tracker.events.base import StoredEvent
from tracker.handlers import CommandResult
from tracker.ids import deterministic_uuid
from tracker.logs import correlation_id
from tracker.people.store import pseudonym_for

IF_MATCH: Final = re.compile(r'^(?:W/)?"?([0-9]{1,12})"?$')
JSON: Final = "application/json"
CONFLICT_ATTEMPTS: Final = 8
"""Tries of a write without If-Match that meets concurrent writers on its stream."""
CONFLICT_PAUSE: Final = 0.005
"""Seconds: the first retry after a conflict waits up to this long, each later one up to twice
the one before (at most about 1.3 s in all over the eight tries)."""


def conflict_pause(attempt: int) -> float:
    """How long to wait before try ``attempt + 1`` of a write that met a concurrent writer.

    Random ("full jitter"): writers that collided and retried at once would collide again. A
    PostgreSQL restart under load made six clients retry the same second and one of them lost
    five tries in a row in 0.27 s when the retries had no pause."""
    return random.uniform(0.0, CONFLICT_PAUSE * 2 ** (attempt - 1))


Build = Callable[[str, Target], Command]
"""Makes the command from the acting person and the loaded target."""


@dataclass(frozen=True, kw_only=True)
class Plan:
    """How one endpoint writes."""

    ref: TargetRef
    build: Build
    created: bool | Callable[[Target], bool] = False
    """A 201 when it wrote; or decided from the target (PUT creates or changes)."""
    new_id: str | None = None
    """The id to answer with when the handler does not make one (workstream key, outcome)."""
    location: str | None = None
    bucket: str = "write"


def parse_if_match(header: str | None) -> int | None:
    if header is None or header.strip() == "*":
        return None
    found = IF_MATCH.match(header.strip())
    if found is None:
        raise ApiProblem(
            400,
            "invalid_if_match",
            'If-Match must be the ETag of a previous answer, e.g. "3"',
            errors=[FieldError(field="header.If-Match", message="malformed")],
        )
    return int(found.group(1))


class Writer:
    """One write request. Made per request by ``api.deps.provide_writer``."""

    def __init__(
        self,
        request: ApiRequest,
        services: Services,
        *,
        if_match: str | None,
        idempotency_key: str | None,
    ) -> None:
        self.request = request
        self.services = services
        self.principal: Principal = request.user
        self.if_match_header = if_match
        self.key_header = idempotency_key
        self.store = RequestStore(services.store, services.streams)
        self.backdating = BackdatingRule(
            working_days=services.settings.backdating_working_days, calendar=services.calendar
        )
        self.handlers = CachedHandlers(
            self.store, services.clock, cache=services.streams, backdating=self.backdating
        )
        self.body: msgspec.Struct | None = None

    async def new_uuid(self) -> UUID:
        """The id for a new item: fixed by the Idempotency-Key when there is one, so a retry
        after a lost answer finishes the same item instead of making a second. Derived from
        the caller's pseudonym, not their address: an id is public, and a uuid5 of an address
        can be confirmed by anyone who guesses it (docs/privacy.md)."""
        key = parse_key(self.key_header)
        if key is None:
            return uuid4()
        caller = await pseudonym_for(self.services.store, self.principal.person)
        return deterministic_uuid("api", caller, key)

    async def run(self, body: msgspec.Struct | None, plan: Plan) -> Response[bytes]:
        principal = self.principal
        self.body = body
        if principal.scope == "reader":
            raise forbidden(f"{principal.person} has a read-only token: it cannot write")
        await self.services.limiter.hit(principal.token_id, plan.bucket)
        if_match = parse_if_match(self.if_match_header)
        key = parse_key(self.key_header)
        # Idempotency records name the caller by pseudonym: a table kept for a day must not
        # list who wrote (docs/privacy.md).
        caller = "" if key is None else await pseudonym_for(self.services.store, principal.person)
        if key is not None:
            raw = msgspec.json.encode(body) if body is not None else b""
            print_ = fingerprint(self.request.method, self.request.url.path, raw)
            replay = await self.services.idempotency.begin(caller, key, print_)
            if replay is not None:
                return _response(replay, replayed=True)
        finished = False
        try:
            stored = await self._execute(plan, if_match, key)
            if key is not None and stored.status < 500:
                await self.services.idempotency.finish(caller, key, stored)
                finished = True
            return _response(stored)
        finally:
            if key is not None and not finished:
                await self.services.idempotency.release(caller, key)

    def store_key(self, key: str) -> str:
        """The key the events are stored under: the client's key, scoped to the caller."""
        return f"api:{self.principal.person}:{key}"

    async def _execute(self, plan: Plan, if_match: int | None, key: str | None) -> StoredResponse:
        try:
            if key is not None:
                # An earlier attempt may have stored its events and lost its answer (the
                # connection died after the commit): answer from what it stored.
                earlier = await self.store.appended_with_key(self.store_key(key))
                if earlier:
                    return await self._success(*_earlier_result(earlier), plan)
            async with self.services.write_turns.turn(plan.ref.stream_id):
                attempt = 1
                while True:
                    try:
                        return await self._attempt(plan, if_match, key)
                    except StreamConflict:
                        # Someone (in another process) wrote the stream between our read and
                        # our append. Without If-Match the client asked for "now", so decide
                        # again on the new state.
                        if if_match is not None or attempt >= CONFLICT_ATTEMPTS:
                            raise
                        await asyncio.sleep(conflict_pause(attempt))
                        attempt += 1
        except TrackerError as exc:
            return _stored(tracker_problem(exc, if_match=if_match is not None))
        except ApiProblem as exc:
            return _stored(api_problem_response(exc))
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            return _stored(unavailable_response(exc))

    async def _attempt(self, plan: Plan, if_match: int | None, key: str | None) -> StoredResponse:
        """Load, build the command, and hand it to the domain (which checks access, decides
        and appends), once."""
        ref = plan.ref
        target = await ref.load(self.handlers)
        is_new = plan.created if isinstance(plan.created, bool) else plan.created(target)
        command = msgspec.structs.replace(
            plan.build(self.principal.person, target),
            acting_as=self.principal.scope,
            expected_version=if_match,
        )
        reason = getattr(self.body, "backdating_reason", None)
        if reason is not None:
            command = msgspec.structs.replace(command, backdating_reason=reason)
        if key is not None:
            command = msgspec.structs.replace(command, idempotency_key=self.store_key(key))
        if command.correlation_id is None and (correlation := correlation_id.get()) is not None:
            # The request's X-Correlation-Id (api.observability): kept in the events' metadata.
            command = msgspec.structs.replace(command, correlation_id=correlation)
        result = await self.handlers.handle(command)
        return await self._success(result, is_new, plan)

    async def _success(self, result: CommandResult, is_new: bool, plan: Plan) -> StoredResponse:
        position = result.position
        if position is None:
            position = await self.store.head_position()
        created_id = str(result.created_id) if result.created_id is not None else plan.new_id
        body = WriteResult(
            id=created_id,
            stream_id=result.stream_id,
            version=result.version,
            position=position,
            written=result.written,
            recorded=list(result.recorded),
        )
        headers = {
            "ETag": f'"{result.version}"',
            "Tracker-Position": str(position),
            "Content-Type": JSON,
        }
        status = 201 if is_new and result.written else 200
        location = plan.location or _location(result.stream_id)
        if status == 201 and location is not None:
            headers["Location"] = location
        return StoredResponse(status=status, headers=headers, body=msgspec.json.encode(body))


def _earlier_result(events: list[StoredEvent]) -> tuple[CommandResult, bool]:
    """What a command that stored ``events`` answered: its last stream, created or changed."""
    last = [e for e in events if e.stream_id == events[-1].stream_id]
    created = last[0].version == 1
    _, _, identifier = last[-1].stream_id.partition(":")
    result = CommandResult(
        stream_id=last[-1].stream_id,
        version=last[-1].version,
        position=last[-1].position,
        recorded=tuple(e.type for e in last),
        created_id=_uuid_or_none(identifier) if created else None,
    )
    return result, created


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _location(stream_id: str) -> str | None:
    """Where a new item can be read."""
    category, _, identifier = stream_id.partition(":")
    paths = {"deliverable": "deliverables", "milestone": "milestones", "risk": "risks"}
    if category in paths:
        return f"/api/v1/{paths[category]}/{identifier}"
    return None


def _stored(response: Response[Problem]) -> StoredResponse:
    headers = {k: str(v) for k, v in (response.headers or {}).items()}
    headers["Content-Type"] = str(response.media_type)
    return StoredResponse(
        status=response.status_code or 500,
        headers=headers,
        body=msgspec.json.encode(response.content),
    )


def _response(stored: StoredResponse, *, replayed: bool = False) -> Response[bytes]:
    headers = dict(stored.headers)
    media_type = headers.pop("Content-Type", JSON)
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(stored.body, status_code=stored.status, media_type=media_type, headers=headers)
