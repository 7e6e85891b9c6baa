"""From a sheet's rows to the commands a programme manager would have given: columns found by
their usual names (or an explicit map), dates in the forms councils write them, people by
e-mail or by their name on the roster. Pure: each bad cell becomes a plain message with its row
and column, and nothing is decided about the store here (``tracker.imports.run`` does that).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Final, Literal, get_args

import msgspec

from tracker.errors import InvalidInput
from tracker.events.values import DateValue, PersonRef
from tracker.ids import person_id
from tracker.imports.sheet import Cell, Sheet, SheetRow
from tracker.programmes import ProgrammeState

ImportKind = Literal["deliverables", "milestones", "raid"]
KINDS: Final[tuple[str, ...]] = get_args(ImportKind)

COLUMNS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "deliverables": {
        "title": ("title", "deliverable", "deliverables", "description", "name", "product"),
        "due": ("due", "due date", "due by", "target date", "deadline", "date"),
        "approvers": ("approver", "approvers", "approved by", "approval"),
        "endorsers": ("endorser", "endorsers", "endorsed by"),
    },
    "milestones": {
        "title": ("title", "milestone", "milestones", "description", "name"),
        "baseline": ("baseline", "baseline date", "planned", "planned date", "date", "due"),
        "forecast": ("forecast", "forecast date", "expected", "revised date"),
        "actual": ("actual", "actual date", "achieved", "completed", "date achieved"),
    },
    "raid": {
        "title": ("title", "risk", "issue", "description", "raid item", "name"),
        "kind": ("type", "kind", "category", "raid"),
        "owner": ("owner", "risk owner", "owned by", "responsible"),
        "impact": ("impact", "severity"),
        "likelihood": ("likelihood", "probability"),
        "mitigation": ("mitigation", "mitigations", "response", "action", "actions"),
        "ref": ("ref", "reference", "id", "number"),
    },
}
"""Each field's usual column headings, compared without case, punctuation or "(s)"."""

REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "deliverables": ("title", "due", "approvers"),
    "milestones": ("title", "baseline"),
    "raid": ("title", "owner", "impact"),
}

ID_SPACE: Final = uuid.UUID("6f1c0a52-3b57-4f0e-9d8e-7b1d2c3a4e5f")
"""Items made by an import have ids derived from the programme, the kind and the title, so
importing the same row again finds the item instead of making another."""

DAY_FORMATS: Final = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d.%m.%Y")
MONTH_FORMATS: Final = ("%B %Y", "%b %Y", "%Y-%m", "%m/%Y")
QUARTER: Final = re.compile(r"Q([1-4])[\s-]+(\d{4})|(\d{4})[\s-]+Q([1-4])", re.IGNORECASE)
"""A quarter as papers give it: "Q1 2013", also "2013-Q1" or "2013 Q1"."""
YEAR: Final = re.compile(r"\d{4}")
ASSUMED: Final = " (assumed)"
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199
RAID_KINDS: Final = {
    "risk": "risk",
    "r": "risk",
    "issue": "issue",
    "i": "issue",
    "assumption": "assumption",
    "a": "assumption",
    "dependency": "dependency",
    "d": "dependency",
}


