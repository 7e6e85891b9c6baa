"""Examples for every operation in the OpenAPI document, drawn from the BTLS transition.

Request bodies get one example each (by component schema), and every parameter gets one, so
each endpoint shows a complete, valid call. They are added to the generated document once,
after the app is built; ``tests/api/test_openapi_examples.py`` checks none is missing and each
validates against its schema.
"""

from __future__ import annotations

from typing import Any, Final

from litestar.openapi.spec import Example, OpenAPI, Operation, Parameter, Reference, Schema

DELIVERABLE: Final = "2f0c6a1e-5b1d-5f2e-9a43-0c8f6d2b7e11"
MILESTONE: Final = "9b4e2c71-0d3a-5c8e-8f61-3a2d7c9e4b02"
RISK: Final = "c1d2e3f4-a5b6-5c7d-8e9f-0a1b2c3d4e5f"
GATE: Final = "4a7b1c2d-3e4f-5a6b-8c7d-9e0f1a2b3c4d"

BODIES: Final[dict[str, dict[str, Any]]] = {
    "ProgrammeIn": {
        "key": "btls-transition",
        "name": "LCC / BTLS Transition",
        "purpose": "Confirm the outcomes and products in scope have been delivered.",
        "scope": "Transition of the entire BTLS service back in house by 1 April 2021.",
        "governance": "LCC and Socitm Advisory; BTLS joined 6 months before 1 April.",
        "start": "2019-10-01",
        "planned_end": "2021-04-01",
    },
    "RosterIn": {"name": "Rob Cathey", "title": "Legal Counsel", "raci": "R"},
    "RosterRevokeIn": {"reason": "left the programme"},
    "DelegationIn": {
        "deputy": "glyn.peach@lancashire.example",
        "for": "mike.kirby@lancashire.example",
        "starts": "2020-01-01",
        "ends": "2021-04-20",
        "deputy_name": "Glyn Peach",
    },
    "WorkstreamIn": {"key": "cyp", "name": "Liquidlogic CYP project"},
    "OutcomeIn": {"number": 1, "title": "LCC have the management structure to run the service"},
    "DeliverableIn": {
        "title": "Catalogue Matrix of Services provided to Beneficiaries",
        "due": "2021-03-18",
        "approvers": [
            {"email": "gabby.nelson@lancashire.example", "name": "Gabby Nelson"},
            "paul.sutcliffe@lancashire.example",
        ],
        "endorsers": ["rob.cathey@lancashire.example"],
        "outcome": 4,
    },
    "SubmitIn": {"note": "final version attached to the programme site"},
    "SignIn": {"occurred_at": "2021-03-18T10:00:00Z"},
    "ReturnIn": {"comment": "Section 3 misses the schools' services."},
    "DeferIn": {"reason": "Handed to business as usual", "destination": "Post Transition"},
    "ReinstateIn": {"reason": "Back in scope after the review"},
    "ReasonIn": {"reason": "Supplier list changed after sign-off"},
    "ReplanIn": {"due": "2021-03-31", "reason": "Waiting for the novation schedule"},
    "MilestoneIn": {"title": "Project Go Live", "baseline": "2014-03", "workstream": "cyp"},
    "MilestoneDateIn": {"date": "2014-06", "reason": "Training cannot run alongside CYP"},
    "AchieveIn": {"date": "2014-03-31"},
    "RiskIn": {
        "kind": "risk",
        "title": "Contracts not novated in time",
        "description": "Supplier contracts may not novate before 1 April.",
        "impact": 4,
        "likelihood": 3,
        "owner": "glyn.peach@lancashire.example",
        "mitigation": "Weekly novation tracker with procurement",
    },
    "RiskUpdateIn": {"note": "12 of 15 contracts novated"},
    "RescoreIn": {"impact": 4, "likelihood": 2, "reason": "Most contracts novated"},
    "CloseRiskIn": {"note": "All contracts novated"},
    "LearningPointIn": {
        "description": "A face-to-face all-hands meeting broke the ice early.",
        "recommendation": "Hold kick-off meetings face to face.",
        "responsible": "Socitm Advisory / LCC",
    },
    "RecommendationIn": {
        "description": "Review after 3 months that everything is still on track.",
        "responsible": "Glyn Peach",
    },
    "NextStepIn": {
        "description": "Joint LCC / Socitm Advisory lessons learned session",
        "responsible": "Glyn Peach / Antony Draper",
    },
    "GateIn": {
        "title": "Ready for go-live",
        "order": 2,
        "deliverables": [DELIVERABLE],
        "milestones": [MILESTONE],
        "approvers": ["mike.kirby@lancashire.example"],
    },
    "ClosureSubmitIn": {"summary": "All ten outcomes complete; nine items Post Transition."},
    "ClosureApproveIn": {"override_reason": "Andrew Rogers on leave; endorsed by e-mail"},
    "WebhookIn": {
        "url": "https://lancashire.webhook.office.com/webhookb2/programme-board",
        "kinds": ["signoff", "rag"],
        "programmes": ["btls-transition"],
        "format": "teams",
    },
    "TokenIn": {
        "email": "rob.cathey@lancashire.example",
        "scope": "member",
        "name": "Rob Cathey",
        "expires_in_days": 90,
    },
}

