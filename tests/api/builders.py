"""Readable givens for API tests: a programme with its roster, deliverables, milestones."""

from __future__ import annotations

from collections.abc import Sequence

from tests.api.client import Api, person

SPONSOR = person("Mike Kirby")
"""A: the sponsor, approves the closure report."""
LEAD = person("Rob Cathey")
"""R: the transition lead officer."""
ADVISER = person("Gabby Nelson")
"""C: consulted."""
OBSERVER = person("Sarah Oldendorp")
"""I: informed."""
DEPUTY = person("Glyn Peach")
"""On no roster; deputises for the sponsor when appointed."""
OUTSIDER = person("Paul Sutcliffe")
"""A member of another programme."""

BTLS_ROSTER = {SPONSOR: "A", LEAD: "R", ADVISER: "C", OBSERVER: "I"}


def name_of(email: str) -> str:
    return email.split("@")[0].replace(".", " ").title()


async def given_programme(
    api: Api,
    key: str = "btls-transition",
    roster: dict[str, str] | None = None,
    *,
    since: str | None = None,
    reason: str | None = None,
) -> str:
    """The programme and its roster; ``since`` dates the roster (an admin entering it back,
    with ``reason`` when that is further back than the back-dating rule allows)."""
    admin = await api.admin()
    dated: dict[str, str] = {}
    if since is not None:
        dated["occurred_at"] = since
    if reason is not None:
        dated["backdating_reason"] = reason
    body = {
        "key": key,
        "name": f"{key} programme",
        "start": "2020-01-06",
        "planned_end": "2021-06-30",
    }
    answer = await api.post("/api/v1/programmes", admin, body)
    assert answer.status_code == 201, answer.text
    for email, letter in (BTLS_ROSTER if roster is None else roster).items():
        member = {"name": name_of(email), "title": f"{letter} role", "raci": letter, **dated}
        answer = await api.put(f"/api/v1/programmes/{key}/roster/{email}", admin, member)
        assert answer.status_code == 201, answer.text
    return key


async def given_deliverable(
    api: Api,
    key: str,
    *,
    approvers: Sequence[str] = (SPONSOR,),
    endorsers: Sequence[str] = (),
    submitted: bool = False,
    title: str = "DR plan",
    due: str = "2021-03-01",
    planned: str | None = None,
) -> str:
    """Planned by the lead (dated ``planned`` when given), and submitted now if asked."""
    lead = await api.as_(LEAD)
    body: dict[str, object] = {
        "title": title,
        "due": due,
        "approvers": list(approvers),
        "endorsers": list(endorsers),
    }
    if planned is not None:
        body["occurred_at"] = planned
    answer = await api.post(f"/api/v1/programmes/{key}/deliverables", lead, body)
    assert answer.status_code == 201, answer.text
    deliverable: str = answer.json()["id"]
    if submitted:
        answer = await api.post(f"/api/v1/deliverables/{deliverable}/submit", lead)
        assert answer.status_code == 200, answer.text
    return deliverable


async def given_milestone(
    api: Api, key: str, baseline: str = "2021-03", title: str = "Go live"
) -> str:
    lead = await api.as_(LEAD)
    body = {"title": title, "baseline": baseline}
    answer = await api.post(f"/api/v1/programmes/{key}/milestones", lead, body)
    assert answer.status_code == 201, answer.text
    milestone: str = answer.json()["id"]
    return milestone
