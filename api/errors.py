"""The only map from errors to HTTP: RFC 9457 problem+json, with a stable ``type`` and ``code``.

| error | status |
|---|---|
| body or parameter that does not decode (types, unknown fields, bad dates) | 400 |
| no, malformed, unknown or revoked token | 401 (with ``WWW-Authenticate: Bearer``) |
| scope or roster does not allow the action | 403 |
| ``NotFound`` of the resource in the path | 404 |
| ``NotFound`` of something the body refers to (outcome, workstream) | 422, per field |
| ``RuleBroken`` (the rule's code) | 409; 422 for rules about the request's own dates |
| ``GateNotReady`` (``gate_not_ready``) | 409, with ``blocking``: a sentence per unmet criterion |
| ``StreamConflict`` | 409; 412 when the request carried ``If-Match`` |
| ``InvalidInput`` | 422 |
| Idempotency-Key reused with another body / still in flight | 422 / 409 |
| body over the size limit | 413 |
| rate limit | 429 (with ``Retry-After``) |
| ``StoreUnavailable``, database unreachable | 503 (with ``Retry-After``) |
| anything else | 500, with no internals in the body (logged) |
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Final

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from api.observability import count_conflict, logged_path
from tracker.errors import (
    Forbidden,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    RuleBroken,
    StoreUnavailable,
    StreamConflict,
    TrackerError,
)
from tracker.gates import GateNotReady

log = logging.getLogger(__name__)

PROBLEM_JSON: Final = "application/problem+json"
TYPE_BASE: Final = "/problems/"

INPUT_RULES: Final = frozenset(
    {
        "occurred_in_future",
        "occurred_before_start",
        "actual_in_future",
        "dated_before_item",
        "dated_before_submission",
        "backdating_needs_reason",
        "backdating_reason_too_long",
    }
)
"""Rules about the request's own values rather than the state it meets: 422, not 409."""

REFERENCES: Final[dict[str, str]] = {
    "outcome_not_found": "outcome",
    "workstream_not_found": "workstream",
    "gate_deliverable_not_found": "deliverables",
    "gate_milestone_not_found": "milestones",
}
"""NotFound codes naming something the body refers to, with the body field they blame."""

UNAVAILABLE: Final = (
    StoreUnavailable,
    OperationalError,
    InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, crash, cannot connect now
    ConnectionError,
    TimeoutError,
)


def is_unavailable(exc: BaseException) -> bool:
    """The database is down or the connection was lost: a 503, never a 500.

    SQLAlchemy reports a lost asyncpg connection as a plain ``DBAPIError`` marked
    ``connection_invalidated`` (the pool then drops that connection), so the type alone does
    not tell."""
    if isinstance(exc, UNAVAILABLE):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    cause: BaseException | None = exc.orig
    while cause is not None:  # the driver's own exception, under the adapter's
        if isinstance(cause, UNAVAILABLE):
            return True
        cause = cause.__cause__
    return False


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    """Where: a body field (``approvers[0].email``), or a parameter (``query.as_of``)."""
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details. ``code`` is stable; ``type`` is ``/problems/<code>``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldError] = []
    current_version: int | None = None
    """412/409 on a stream: the version it is at now."""
    blocking: list[str] = []
    """409 ``gate_not_ready``: a sentence per deliverable or milestone the gate waits for."""


