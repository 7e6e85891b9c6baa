"""What a page shows when something is refused or fails: an HTML page with the reason (the same
words the API would give), never problem+json; no sign-in sends the browser to the sign-in page.

| error | page |
|---|---|
| not signed in, sign-in expired, token revoked (401) | 303 to ``/sign-in?next=<this page>`` |
| a form without a valid CSRF token (403) | 403, "this form could not be accepted" |
| roster or scope does not allow it (``Forbidden``, ``tracker.permissions``) | 403, the reason |
| a bad ``as_of`` (400), rate limit (429, with ``Retry-After``) | that status with the reason |
| ``NotFound`` | 404; other domain refusals 409 |
| database unavailable | 503 |
| anything else | 500, logged, with no internals |
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect

from api.errors import ApiProblem, is_unavailable
from api.observability import logged_path
from api.pages.render import page
from tracker.errors import Forbidden, InvalidInput, NotFound, RuleBroken, TrackerError

log = logging.getLogger(__name__)


def safe_next(target: str | None) -> str:
    """Only a path of this site: never another host (``//evil.example``) or a scheme."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _back_here(request: Request[Any, Any, Any]) -> str:
    path = request.url.path
    query = request.url.query
    return path + (f"?{query}" if query else "")


def _error(
    request: Request[Any, Any, Any], status: int, heading: str, detail: str
) -> Response[Any]:
    return page(
        request, "error.html", title=heading, status_code=status, heading=heading, detail=detail
    )


def page_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException):
        target = safe_next(_back_here(request)) if request.method == "GET" else "/"
        query = urlencode({"next": target}) if target != "/" else ""
        return Redirect(f"/sign-in?{query}" if query else "/sign-in", status_code=303)
    if isinstance(exc, PermissionDeniedException):
        return _error(
            request,
            403,
            "This form could not be accepted",
            "The form was not sent with this site's security token (CSRF), or the token has "
            "expired. Go back, reload the page and try again.",
        )
    if isinstance(exc, ApiProblem):
        heading = {403: "Not allowed", 400: "Not understood", 429: "Too many requests"}
        refused = _error(request, exc.status, heading.get(exc.status, "Refused"), exc.detail)
        if "Retry-After" in exc.headers:  # a rate limit says when to come back
            refused.headers["Retry-After"] = exc.headers["Retry-After"]
        return refused
    if isinstance(exc, Forbidden):
        return _error(request, 403, "Not allowed", str(exc))
    if isinstance(exc, NotFound):
        return _error(request, 404, "Not found", str(exc))
    if isinstance(exc, RuleBroken):
        return _error(request, 409, "Refused", str(exc))
    if is_unavailable(exc):
        log.warning("store unavailable: %s", exc)
        return _error(
            request, 503, "Unavailable", "The database is unavailable or busy: try again shortly."
        )
    if isinstance(exc, InvalidInput | TrackerError):
        return _error(request, 400, "Not understood", str(exc))
    if isinstance(exc, HTTPException):
        return _error(request, exc.status_code, "Error", str(exc.detail))
    log.exception("unhandled error on page %s %s", request.method, logged_path(request.url.path))
    return _error(request, 500, "Something went wrong", "The error has been logged.")
