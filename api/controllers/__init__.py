"""The /api/v1 route handlers: every write from the operations table (``api.operations``),
and the reads by subject.

Where one path has several handlers (GET and POST /programmes), an explicit OPTIONS handler
answers with every method in ``Allow``: Litestar's automatic one, made when the first handler
of the path is registered, would list only that handler's methods.
"""

from collections import defaultdict

from litestar import Response, route
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler

from api import operations
from api.controllers import (
    calendar,
    feed,
    imports,
    items,
    my_calendar,
    people,
    programmes,
    reports,
    tokens,
    trend,
    webhooks,
)

HANDLERS: list[HTTPRouteHandler] = [
    *operations.ROUTES,
    *programmes.ROUTES,
    *items.ROUTES,
    *reports.ROUTES,
    *calendar.ROUTES,
    *feed.ROUTES,
    *tokens.ROUTES,
    *people.ROUTES,
    *trend.ROUTES,
    *my_calendar.ROUTES,
    *imports.ROUTES,
    *webhooks.ROUTES,
]


def _options(path: str, methods: set[str]) -> HTTPRouteHandler:
    allow = ", ".join(sorted({*methods, "OPTIONS"}))

    def options() -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": allow})

    return route(
        path, http_method=[HttpMethod.OPTIONS], include_in_schema=False, sync_to_thread=False
    )(options)


def _with_options(handlers: list[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    methods: dict[str, set[str]] = defaultdict(set)
    for handler in handlers:
        for path in handler.paths:
            methods[path] |= set(handler.http_methods)
    shared = [_options(path, found) for path, found in methods.items() if len(found) > 1]
    return [*shared, *handlers]


ROUTES = _with_options(HANDLERS)

__all__ = ["ROUTES"]
