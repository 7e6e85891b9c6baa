"""The authorisation matrix: scope x RACI letter x action, checked in as a table.

``ok``: done (2xx). ``403``: the API refuses (scope or roster). ``409``: the API lets it through
and the domain refuses it as a rule (the caller is not named to sign, or not for this role).
Nothing is written on 403 or 409.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.api.builders import ADVISER, DEPUTY, LEAD, OBSERVER, OUTSIDER, SPONSOR
from tests.api.client import ADMIN, Api, person

ACTORS = ["admin", "reader", "A", "R", "C", "I", "deputy", "outsider"]

MATRIX = """
action              admin  reader  A    R    C    I    deputy  outsider
read                ok     ok      ok   ok   ok   ok   ok      403
roster              ok     403     ok   403  403  403  403     403
delegate_for_lead   ok     403     ok   ok   403  403  403     403
delegate_for_self   ok     403     ok   ok   ok   403  403     403
plan_deliverable    ok     403     ok   ok   403  403  403     403
submit              ok     403     ok   ok   403  403  403     403
replan              ok     403     ok   ok   403  403  403     403
defer               ok     403     ok   ok   403  403  403     403
baseline_milestone  ok     403     ok   ok   403  403  403     403
raise_risk          ok     403     ok   ok   403  403  403     403
define_outcome      ok     403     ok   ok   403  403  403     403
endorse             409    403     409  409  ok   403  409     403
approve             409    403     ok   409  403  403  ok      403
return              409    403     ok   409  409  403  ok      403
closure_submit      ok     403     ok   ok   403  403  403     403
closure_endorse     409    403     409  ok   ok   403  409     403
closure_approve     409    403     ok   403  403  403  ok      403
"""


def expected() -> dict[str, dict[str, str]]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert header == ACTORS
    return {row[0]: dict(zip(header, row[1:], strict=True)) for row in rows}


def outcome(answer: httpx.Response) -> str:
    if answer.status_code < 300:
        return "ok"
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    return str(answer.status_code)


async def _who(api: Api, actor: str) -> tuple[dict[str, str], str]:
    emails = {
        "A": SPONSOR,
        "R": LEAD,
        "C": ADVISER,
        "I": OBSERVER,
        "deputy": DEPUTY,
        "outsider": OUTSIDER,
        "reader": person("Dana Reader"),
    }
    if actor == "admin":
        return await api.admin(), ADMIN
    scope = "reader" if actor == "reader" else "member"
    return await api.as_(emails[actor], scope), emails[actor]


@pytest.mark.parametrize("actor", ACTORS)
async def test_each_actor_gets_exactly_the_checked_in_row(api: Api, actor: str) -> None:
    admin = await api.admin()
    key = f"matrix-{actor.lower()}"
    await api.post(
        "/api/v1/programmes", admin, {"key": key, "name": "Matrix", "start": "2020-01-06"}
    )
    for email, letter in {SPONSOR: "A", LEAD: "R", ADVISER: "C", OBSERVER: "I"}.items():
        body = {"name": email.split("@")[0], "title": "Role", "raci": letter}
        await api.put(f"/api/v1/programmes/{key}/roster/{email}", admin, body)
    deputy_for_sponsor = {
        "deputy": DEPUTY,
        "for": SPONSOR,
        "starts": "2020-01-06",
        "ends": "2099-12-31",
    }
    # Only people registered with the tracker (issued a token) can be made deputies.
    for someone in (DEPUTY, person("Cover One"), person("Cover Two")):
        await api.token(someone)
    await api.post(f"/api/v1/programmes/{key}/delegations", admin, deputy_for_sponsor)
    who, email = await _who(api, actor)
    p = f"/api/v1/programmes/{key}"

    async def deliverable(*, endorsers: list[str] | None = None, submitted: bool = True) -> str:
        body = {
            "title": "Item",
            "due": "2030-01-01",
            "approvers": [SPONSOR],
            "endorsers": endorsers or [],
        }
        made = await api.post(f"{p}/deliverables", admin, body)
        item: str = made.json()["id"]
        if submitted:
            await api.post(f"/api/v1/deliverables/{item}/submit", admin)
        return item

    async def closure_submitted() -> None:
        await api.post(f"{p}/closure/submit", admin)

    plan_body = {"title": "T", "due": "2030-01-01", "approvers": [SPONSOR]}
    risk = {"kind": "issue", "title": "T", "description": "D", "impact": 2, "owner": SPONSOR}
    actions: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "read": lambda: api.get(f"{p}/closure-report", who),
        "roster": lambda: api.put(
            f"{p}/roster/{person('New Member')}", who, {"name": "N", "title": "T", "raci": "I"}
        ),
        "delegate_for_lead": lambda: api.post(
            f"{p}/delegations",
            who,
            {
                "deputy": person("Cover One"),
                "for": LEAD,
                "starts": "2021-01-01",
                "ends": "2021-02-01",
            },
        ),
        "delegate_for_self": lambda: api.post(
            f"{p}/delegations",
            who,
            {
                "deputy": person("Cover Two"),
                "for": email,
                "starts": "2021-01-01",
                "ends": "2021-02-01",
            },
        ),
        "plan_deliverable": lambda: api.post(f"{p}/deliverables", who, plan_body),
        "baseline_milestone": lambda: api.post(
            f"{p}/milestones", who, {"title": "M", "baseline": "2030-01"}
        ),
        "raise_risk": lambda: api.post(f"{p}/risks", who, risk),
        "define_outcome": lambda: api.post(f"{p}/outcomes", who, {"number": 5, "title": "O"}),
    }
    results: dict[str, str] = {}
    for name, act in actions.items():
        results[name] = outcome(await act())
    d = await deliverable(submitted=False)
    results["submit"] = outcome(await api.post(f"/api/v1/deliverables/{d}/submit", who))
    d = await deliverable(submitted=False)
    results["replan"] = outcome(
        await api.post(
            f"/api/v1/deliverables/{d}/replan", who, {"due": "2030-02-01", "reason": "r"}
        )
    )
    d = await deliverable(submitted=False)
    results["defer"] = outcome(
        await api.post(
            f"/api/v1/deliverables/{d}/defer", who, {"reason": "r", "destination": "BAU"}
        )
    )
    d = await deliverable(endorsers=[ADVISER])
    results["endorse"] = outcome(await api.post(f"/api/v1/deliverables/{d}/endorse", who))
    d = await deliverable()
    results["approve"] = outcome(await api.post(f"/api/v1/deliverables/{d}/approve", who))
    d = await deliverable()
    results["return"] = outcome(
        await api.post(f"/api/v1/deliverables/{d}/return", who, {"comment": "no"})
    )
    results["closure_submit"] = outcome(await api.post(f"{p}/closure/submit", who))
    if results["closure_submit"] != "ok":
        await closure_submitted()
    results["closure_endorse"] = outcome(await api.post(f"{p}/closure/endorse", who))
    before = await api.event_count()
    approved = await api.post(f"{p}/closure/approve", who, {"override_reason": "matrix"})
    results["closure_approve"] = outcome(approved)
    if results["closure_approve"] != "ok":
        assert await api.event_count() == before

    assert results == {name: row[actor] for name, row in expected().items()}
