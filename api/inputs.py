"""Shared pieces of the controllers: path parameters and turning body values into the domain's
values, blaming the body field when the domain refuses one."""

from __future__ import annotations

import datetime as dt
import re
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
YEAR_LENGTH: Final = 4
QUARTER: Final = re.compile(r"(\d{4})-Q([1-4])")


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


def milestone_date(field: str, raw: str, *, assumed: bool = False) -> DateValue:
    """``YYYY-MM-DD`` (to the day), ``YYYY-MM`` (to the month: its first day, precision month),
    ``YYYY-Qn`` (to the calendar quarter, n 1 to 4: its first day, precision quarter) or
    ``YYYY`` (to the year: 1 January, precision year)."""
    try:
        quarter = QUARTER.fullmatch(raw)
        if quarter:
            first = dt.date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
            return DateValue(date=first, precision="quarter", assumed=assumed)
        if len(raw) == YEAR_LENGTH and raw.isdigit():
            return DateValue(date=dt.date(int(raw), 1, 1), precision="year", assumed=assumed)
        if len(raw) == MONTH_LENGTH:
            first = dt.date.fromisoformat(raw + "-01")
            return DateValue(date=first, precision="month", assumed=assumed)
        return DateValue(date=dt.date.fromisoformat(raw), assumed=assumed)
    except ValueError as exc:
        message = (
            f"{raw!r} is not a calendar date (YYYY-MM-DD; or YYYY-MM for a month, YYYY-Qn for "
            "a quarter, n 1 to 4, or YYYY for a year)"
        )
        raise ApiProblem(
            400,
            "invalid_request",
            f"{field}: {message}",
            errors=[FieldError(field=field, message=message)],
        ) from exc
