"""OpenAPI 3.1 at /schema (Swagger UI from the package at /schema and /schema/swagger, see
``api.schema_viewer``; the JSON at /schema/openapi.json), with every documented refusal as
problem+json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
    SecurityScheme,
)

from api.errors import PROBLEM_JSON, Problem
from api.schema_viewer import PackagedSwaggerPlugin, schema_router

SCHEMA_PATH: Final = "/schema"
BEARER: Final = "bearer"
SECURITY: Final[list[dict[str, list[str]]]] = [{BEARER: []}]

DESCRIPTIONS: Final[dict[int, str]] = {
    400: "The request does not decode: wrong types, unknown fields, bad dates or parameters",
    401: "No token, or a token that is malformed, unknown or revoked",
    403: "The token's scope or the roster does not allow this",
    404: "No such programme or item",
    406: "None of the accepted media types can be produced",
    409: "A governance rule refused it (the code names the rule), or a concurrent change",
    412: "If-Match named a version the stream is no longer at: nothing was written",
    413: "The body is larger than allowed",
    422: "Values the domain cannot accept (per-field errors), or an Idempotency-Key reused "
    "with another body",
    429: "Rate limit for this token, or (event stream) the most streams it may hold open: "
    "retry after Retry-After seconds",
    503: "The database is unavailable or busy: retry after Retry-After seconds",
}

READ_PROBLEMS: Final = (400, 401, 403, 404, 503)
WRITE_PROBLEMS: Final = (400, 401, 403, 404, 409, 412, 413, 422, 429, 503)


def problems(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in codes
    }


def documented(
    status: int,
    model: object,
    description: str,
    *codes: int,
    media_type: str = "application/json",
) -> dict[int, ResponseSpec]:
    """The success response (``model`` may be a Struct or ``str``) and the problems."""
    responses = problems(*codes)
    responses[status] = ResponseSpec(
        data_container=model,
        media_type=media_type,
        description=description,
        generate_examples=False,
    )
    return responses


@dataclass
class ClosureReportOperation(Operation):
    """The closure report is also Markdown and CSV (by ``format`` or Accept)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            text = Schema(type=OpenAPIType.STRING)
            ok.content["text/markdown"] = OpenAPIMediaType(schema=text)
            ok.content["text/csv"] = OpenAPIMediaType(schema=text)


@dataclass
class EventStreamOperation(Operation):
    """Each server-sent event: ``id`` (the position), ``event`` (the type), ``data`` (JSON)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            text = Schema(type=OpenAPIType.STRING)
            event = Schema(
                type=OpenAPIType.OBJECT,
                required=["data"],
                properties={
                    "data": text,
                    "event": text,
                    "id": text,
                    "retry": Schema(type=OpenAPIType.INTEGER),
                },
            )
            ok.content = {"text/event-stream": OpenAPIMediaType(schema=event)}


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Programme and transition tracker",
        version="1.0.0",
        description=(
            "Programmes, sign-offs, milestones, RAID logs and closure reports for UK councils, "
            "on an event-sourced store. Every request under /api/v1 needs "
            "`Authorization: Bearer <token>` (`tracker token issue`). See docs/api.md."
        ),
        path=SCHEMA_PATH,
        render_plugins=[PackagedSwaggerPlugin(schema_path=SCHEMA_PATH, path="/swagger")],
        openapi_router=schema_router(SCHEMA_PATH),
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="a token from `tracker token issue` or POST /api/v1/tokens",
                )
            }
        ),
    )
