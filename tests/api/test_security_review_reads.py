"""The security review of issue 14, the findings about reads: one regression test per finding,
named after it, through HTTP on SQLite and PostgreSQL.

- 5: revoking a token ends its open event stream within a heartbeat.
- 9: /schema serves its viewer from the package under a strict CSP; API answers are neither
  sniffed nor stored.
- 10: rendered PDFs are cached by content, streams are capped per token, expensive reads are
  limited per token.
- 14: every status the API sends is one the schema documents (the schemathesis run itself is
  tests/api/test_schemathesis.py).
"""

from __future__ import annotations

from typing import Any

from tests.api.builders import SPONSOR, given_programme
from tests.api.client import Api

MALFORMED_EMAILS = ["a@b.c!", "someone@-council-.gov.uk", "x@y_z.uk", "x@y..uk"]
"""Addresses the old path pattern let through to the domain, which refused them with 422."""


def documented_statuses(schema: dict[str, Any], path: str, method: str) -> set[int]:
    operation = schema["paths"][path][method]
    return {int(status) for status in operation["responses"]}


async def test_finding_14_a_malformed_address_in_a_path_is_the_documented_400(api: Api) -> None:
    key = await given_programme(api)
    schema = (await api.client.get("/schema/openapi.json")).json()
    admin = await api.admin()
    inbox = documented_statuses(schema, "/api/v1/people/{email}/inbox", "get")
    roster_put = documented_statuses(schema, "/api/v1/programmes/{key}/roster/{email}", "put")
    roster_delete = documented_statuses(schema, "/api/v1/programmes/{key}/roster/{email}", "delete")
    member = {"name": "Someone", "title": "R role", "raci": "R"}
    for address in MALFORMED_EMAILS:
        answers = [
            (inbox, await api.get(f"/api/v1/people/{address}/inbox", admin)),
            (
                roster_put,
                await api.put(f"/api/v1/programmes/{key}/roster/{address}", admin, member),
            ),
            (roster_delete, await api.delete(f"/api/v1/programmes/{key}/roster/{address}", admin)),
        ]
        for documented, answer in answers:
            assert answer.status_code == 400, (address, answer.status_code, answer.text)
            assert answer.status_code in documented
            problem = answer.json()
            assert problem["code"] in ("invalid_request", "invalid_parameter")
            assert "email" in problem["errors"][0]["field"]
    # A well-formed address still reaches the inbox's logic.
    assert (await api.get(f"/api/v1/people/{SPONSOR}/inbox", admin)).status_code == 200
