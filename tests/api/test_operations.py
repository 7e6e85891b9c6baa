"""The operations table: one row per write, from which the routes and the pages' actions are
made, and an OpenAPI document a generated client reads well (``deliverables.approve``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from api.app import create_app
from api.operations import BY_ID, OPERATIONS
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