class RowError(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class Draft(msgspec.Struct, frozen=True, kw_only=True):
    """One valid row: what the item should be."""

    row: int
    item_id: uuid.UUID
    title: str
    due: date | None = None
    approvers: tuple[PersonRef, ...] = ()
    endorsers: tuple[PersonRef, ...] = ()
    baseline: DateValue | None = None
    forecast: DateValue | None = None
    actual: DateValue | None = None
    kind: str = "risk"
    owner: PersonRef | None = None
    impact: int | None = None
    likelihood: int | None = None
    mitigation: str = ""
    ref: str | None = None


class Parsed(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    columns: dict[str, str]
    """Field: the heading found for it."""
    drafts: list[Draft]
    errors: list[RowError]
    rows: int


def _normal(heading: str) -> str:
    lowered = heading.casefold().replace("(s)", "")
    return " ".join(re.sub(r"[^\w ]+", " ", lowered).split())


MAX_MAP_CHARACTERS = 2_000
"""A column map is a few headings: 20 pairs of 100 characters fit."""


def parse_map(text: str | None) -> dict[str, str]:
    """``'Column=field,Other column=field'`` as {field: column}; at most
    ``MAX_MAP_CHARACTERS`` long."""
    if text is not None and len(text) > MAX_MAP_CHARACTERS:
        raise InvalidInput(
            f"the column map is {len(text):,} characters; a column map takes at most "
            f"{MAX_MAP_CHARACTERS:,}"
        )
    found: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        column, sep, name = part.partition("=")
        if not sep or not column.strip() or not name.strip():
            raise InvalidInput(f"--map: {part.strip()!r} is not 'Column=field'")
        found[name.strip()] = column.strip()
    return found


def find_columns(kind: str, headers: list[str], explicit: dict[str, str]) -> dict[str, str]:
    fields = COLUMNS[kind]
    unknown = sorted(set(explicit) - set(fields))
    if unknown:
        raise InvalidInput(
            f"no field {unknown[0]!r} for {kind}; the fields are: {', '.join(fields)}"
        )
    found: dict[str, str] = {}
    for name, column in explicit.items():
        if column not in headers:
            raise InvalidInput(f"the map names a column {column!r} the sheet does not have")
        found[name] = column
    taken = set(found.values())
    by_normal = {_normal(h): h for h in headers if h not in taken}
    for name, variants in fields.items():
        if name in found:
            continue
        for variant in variants:
            heading = by_normal.get(variant)
            if heading is not None and heading not in taken:
                found[name] = heading
                taken.add(heading)
                break
    missing = [name for name in REQUIRED[kind] if name not in found]
    if missing:
        raise InvalidInput(
            f"no column for {', '.join(missing)} among {', '.join(headers)}: name it with "
            f"--map 'Your heading={missing[0]}'"
        )
    return found


def parse_day(value: Cell) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for pattern in DAY_FORMATS:
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
    raise ValueError(f"{value!r} is not a date (31/03/2014, 2014-03-31 or 31 March 2014)")


def parse_paper_date(value: Cell) -> DateValue:
    """A day, or a month, quarter or year as papers give them ("March 2014", "Q1 2013",
    "2013"), kept at that precision. Text ending " (assumed)" (as the tracker shows an assumed
    date) is an assumed date: "March 2013 (assumed)"."""
    assumed = isinstance(value, str) and value.strip().lower().endswith(ASSUMED)
    if isinstance(value, str):
        value = value.strip()
        value = value[: -len(ASSUMED)].strip() if assumed else value
    try:
        return DateValue(date=parse_day(value), assumed=assumed)
    except ValueError:
        pass
    year = _year(value)
    if year is not None:
        return DateValue(date=date(year, 1, 1), precision="year", assumed=assumed)
    if isinstance(value, str):
        quarter = QUARTER.fullmatch(value)
        if quarter:
            number, year_text = quarter[1] or quarter[4], quarter[2] or quarter[3]
            first = date(int(year_text), 3 * int(number) - 2, 1)
            return DateValue(date=first, precision="quarter", assumed=assumed)
        for pattern in MONTH_FORMATS:
            try:
                on = datetime.strptime(value, pattern).date()
            except ValueError:
                continue
            return DateValue(date=on, precision="month", assumed=assumed)
    raise ValueError(
        f"{value!r} is not a date (31/03/2014, 2014-03-31, 31 March 2014, March 2014, Q1 2013 "
        "or 2013)"
    )


def _year(value: Cell) -> int | None:
    """A year alone ("2013", or the number 2013 a spreadsheet holds), from 1900 to 2199."""
    if isinstance(value, bool) or isinstance(value, (date, datetime)) or value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, str):
        if not YEAR.fullmatch(value):
            return None
        value = int(value)
    return value if FIRST_YEAR <= value <= LAST_YEAR else None


def _people(value: Cell, programme: ProgrammeState) -> tuple[PersonRef, ...]:
    if value is None:
        return ()
    found: list[PersonRef] = []
    for part in re.split(r"[;,/\n]| and ", str(value)):
        name = part.strip()
        if not name:
            continue
        if "@" in name:
            found.append(PersonRef(email=person_id(name)))
            continue
        match = [m for m in programme.roster if m.name.casefold() == name.casefold()]
        if not match:
            raise ValueError(f"{name!r} is not on the roster: give their e-mail address")
        found.append(PersonRef(email=match[0].email, name=match[0].name))
    return tuple(found)


def _score(value: Cell, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise ValueError("a score from 1 to 5 is needed")
        return None
    try:
        number = float(value) if not isinstance(value, date) else None
    except ValueError:
        number = None
    if number is None or number != int(number) or not 1 <= number <= 5:
        raise ValueError(f"{value!r} is not a score from 1 to 5")
    return int(number)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def item_id(programme_key: str, kind: str, title: str) -> uuid.UUID:
    return uuid.uuid5(
        ID_SPACE, f"{programme_key}\x1f{kind}\x1f{' '.join(title.casefold().split())}"
    )


def parse_rows(
    sheet: Sheet, kind: str, programme: ProgrammeState, explicit: dict[str, str] | None = None
) -> Parsed:
    """Every row as a draft, or as the errors that stop it (all of them, not the first)."""
    if kind not in KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    columns = find_columns(kind, sheet.headers, explicit or {})
    drafts: list[Draft] = []
    errors: list[RowError] = []
    titles: dict[str, int] = {}
    for row in sheet.rows:
        draft, problems = _draft(row, kind, columns, programme)
        if draft is not None:
            seen = titles.get(draft.title.casefold())
            if seen is not None:
                problems.append(
                    RowError(
                        row=row.number,
                        column=columns["title"],
                        message=f"the same title as row {seen}",
                    )
                )
            titles.setdefault(draft.title.casefold(), row.number)
        if problems:
            errors.extend(problems)
        elif draft is not None:
            drafts.append(draft)
    return Parsed(kind=kind, columns=columns, drafts=drafts, errors=errors, rows=len(sheet.rows))


def _draft(
    row: SheetRow, kind: str, columns: dict[str, str], programme: ProgrammeState
) -> tuple[Draft | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, object] = {}

    def cell(name: str) -> Cell:
        column = columns.get(name)
        return row.cells.get(column) if column is not None else None

    def read(name: str, convert: object) -> None:
        column = columns.get(name, "")
        try:
            values[name] = convert(cell(name))  # type: ignore[operator]
        except (ValueError, InvalidInput) as exc:
            errors.append(RowError(row=row.number, column=column, message=str(exc)))

    title = _text(cell("title"))
    if not title:
        errors.append(RowError(row=row.number, column=columns["title"], message="no title"))
    if kind == "deliverables":
        read("due", parse_day)
        read("approvers", lambda v: _people(v, programme))
        read("endorsers", lambda v: _people(v, programme))
        if "approvers" in values and not values["approvers"]:
            errors.append(
                RowError(row=row.number, column=columns["approvers"], message="no approver")
            )
    elif kind == "milestones":
        read("baseline", parse_paper_date)
        read("forecast", lambda v: None if v is None else parse_paper_date(v))
        read("actual", lambda v: None if v is None else parse_paper_date(v))
    else:
        read("owner", lambda v: _one_person(v, programme))
        read("impact", lambda v: _score(v, True))
        read("likelihood", lambda v: _score(v, False))
        read("kind", _raid_kind)
        values["mitigation"] = _text(cell("mitigation"))
        values["ref"] = _text(cell("ref")) or None
    if errors:
        return None, errors
    key = programme.key
    return Draft(row=row.number, item_id=item_id(key, kind, title), title=title, **values), []  # type: ignore[arg-type]


def _one_person(value: Cell, programme: ProgrammeState) -> PersonRef:
    people = _people(value, programme)
    if len(people) != 1:
        raise ValueError("one owner is needed" if not people else "one owner only")
    return people[0]


def _raid_kind(value: Cell) -> str:
    if value is None:
        return "risk"
    found = RAID_KINDS.get(_text(value).casefold())
    if found is None:
        raise ValueError(f"{value!r} is not risk, issue, assumption or dependency")
    return found


__all__ = [
    "COLUMNS",
    "KINDS",
    "Draft",
    "ImportKind",
    "Parsed",
    "RowError",
    "item_id",
    "parse_day",
    "parse_map",
    "parse_paper_date",
    "parse_rows",
]
