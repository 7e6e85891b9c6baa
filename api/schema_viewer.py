"""The OpenAPI viewer at ``/schema`` (and ``/schema/swagger``): Swagger UI served from the
package, never from a CDN, under a strict Content-Security-Policy.

The viewer runs on the same origin as the cookie-authenticated pages, so a script fetched from
elsewhere could act as the person signed in (issue 14, finding 9). Here every script and
stylesheet is a file of this package (``api/schema_assets``, with its licence), named with an
``integrity`` hash computed from the file itself; the page has no inline script or style; and
the policy lets it load only this site's files and fetch only from this site.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
from functools import cache
from pathlib import Path
from typing import Any, Final

import msgspec
from litestar import Request, Response, Router, get
from litestar.datastructures import ResponseHeader
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath

ASSETS_DIR: Final = Path(__file__).parent / "schema_assets"
ASSETS_PATH: Final = "/assets"
"""Under the schema router: ``/schema/assets/<file>``."""

MEDIA_TYPES: Final = {
    "swagger-ui-bundle.js": "text/javascript",
    "viewer.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "LICENSE": "text/plain",
    "NOTICE": "text/plain",
    "swagger-ui-bundle.js.LICENSE.txt": "text/plain",
}
"""The files served, and nothing else."""

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS: Final = [
    ResponseHeader(name="Content-Security-Policy", value=CSP),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]
"""On every response under ``/schema``: the viewer, its files and the document."""

ASSET_CACHE: Final = "public, max-age=86400"


class Asset(msgspec.Struct, frozen=True, kw_only=True):
    body: bytes
    gzipped: bytes
    media_type: str
    integrity: str
    """``sha384-<base64>``, for the page's ``integrity`` attribute."""


@cache
def asset(name: str) -> Asset:
    """A file of the viewer, read and compressed once per process."""
    if name not in MEDIA_TYPES:
        raise NotFoundException(f"no viewer file {name!r}")
    body = (ASSETS_DIR / name).read_bytes()
    digest = base64.b64encode(hashlib.sha384(body).digest()).decode()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, 9, mtime=0),
        media_type=MEDIA_TYPES[name],
        integrity=f"sha384-{digest}",
    )


@get(f"{ASSETS_PATH}/{{name:str}}", sync_to_thread=False, include_in_schema=False)
def viewer_asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    found = asset(name)
    headers = {"Cache-Control": ASSET_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


class PackagedSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI from ``api/schema_assets``: only same-origin files, each with its hash."""

    def __init__(self, *, schema_path: str, path: str | list[str] = "/swagger") -> None:
        super().__init__(path=path, favicon="", style="")
        self.assets = schema_path + ASSETS_PATH

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        base = self.assets
        title = html.escape(str(openapi_schema["info"]["title"]))
        document = html.escape(self.get_openapi_json_route(request))

        def tag(name: str) -> str:
            found = asset(name)
            if name.endswith(".css"):
                return f'<link rel="stylesheet" href="{base}/{name}" integrity="{found.integrity}">'
            return f'<script src="{base}/{name}" integrity="{found.integrity}"></script>'

        return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: API description</title>
<link rel="icon" href="data:,">
{tag("swagger-ui.css")}
</head>
<body>
<div id="swagger-ui" data-url="{document}"></div>
{tag("swagger-ui-bundle.js")}
{tag("viewer.js")}
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        router.register(viewer_asset)


def schema_router(path: str) -> Router:
    """The router Litestar puts the viewer, the document and the files on, with the headers."""
    return Router(
        path,
        route_handlers=[],
        include_in_schema=False,
        response_headers=HEADERS,
    )
