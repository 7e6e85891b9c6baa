"""The operations table: one row per write, from which the routes and the pages' actions are
made, and an OpenAPI document a generated client reads well (``deliverables.approve``)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.app import create_app
from api.openapi_examples import BODIES, PARAMETERS
from api.operations import BY_ID, OPERATIONS, Call, Operation
from api.schemas import SignIn
from api.targets import Target
from tracker import commands as c
from tracker.permissions import ACTIONS
from tracker.programmes import ProgrammeState
from tracker.settings import Settings

OPERATION_ID = re.compile(r"^[a-z]+\.[a-z_]+$")


def document(tmp_path: Path) -> dict[str, Any]:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/t.db"))
    found: dict[str, Any] = app.openapi_schema.to_schema()
    return found


def test_every_row_has_its_own_id_named_resource_dot_action() -> None:
    ids = [op.id for op in OPERATIONS]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    assert [i for i in ids if not OPERATION_ID.match(i)] == []


def test_every_operation_of_the_document_has_an_id_and_its_resource_as_its_one_tag(
    tmp_path: Path,
) -> None:
    operations = [
        (method, path, op)
        for path, item in document(tmp_path)["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]
    assert len(operations) >= len(OPERATIONS)
    for method, path, op in operations:
        name = op.get("operationId", "")
        assert OPERATION_ID.match(name), f"{method} {path}: {name!r}"
        assert op.get("tags") == [name.split(".")[0]], f"{method} {path}: {op.get('tags')}"


def test_each_row_is_routed_once_with_its_method_and_path(tmp_path: Path) -> None:
    paths = document(tmp_path)["paths"]
    for op in OPERATIONS:
        path = "/api/v1" + re.sub(r"{(\w+):\w+}", r"{\1}", op.path)
        assert paths[path][op.method.lower()]["operationId"] == op.id


def _values(op: Operation, body: Any) -> dict[str, Any]:
    """The path's values of the documented example, and what ``prepare`` adds (the deputy's
    check asks the store: its answer is given here)."""
    values: dict[str, Any] = {name: PARAMETERS[name] for name in op.path_names}
    for name in ("deliverable_id", "milestone_id", "item_id"):
        if name in values:
            values[name] = uuid.UUID(values[name])
    if op.id == "delegations.appoint":
        return values | {"for": body.for_, "deputy": body.deputy, "known": "Glyn Peach"}
    return values


def _holds(field: Any, value: Any) -> bool:
    """The command's field carries the example's value: as it is, within a text (a RAID
    item's description), or as a dated value's day or month (``2014-03``)."""
    if isinstance(field, dict):
        return any(_holds(v, value) for v in field.values())
    if isinstance(field, str) and isinstance(value, str):
        return value in field
    return bool(field == value)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
async def test_each_row_makes_its_command_from_the_example_the_document_shows(
    op: Operation,
) -> None:
    body = msgspec.convert(BODIES[op.body.__name__], op.body)
    new_id = uuid.uuid4()
    call = Call(
        actor="rob.cathey@lancashire.example",
        values=_values(op, body),
        body=body,
        target=Target(stream_id="s", programme=ProgrammeState(key="btls-transition")),
        new_id=new_id,
    )
    command = op.make(call)
    assert ACTIONS[type(command)] == ACTIONS[op.gives]
    assert command.actor == "rob.cathey@lancashire.example"
    assert command.occurred_at == getattr(body, "occurred_at", None)
    if op.new_id is not None:
        assert getattr(command, op.new_id) == new_id
    # Nothing of the example is lost on the way: every value it gives reaches the command.
    given = msgspec.to_builtins(command)
    for name, value in BODIES[op.body.__name__].items():
        if name in ("occurred_at", "approvers", "endorsers", "title", "owner", "raci"):
            continue  # reshaped: a time, people (checked addresses), a RAID title, a letter
        assert any(_holds(v, value) for v in given.values()), f"{op.id}: {name}={value!r}"


def test_a_field_the_row_cannot_fill_is_refused_when_the_table_is_read() -> None:
    with pytest.raises(TypeError, match=r"deliverables\.replan: nothing gives .*due_on"):
        Operation(
            id="deliverables.replan",
            method="POST",
            path="/deliverables/{deliverable_id:uuid}/replan",
            what="Re-plan",
            body=SignIn,
            gives=c.ReplanDeliverable,
        )