class ApiProblem(Exception):
    """An HTTP-level refusal raised by the API itself (auth, preconditions, parameters)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.current_version = current_version


def field_problem(field: str, exc: InvalidInput) -> ApiProblem:
    """A value the domain refused, blamed on the body field it came from."""
    return ApiProblem(
        422, exc.code, f"{field}: {exc.message}", errors=[FieldError(field=field, message=str(exc))]
    )


def unauthorised(detail: str) -> ApiProblem:
    return ApiProblem(
        401, "unauthorised", detail, headers={"WWW-Authenticate": 'Bearer realm="tracker"'}
    )


def forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, "forbidden", detail)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    current_version: int | None = None,
    instance: str | None = None,
    blocking: list[str] | None = None,
) -> Response[Problem]:
    body = Problem(
        type=TYPE_BASE + code,
        title=_title(status),
        status=status,
        detail=detail,
        code=code,
        instance=instance,
        errors=errors or [],
        current_version=current_version,
        blocking=blocking or [],
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def tracker_problem(exc: TrackerError, *, if_match: bool = False) -> Response[Problem]:
    """The response for a domain or store error. ``if_match``: the request carried If-Match."""
    if isinstance(exc, StreamConflict):
        status = 412 if if_match else 409
        count_conflict(status)
        code = "precondition_failed" if if_match else exc.code
        detail = str(exc) + (
            ": read it again and retry with the current version"
            if if_match
            else ": someone changed it meanwhile; retry"
        )
        return problem_response(status, code, detail, current_version=exc.actual)
    if isinstance(exc, Forbidden):
        return problem_response(403, exc.code, str(exc))
    if isinstance(exc, NotFound) and exc.code in REFERENCES:
        field = REFERENCES[exc.code]
        return problem_response(
            422, exc.code, str(exc), errors=[FieldError(field=field, message=str(exc))]
        )
    if isinstance(exc, NotFound):
        return problem_response(404, exc.code, str(exc))
    if isinstance(exc, GateNotReady):
        return problem_response(409, exc.code, str(exc), blocking=list(exc.blocking))
    if isinstance(exc, RuleBroken):
        return problem_response(422 if exc.code in INPUT_RULES else 409, exc.code, str(exc))
    if isinstance(exc, InvalidInput | IdempotencyMismatch):
        return problem_response(422, exc.code, str(exc))
    if isinstance(exc, StoreUnavailable):
        return unavailable_response(exc)
    return problem_response(400, exc.code, str(exc))


def unavailable_response(exc: BaseException) -> Response[Problem]:
    log.warning("store unavailable: %s", exc)
    return problem_response(
        503,
        "store_unavailable",
        "the database is unavailable or busy; retry shortly",
        headers={"Retry-After": "1"},
    )


def api_problem_response(exc: ApiProblem) -> Response[Problem]:
    return problem_response(
        exc.status,
        exc.code,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        current_version=exc.current_version,
    )


_VALIDATION_HINTS: Final = (
    ("Invalid RFC3339 encoded date", "must be a date known to the day, YYYY-MM-DD"),
    ("Invalid RFC3339 encoded datetime", "must be an instant with a timezone (RFC 3339)"),
    ("Object contains unknown field", "is not a field of this request"),
)


_UNKNOWN_FIELD: Final = re.compile(r"unknown field `([^`]+)`(?: - at `\$\.?([^`]*)`)?")


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    found: list[FieldError] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        for needle, hint in _VALIDATION_HINTS:
            if needle in message:
                message = f"{hint} ({message})"
        source = item.get("source")
        key = str(item.get("key") or "body")
        unknown = _UNKNOWN_FIELD.search(message)
        if unknown is not None:
            key = ".".join(p for p in (unknown.group(2), unknown.group(1)) if p)
        found.append(FieldError(field=f"{source}.{key}" if source else key, message=message))
    return found


def _http_problem(exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(exc.detail)
        return problem_response(400, "invalid_request", detail, errors=errors, headers=headers)
    codes = {
        401: "unauthorised",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "body_too_large",
        429: "rate_limited",
    }
    code = codes.get(status, "http_error" if status < 500 else "internal_error")
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="tracker"')
    detail = exc.detail or _title(status)
    if status == 413:
        detail = "the request body is larger than this API accepts"
    return problem_response(status, code, detail, headers=headers)


def handle_exception(request: Request[object, object, State], exc: Exception) -> Response[Problem]:
    """Litestar's exception handler for every exception type."""
    if isinstance(exc, ApiProblem):
        return api_problem_response(exc)
    if isinstance(exc, TrackerError):
        return tracker_problem(exc)
    if isinstance(exc, HTTPException):
        return _http_problem(exc)
    if is_unavailable(exc):
        return unavailable_response(exc)
    if isinstance(exc, RecursionError):
        # The JSON decoder gives up on a body nested deeper than the interpreter's stack; no
        # body the API takes nests more than a few levels, so this is a malformed request.
        return problem_response(
            400,
            "invalid_json",
            "the request body is nested too deeply: no body of this API nests more than a few "
            "levels",
        )
    log.exception("unhandled error on %s %s", request.method, logged_path(request.url.path))
    return problem_response(500, "internal_error", "an internal error occurred; it has been logged")
