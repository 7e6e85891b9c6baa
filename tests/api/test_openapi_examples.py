"""The OpenAPI document shows an example for every endpoint, and every example is valid."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.openapi_examples import BODIES, missing_examples
from api.schemas import bodies
from tracker.settings import Settings


def test_every_operation_has_an_example(tmp_path: Path) -> None:
    app = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}"), run_projector=False
    )
    assert missing_examples(app.openapi_schema) == []


@pytest.mark.parametrize("name", sorted(BODIES))
def test_each_body_example_decodes_as_its_request_schema(name: str) -> None:
    model = getattr(bodies, name)
    decoded = msgspec.convert(BODIES[name], type=model)
    assert isinstance(decoded, model)


async def test_the_served_document_carries_the_examples(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url), run_projector=False)
    async with AsyncTestClient(app) as client:
        document = (await client.get("/schema/openapi.json")).json()
    approve = document["paths"]["/api/v1/deliverables/{deliverable_id}/approve"]["post"]
    body = approve["requestBody"]["content"]["application/json"]
    assert body["examples"]["btls"]["value"] == BODIES["SignIn"]
