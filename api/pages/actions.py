"""The sign-off actions of the pages: endorse, approve, return and defer a deliverable, and
endorse or approve a closure report.

Each is the API's write, not a copy of it: the form is decoded into the API's own body Struct
(same limits), the command is the one the API's endpoint builds, and it runs through the API's
``Writer`` with the signed-in ``Principal``: the same scope check, rate limit, Idempotency-Key
and domain handler, which decides who may act (``tracker.permissions``). A refusal comes back
as the API's problem, whose words the page shows.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec

from api import targets
from api.errors import ApiProblem, Problem
from api.pages.reading import services
from api.pages.session import PageRequest
from api.schemas import ClosureApproveIn, DeferIn, ReturnIn, SignIn, WriteResult
from api.writes import Plan, Writer
from tracker import commands as c

Verb = Literal["endorse", "approve", "return", "defer"]
DONE: dict[str, str] = {
    "endorse": "Endorsed",
    "approve": "Approved",
    "return": "Returned",
    "defer": "Deferred",
}


class SignOffForm(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of a sign-off form (``_csrf_token`` is checked and dropped before this)."""

    kind: Literal["deliverable", "closure_report"] = "deliverable"
    item_id: str = ""
    programme_key: str = ""
    title: str = ""
    on_behalf_of: str = ""
    comment: str = ""
    reason: str = ""
    destination: str = ""
    override_reason: str = ""
    idempotency_key: str = ""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    text: str
    position: int | None = None


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
    if verb == "return":
        return msgspec.convert({**fields, "comment": form.comment}, ReturnIn)
    if verb == "defer":
        return msgspec.convert({"reason": form.reason, "destination": form.destination}, DeferIn)
    return msgspec.convert(fields, SignIn)


def _deliverable_command(verb: Verb, item: UUID, body: msgspec.Struct, actor: str) -> c.Command:
    match verb, body:
        case "endorse", SignIn():
            return c.EndorseDeliverable(
                deliverable_id=item, on_behalf_of=body.on_behalf_of, actor=actor
            )
        case "approve", SignIn():
            return c.ApproveDeliverable(
                deliverable_id=item, on_behalf_of=body.on_behalf_of, actor=actor
            )
        case "return", ReturnIn():
            return c.ReturnDeliverable(
                deliverable_id=item,
                comment=body.comment,
                on_behalf_of=body.on_behalf_of,
                actor=actor,
            )
        case "defer", DeferIn():
            return c.DeferDeliverable(
                deliverable_id=item, reason=body.reason, destination=body.destination, actor=actor
            )
    raise ApiProblem(400, "invalid_request", f"cannot {verb} a deliverable this way")


def _deliverable_plan(verb: Verb, item: UUID, body: msgspec.Struct) -> Plan:
    def build(actor: str, _: targets.Target) -> c.Command:
        return _deliverable_command(verb, item, body, actor)

    return Plan(ref=targets.deliverable(item), build=build)


def _closure_plan(verb: Verb, key: str, body: msgspec.Struct) -> Plan:
    match verb, body:
        case "approve", ClosureApproveIn():
            return Plan(
                ref=targets.programme(key),
                build=lambda actor, _: c.ApproveClosureReport(
                    programme_key=key,
                    on_behalf_of=body.on_behalf_of,
                    override_reason=body.override_reason,
                    actor=actor,
                ),
            )
        case "endorse", SignIn():
            return Plan(
                ref=targets.programme(key),
                build=lambda actor, _: c.EndorseClosureReport(
                    programme_key=key, on_behalf_of=body.on_behalf_of, actor=actor
                ),
            )
    raise ApiProblem(400, "invalid_request", f"cannot {verb} a closure report this way")


def _plan(verb: Verb, form: SignOffForm, body: msgspec.Struct) -> Plan:
    if form.kind == "closure_report":
        return _closure_plan(verb, form.programme_key, body)
    try:
        item = UUID(form.item_id)
    except ValueError as exc:
        raise ApiProblem(400, "invalid_request", f"{form.item_id!r} is not an item id") from exc
    return _deliverable_plan(verb, item, body)


def _what(form: SignOffForm) -> str:
    if form.kind == "closure_report":
        return f"the closure report of {form.programme_key}"
    return f"'{form.title}'" if form.title else "the deliverable"


async def run_sign_off(request: PageRequest, verb: Verb, form: SignOffForm) -> Outcome:
    """Run the action as the API would; the outcome in words for the next page."""
    try:
        body = _body(verb, form)
        plan = _plan(verb, form, body)
        writer = Writer(
            request,
            services(request),
            if_match=None,
            idempotency_key=_blank_to_none(form.idempotency_key),
        )
        response = await writer.run(body, plan)
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
