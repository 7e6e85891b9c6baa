"""Rendering a page: the template, the signed-in person, the one-off messages, the headers.

Every page is sent with ``Cache-Control: no-store`` (it shows what one person may see) and a
Content-Security-Policy that allows only this site's own stylesheet, script and images.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Request
from litestar.response import Template

from api.auth import Principal
from api.pages.session import take_flashes

CSP: Final = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def signed_in(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    return Template(
        template_name=template,
        context={
            "title": title,
            "user": signed_in(request),
            "flashes": take_flashes(request),
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
        headers=HEADERS,
    )
