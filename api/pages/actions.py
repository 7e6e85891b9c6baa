"""The sign-off actions of the pages: endorse, approve, return and defer a deliverable,
endorse or approve a closure report, and approve a phase gate.

Each is the API's write, not a copy of it: the form is decoded into the API's own body Struct
(same limits) and runs as the API's operation (``api.operations``: ``deliverables.endorse``,
``closure.approve`` ...) through the API's ``Writer`` with the signed-in ``Principal``: the
same scope check, rate limit, Idempotency-Key and domain handler, which decides who may act
(``tracker.permissions``). A refusal comes back as the API's problem, whose words the page
shows.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal
from uuid import UUID

import msgspec

from api.errors import ApiProblem, Problem
from api.operations import BY_ID, Operation, perform
from api.pages.reading import services
from api.pages.session import PageRequest
from api.schemas import ClosureApproveIn, DeferIn, ReturnIn, SignIn, WriteResult
from api.writes import Writer

Verb = Literal["endorse", "approve", "return", "defer"]
DONE: dict[str, str] = {
    "endorse": "Endorsed",
    "approve": "Approved",
    "return": "Returned",
    "defer": "Deferred",
}


class SignOffForm(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of a sign-off form (``_csrf_token`` is checked and dropped before this)."""

    kind: Literal["deliverable", "closure_report", "gate"] = "deliverable"
    item_id: str = ""
    programme_key: str = ""
    title: str = ""
    on_behalf_of: str = ""
    comment: str = ""
    reason: str = ""
    destination: str = ""
    override_reason: str = ""
    idempotency_key: str = ""
    back: str = ""
    """The page to return to: a programme's page (``/programmes/<key>``), else My sign-offs."""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    text: str
    position: int | None = None


_PROGRAMME_PAGE: Final = re.compile(r"/programmes/[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def back_to(form: SignOffForm, default: str) -> str:
    """Where to go after the action: the form's ``back`` when it is a programme's page (never
    another site: an open redirect), else ``default``."""
    return form.back if _PROGRAMME_PAGE.fullmatch(form.back) else default


def _blank_to_none(value: str) -> str | None:
    stripped = value.strip()
    return stripped or None


def _body(verb: Verb, form: SignOffForm) -> msgspec.Struct:
    fields: dict[str, Any] = {"on_behalf_of": _blank_to_none(form.on_behalf_of)}
    if form.kind == "closure_report":
        if verb == "approve":
            return msgspec.convert(
                {**fields, "override_reason": _blank_to_none(form.override_reason)},
                ClosureApproveIn,
            )
        if verb == "endorse":
            return msgspec.convert(fields, SignIn)
        raise ApiProblem(400, "invalid_request", f"a closure report cannot be {DONE[verb].lower()}")
    if form.kind == "gate":
        if verb == "approve":
            return msgspec.convert(fields, SignIn)
        raise ApiProblem(400, "invalid_request", f"a gate cannot be {DONE[verb].lower()}")
    if verb == "return":
        return msgspec.convert({**fields, "comment": form.comment}, ReturnIn)
    if verb == "defer":
        return msgspec.convert({"reason": form.reason, "destination": form.destination}, DeferIn)
    return msgspec.convert(fields, SignIn)


def _operation(verb: Verb, form: SignOffForm) -> tuple[Operation, dict[str, Any]]:
    """The API's operation for the form, and its path's values."""
    if form.kind == "closure_report":
        return BY_ID[f"closure.{verb}"], {"key": form.programme_key}
    try:
        item = UUID(form.item_id)
    except ValueError as exc:
        raise ApiProblem(400, "invalid_request", f"{form.item_id!r} is not an item id") from exc
    if form.kind == "gate":
        return BY_ID["gates.approve"], {"gate_id": item}
    return BY_ID[f"deliverables.{verb}"], {"deliverable_id": item}


def _what(form: SignOffForm) -> str:
    if form.kind == "closure_report":
        return f"the closure report of {form.programme_key}"
    if form.kind == "gate":
        return f"gate '{form.title}'" if form.title else "the gate"
    return f"'{form.title}'" if form.title else "the deliverable"


async def run_sign_off(request: PageRequest, verb: Verb, form: SignOffForm) -> Outcome:
    """Run the action as the API would; the outcome in words for the next page."""
    try:
        body = _body(verb, form)
        operation, values = _operation(verb, form)
        writer = Writer(
            request,
            services(request),
            if_match=None,
            idempotency_key=_blank_to_none(form.idempotency_key),
        )
        response = await perform(operation, writer, values, body)
    except msgspec.ValidationError as exc:
        return Outcome(ok=False, text=f"Not done: {exc}")
    except ApiProblem as exc:
        return Outcome(ok=False, text=f"Not done: {exc.detail}")
    content = response.content if isinstance(response.content, bytes) else b""
    if (response.status_code or 500) >= 300:
        problem = msgspec.json.decode(content, type=Problem)
        return Outcome(ok=False, text=f"Not done: {problem.detail}")
    result = msgspec.json.decode(content, type=WriteResult)
    if not result.written:
        return Outcome(
            ok=True,
            text=f"Nothing to do: {_what(form)} was already {DONE[verb].lower()}.",
            position=result.position,
        )
    return Outcome(ok=True, text=f"{DONE[verb]} {_what(form)}.", position=result.position)
