"""Template filters: dates as the council papers print them, paragraphs, labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from jinja2 import Environment

from tracker.projections.reports.closure_formats import gate_state_text, none_text
from tracker.projections.reports.trend import described

LIFECYCLE: Final = {"active": "Active", "closing": "Closing", "closed": "Closed"}
STATES: Final = {
    "planned": "Planned",
    "submitted": "Submitted",
    "returned": "Returned",
    "signed_off": "Signed off",
    "deferred": "Deferred",
}


def dmy(value: date | datetime | None) -> str:
    """``01/03/2021``, as the closure report prints dates; empty for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y")


def long_date(value: date | datetime | None) -> str:
    """``1 March 2021``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value.strftime('%B %Y')}"


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def lifecycle(value: str) -> str:
    return LIFECYCLE.get(value, value.capitalize())


def state(value: str) -> str:
    return STATES.get(value, value.replace("_", " ").capitalize())


def signed(days: int) -> str:
    """Slippage in working days with its sign: "+12", "-3", "0"."""
    return f"+{days}" if days > 0 else str(days)


def register(env: Environment) -> None:
    env.filters.update(
        dmy=dmy,
        long_date=long_date,
        paragraphs=paragraphs,
        lifecycle=lifecycle,
        state=state,
        signed=signed,
        trend_text=described,
        gate_state=gate_state_text,
        none_text=none_text,
    )
