"""Shared pieces of the controllers: path parameters and turning body values into the domain's
values, blaming the body field when the domain refuses one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Final, TypeVar

from litestar.params import PathParameter

from api.errors import ApiProblem, FieldError, field_problem
from api.schemas import Person, PersonIn
from api.schemas.bodies import SLUG
from tracker.errors import InvalidInput
from tracker.events.values import DateValue, PersonRef
from tracker.ids import EMAIL_PATTERN, person_id
from tracker.raci import parse_raci

T = TypeVar("T")

ProgrammeKey = Annotated[
    str, PathParameter(description="the programme's key (a slug)", pattern=SLUG, max_length=64)
]
EmailPath = Annotated[
    str,
    PathParameter(description="a person's e-mail address", pattern=EMAIL_PATTERN, max_length=254),
]
"""The pattern is the one ``person_id`` applies, so what the schema allows the API takes, and
anything else is a 400 like every parameter that does not decode."""

MONTH_LENGTH: Final = 7


def checked(field: str, parse: Callable[[str], T], value: str) -> T:
    try:
        return parse(value)
    except InvalidInput as exc:
        raise field_problem(field, exc) from exc


def email(field: str, value: str) -> str:
    return checked(field, person_id, value)


def email_parameter(field: str, value: str) -> str:
    """An e-mail in the path or query: one that does not decode is a 400, as documented for
    every parameter (a 422 is for values in a body the domain refuses)."""
    try:
        return person_id(value)
    except InvalidInput as exc:
        raise ApiProblem(
            400,
            "invalid_parameter",
            f"{field}: {exc.message}",
            errors=[FieldError(field=field, message=exc.message)],
        ) from exc


def raci(value: str) -> str:
    return checked("raci", parse_raci, value)


def person(field: str, value: Person) -> PersonRef:
    if isinstance(value, PersonIn):
        return PersonRef(email=email(f"{field}.email", value.email), name=value.name.strip())
    return PersonRef(email=email(field, value))


def people(field: str, values: Sequence[Person]) -> tuple[PersonRef, ...]:
    return tuple(person(f"{field}[{i}]", v) for i, v in enumerate(values))


def milestone_date(field: str, raw: str) -> DateValue:
    """``YYYY-MM-DD`` (to the day) or ``YYYY-MM`` (to the month: the first, precision month)."""
    try:
        if len(raw) == MONTH_LENGTH:
            return DateValue(date=dt.date.fromisoformat(raw + "-01"), precision="month")
        return DateValue(date=dt.date.fromisoformat(raw))
    except ValueError as exc:
        message = f"{raw!r} is not a calendar date (YYYY-MM-DD, or YYYY-MM for a month)"
        raise ApiProblem(
            400,
            "invalid_request",
            f"{field}: {message}",
            errors=[FieldError(field=field, message=message)],
        ) from exc
