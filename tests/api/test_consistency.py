"""A read shows every write answered before it, whichever process wrote it: two real ``tracker
serve`` processes and a ``tracker projector`` on one database (SQLite and PostgreSQL), a write
through one process read at once through the other, hundreds of times, with no parameter. And
access is decided on the roster as it stands now: additions and removals take effect on the
very next request, whatever ``as_of`` or ``known_at`` asks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.processes import processes, run_tracker, tracker_env

pytestmark = [pytest.mark.db, pytest.mark.slow]

ROUNDS = 40
"""Rounds of plan, submit, approve, re-forecast: each write read back at once from the other
process, four reads a round plus the roster rounds: hundreds of reads per database."""
ADMIN = "ops@lancashire.gov.uk"
SPONSOR = "mike.kirby@lancashire.gov.uk"
LEAD = "rob.cathey@lancashire.gov.uk"
VISITOR = "sarah.oldendorp@lancashire.gov.uk"


def bearer(env: dict[str, str], email: str, scope: str) -> dict[str, str]:
    out = run_tracker(env, "token", "issue", "--email", email, "--scope", scope)
    return {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}


class Servers:
    """Two API processes: writes alternate between them, each read goes to the other one."""

    def __init__(self, client: httpx.AsyncClient, bases: list[str]) -> None:
        self.client = client
        self.bases = bases
        self.turn = 0

    def pair(self) -> tuple[str, str]:
        self.turn += 1
        first, second = self.bases[self.turn % 2], self.bases[(self.turn + 1) % 2]
        return first, second

    async def write(
        self, base: str, method: str, path: str, who: dict[str, str], body: Any = None
    ) -> dict[str, Any]:
        answer = await self.client.request(
            method, f"{base}/api/v1{path}", headers=who, json={} if body is None else body
        )
        assert answer.status_code in (200, 201), answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def read(
        self, base: str, path: str, who: dict[str, str], **params: str
    ) -> httpx.Response:
        return await self.client.get(f"{base}/api/v1{path}", headers=who, params=params)


async def given(servers: Servers, admin: dict[str, str], key: str) -> None:
    base = servers.bases[0]
    await servers.write(
        base,
        "POST",
        "/programmes",
        admin,
        {"key": key, "name": "Consistency", "start": "2020-01-06", "planned_end": "2027-06-30"},
    )
    for email, letter in ((SPONSOR, "A"), (LEAD, "R")):
        member = {"name": email.split("@")[0].title(), "title": f"{letter} role", "raci": letter}
        await servers.write(base, "PUT", f"/programmes/{key}/roster/{email}", admin, member)


async def test_a_write_through_one_process_is_read_at_once_through_the_other(
    database_url: str, tmp_path: Path
) -> None:
    env = tracker_env(database_url)
    with processes(tmp_path) as group:
        group.start("projector", ["projector"], env)
        _, first = group.serve("api-a", env)
        _, second = group.serve("api-b", env)
        admin, lead = bearer(env, ADMIN, "admin"), bearer(env, LEAD, "member")
        sponsor = bearer(env, SPONSOR, "member")
        async with httpx.AsyncClient(timeout=30) as client:
            servers = Servers(client, [first, second])
            key = "consistency"
            await given(servers, admin, key)
            milestone = (
                await servers.write(
                    first, "POST", f"/programmes/{key}/milestones", lead,
                    {"title": "Go live", "baseline": "2027-03-31"},
                )
            )["id"]  # fmt: skip
            stale: list[str] = []
            reads = 0

            def check(ok: bool, what: str) -> None:
                nonlocal reads
                reads += 1
                if not ok:
                    stale.append(what)

            for n in range(ROUNDS):
                writer, reader = servers.pair()
                planned = await servers.write(
                    writer,
                    "POST",
                    f"/programmes/{key}/deliverables",
                    lead,
                    {"title": f"Deliverable {n}", "due": "2027-01-29", "approvers": [SPONSOR]},
                )
                item = planned["id"]
                status = (await servers.read(reader, f"/programmes/{key}/signoffs", lead)).json()
                states = {d["id"]: d["state"] for d in status["deliverables"]}
                check(states.get(item) == "planned", f"round {n}: planned, read {states.get(item)}")
                check(status["position"] >= planned["position"], f"round {n}: position")

                writer, reader = servers.pair()
                await servers.write(writer, "POST", f"/deliverables/{item}/submit", lead)
                detail = await servers.read(reader, f"/deliverables/{item}", sponsor)
                check(
                    detail.json()["item"]["state"] == "submitted",
                    f"round {n}: submitted, read {detail.json()['item']['state']}",
                )

                writer, reader = servers.pair()
                approved = await servers.write(
                    writer, "POST", f"/deliverables/{item}/approve", sponsor
                )
                report = await servers.read(reader, f"/programmes/{key}/closure-report", sponsor)
                rows = {d["id"]: d["status"] for d in report.json()["deliverables"]}
                check(rows.get(item) == "Signed Off", f"round {n}: approved, read {rows.get(item)}")
                check(
                    int(report.headers["tracker-position"]) >= approved["position"],
                    f"round {n}: report position",
                )

                writer, reader = servers.pair()
                month = f"2027-{(n % 12) + 1:02d}-15"
                await servers.write(
                    writer,
                    "POST",
                    f"/milestones/{milestone}/forecast",
                    lead,
                    {"date": month, "reason": f"round {n}"},
                )
                board = (await servers.read(reader, f"/programmes/{key}/milestones", lead)).json()
                forecast = board["milestones"][0]["forecast"]["date"]
                check(forecast == month, f"round {n}: forecast {month}, read {forecast}")
            assert stale == [], stale
            assert reads >= 6 * ROUNDS


async def test_roster_changes_decide_access_on_the_very_next_request_whatever_the_question(
    database_url: str, tmp_path: Path
) -> None:
    env = tracker_env(database_url)
    with processes(tmp_path) as group:
        group.start("projector", ["projector"], env)
        _, first = group.serve("api-a", env)
        _, second = group.serve("api-b", env)
        admin, visitor = bearer(env, ADMIN, "admin"), bearer(env, VISITOR, "member")
        async with httpx.AsyncClient(timeout=30) as client:
            servers = Servers(client, [first, second])
            key = "roster-now"
            before_it_existed = datetime(2019, 1, 1, tzinfo=UTC).isoformat()
            await given(servers, admin, key)
            questions: list[dict[str, str]] = [
                {},
                {"as_of": "2020-01-01"},
                {"known_at": datetime.now(UTC).isoformat()},
            ]
            for n in range(15):
                writer, reader = servers.pair()
                member = {"name": "Sarah Oldendorp", "title": "Observer", "raci": "I"}
                await servers.write(
                    writer, "PUT", f"/programmes/{key}/roster/{VISITOR}", admin, member
                )
                for question in questions:
                    answer = await servers.read(
                        reader, f"/programmes/{key}/closure-report", visitor, **question
                    )
                    assert answer.status_code == 200, (n, "added", question, answer.text)
                listed = await servers.read(reader, "/portfolio", visitor)
                assert [p["key"] for p in listed.json()["programmes"]] == [key]

                writer, reader = servers.pair()
                await servers.write(writer, "DELETE", f"/programmes/{key}/roster/{VISITOR}", admin)
                for question in [*questions, {"known_at": before_it_existed}]:
                    answer = await servers.read(
                        reader, f"/programmes/{key}/closure-report", visitor, **question
                    )
                    assert answer.status_code == 403, (n, "removed", question, answer.text)
                for question in questions:
                    listed = await servers.read(reader, "/portfolio", visitor, **question)
                    assert listed.json()["programmes"] == [], (n, question, listed.text)
                    programmes = await servers.read(reader, "/programmes", visitor)
                    assert programmes.json()["items"] == []
