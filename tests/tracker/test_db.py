"""The SQLAlchemy engines the tracker makes: what an error says when it is logged."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.db import create_engine
from tracker.settings import Settings

PERSON = "glyn.peach@lancashire.example"


async def test_a_failed_statement_s_error_does_not_carry_its_parameters(
    database_url: str,
) -> None:
    """``api.errors`` logs a store error's text; a statement's parameters are people's names
    and addresses (a token's holder, an event's data), so they must not be in it."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as caught:
                await connection.execute(
                    text("SELECT * FROM no_such_table WHERE person = :person"), {"person": PERSON}
                )
    finally:
        await engine.dispose()
    assert "no_such_table" in str(caught.value)
    assert PERSON not in str(caught.value)
    assert "parameters hidden" in str(caught.value)