PARAMETERS: Final[dict[str, Any]] = {
    "key": "btls-transition",
    "email": "mike.kirby@lancashire.example",
    "person": "mike.kirby@lancashire.example",
    "deliverable_id": DELIVERABLE,
    "milestone_id": MILESTONE,
    "item_id": RISK,
    "gate_id": GATE,
    "webhook_id": "3f6a2b1c-8d4e-4f5a-9b0c-1d2e3f4a5b6c",
    "state": "paused",
    "token_id": "7d3f9a2c-1b4e-4c6d-8e0f-2a3b4c5d6e7f",
    "as_of": "2021-04-20",
    "from": "2021-01-04",
    "to": "2021-04-30",
    "every": "week",
    "known_at": "2021-04-20T17:00:00Z",
    "min_position": 1250,
    "after": 0,
    "limit": 100,
    "format": "markdown",
    "reason": "left the programme",
    "Idempotency-Key": "b7e9c1d2-approve-dr-plan",
    "If-Match": '"3"',
    "Last-Event-ID": "1250",
    "idle_timeout": 30,
}


def _operations(document: OpenAPI) -> list[Operation]:
    found: list[Operation] = []
    for item in (document.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                found.append(operation)
    return found


def _body_schema_name(operation: Operation) -> str | None:
    body = operation.request_body
    if body is None or isinstance(body, Reference):
        return None
    for media in (body.content or {}).values():
        schema = media.schema
        if isinstance(schema, Reference):
            return schema.ref.rsplit("/", 1)[-1]
    return None


def add_examples(document: OpenAPI) -> None:
    """Attach the examples above to the generated document (idempotent)."""
    for operation in _operations(document):
        name = _body_schema_name(operation)
        body = operation.request_body
        if name in BODIES and body is not None and not isinstance(body, Reference):
            for media in (body.content or {}).values():
                media.examples = {"btls": Example(summary="BTLS transition", value=BODIES[name])}
        for parameter in operation.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name in PARAMETERS:
                parameter.examples = {
                    "btls": Example(summary="BTLS transition", value=PARAMETERS[parameter.name])
                }


def missing_examples(document: OpenAPI) -> list[str]:
    """Operations with neither a body example nor any parameter example."""
    missing: list[str] = []
    for path, item in (document.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if not isinstance(operation, Operation):
                continue
            body = operation.request_body
            has_body = (
                body is not None
                and not isinstance(body, Reference)
                and any(m.examples for m in (body.content or {}).values())
            )
            has_param = any(
                isinstance(p, Parameter) and p.examples for p in (operation.parameters or [])
            )
            if not (has_body or has_param):
                missing.append(f"{method.upper()} {path}")
    return missing


__all__ = ["BODIES", "PARAMETERS", "Schema", "add_examples", "missing_examples"]
