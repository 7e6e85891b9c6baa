"""Importing a spreadsheet (issue 21): generated XLSX and CSV files, through the handlers, on
SQLite and PostgreSQL."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.builders import GLYN, KEY, MIKE, ROB, STRANGER
from tests.tracker.test_permissions import btls
from tracker.deliverables import deliverable_stream
from tracker.errors import Forbidden, InvalidInput
from tracker.events.store import EventStore
from tracker.events.values import DateValue
from tracker.imports.rows import item_id, parse_map, parse_paper_date
from tracker.imports.run import import_sheet
from tracker.imports.sheet import MAX_ROWS, read_sheet
from tracker.milestones import milestone_stream
from tracker.risks import risk_stream

HEADER = ["Deliverable", "Due date", "Approver(s)", "Endorser(s)", "Status"]


def workbook(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Deliverables"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["Catalogue Matrix of Services", datetime(2021, 3, 18), "Mike Kirby", "", "Not started"],
    ["DR plan", "31/03/2021", f"{MIKE.email}; Glyn Peach", ROB.name, ""],
    ["Key staff gaps filled", "2021-04-01", "mike kirby", "", "=SUM(A1)"],
]


async def test_a_dry_run_with_two_bad_rows_reports_both_and_writes_nothing(
    store: EventStore,
) -> None:
    handlers = await btls(store)
    before = await store.read_all(0, 10_000)
    rows = [*GOOD, ["Data migration", "March 2021", "Mike Kirby", "", ""]]
    rows.append(["Novation schedule", "01/04/2021", "J Smith", "", ""])
    report = await import_sheet(
        handlers,
        programme_key=KEY,
        filename="tracker.xlsx",
        content=workbook(rows),
        dry_run=False,  # not a dry run: bad rows stop the whole file
    )
    assert [str(e) for e in report.errors] == [
        "row 5, Due date: 'March 2021' is not a date (31/03/2014, 2014-03-31 or 31 March 2014)",
        "row 6, Approver(s): 'J Smith' is not on the roster: give their e-mail address",
    ]
    assert (report.rows, report.valid, report.written) == (5, 3, False)
    assert [a.action for a in report.actions] == ["plan", "plan", "plan"]
    assert await store.read_all(0, 10_000) == before
    assert report.columns == {
        "title": "Deliverable",
        "due": "Due date",
        "approvers": "Approver(s)",
        "endorsers": "Endorser(s)",
    }


async def test_the_corrected_file_imports_every_row_and_again_writes_nothing(
    store: EventStore,
) -> None:
    handlers = await btls(store)
    content = workbook(GOOD)
    report = await import_sheet(
        handlers, programme_key=KEY, filename="tracker.xlsx", content=content, actor=GLYN.email
    )
    assert report.written and report.errors == [] and len(report.actions) == 3
    planned = await store.read_stream(deliverable_stream(item_id(KEY, "deliverables", "DR plan")))
    first = planned[0]
    assert first.data.due_on == date(2021, 3, 31)  # type: ignore[attr-defined]
    assert [p.email for p in first.data.approvers] == [MIKE.email, GLYN.email]  # type: ignore[attr-defined]
    assert [p.name for p in first.data.endorsers] == [ROB.name]  # type: ignore[attr-defined]
    assert first.metadata.actor == GLYN.email
    assert first.metadata.source["document"] == "tracker.xlsx"
    assert first.metadata.source["row"] == "3"
    assert len(first.metadata.source["sha256"]) == 64
    events = len(await store.read_all(0, 10_000))
    again = await import_sheet(
        handlers, programme_key=KEY, filename="tracker.xlsx", content=content
    )
    assert (again.actions, again.unchanged, again.written) == ([], 3, True)
    assert len(await store.read_all(0, 10_000)) == events

    moved = [list(r) for r in GOOD]
    moved[1][1] = "14/04/2021"
    changed = await import_sheet(
        handlers, programme_key=KEY, filename="tracker-v2.xlsx", content=workbook(moved)
    )
    assert [(a.row, a.action) for a in changed.actions] == [(3, "replan")]
    latest = (await store.read_stream(deliverable_stream(item_id(KEY, "deliverables", "DR plan"))))[
        -1
    ]
    assert latest.data.reason == "imported from tracker-v2.xlsx, row 3"  # type: ignore[attr-defined]


async def test_milestones_keep_the_paper_s_precision_and_raid_rows_are_raised(
    store: EventStore,
) -> None:
    handlers = await btls(store)
    csv = (
        "\ufeffMilestone;Baseline;Forecast;Actual\n"
        "Project Go Live;March 2014;June 2014;\n"
        "Cycle 1 Testing complete;June 2013;;30/06/2013\n"
    ).encode()
    report = await import_sheet(
        handlers, programme_key=KEY, filename="plan.csv", content=csv, kind="milestones"
    )
    assert report.errors == [] and report.written
    assert [(a.row, a.action) for a in report.actions] == [
        (2, "baseline"),
        (2, "reforecast"),
        (3, "baseline"),
        (3, "achieve"),
    ]
    go_live = await store.read_stream(
        milestone_stream(item_id(KEY, "milestones", "Project Go Live"))
    )
    assert go_live[0].data.baseline == DateValue(date=date(2014, 3, 1), precision="month")  # type: ignore[attr-defined]
    raid = (
        "Ref,Type,Risk,Owner,Impact,Likelihood,Mitigation\n"
        f"R1,Risk,Contracts not novated in time,{GLYN.name},4,3,Weekly tracker\n"
        f"I1,Issue,Supplier insolvent,{MIKE.email},5,,\n"
        "R2,Rumour,Nobody knows,Nobody,9,x,\n"
    ).encode()
    bad = await import_sheet(
        handlers, programme_key=KEY, filename="raid.csv", content=raid, kind="raid"
    )
    assert [str(e) for e in bad.errors] == [
        "row 4, Owner: 'Nobody' is not on the roster: give their e-mail address",
        "row 4, Impact: '9' is not a score from 1 to 5",
        "row 4, Likelihood: 'x' is not a score from 1 to 5",
        "row 4, Type: 'Rumour' is not risk, issue, assumption or dependency",
    ]
    fixed = raid.rsplit(b"R2,", 1)[0]
    raised = await import_sheet(
        handlers, programme_key=KEY, filename="raid.csv", content=fixed, kind="raid"
    )
    assert raised.written and [a.action for a in raised.actions] == ["raise", "raise"]
    issue = await store.read_stream(risk_stream(item_id(KEY, "raid", "Supplier insolvent")))
    assert issue[0].data.kind == "issue" and issue[0].data.impact == 5  # type: ignore[attr-defined]


async def test_the_importer_s_authority_is_checked_before_the_sheet_is_read(
    store: EventStore,
) -> None:
    """A dry run's messages name people on the roster: an outsider learns nothing from one."""
    handlers = await btls(store)
    for dry_run in (True, False):
        with pytest.raises(Forbidden, match="is not on the roster of 'btls-transition'"):
            await import_sheet(
                handlers,
                programme_key=KEY,
                filename="tracker.xlsx",
                content=workbook([["X", "01/04/2021", "J Smith", "", ""]]),
                actor=STRANGER.email,
                acting_as="member",
                dry_run=dry_run,
            )
    member = await import_sheet(
        handlers,
        programme_key=KEY,
        filename="tracker.xlsx",
        content=workbook(GOOD),
        actor=GLYN.email,
        acting_as="member",
    )
    assert member.written and len(member.actions) == 3


def test_unreadable_files_and_limits_are_refused_with_a_clear_message() -> None:
    with pytest.raises(InvalidInput, match=r"import a \.xlsx workbook or a \.csv file"):
        read_sheet("plan.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(InvalidInput, match=r"not a readable \.xlsx workbook"):
        read_sheet("plan.xlsx", b"not a zip")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_sheet("plan.csv", "Title\nCaf\u00e9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match=f"more than {MAX_ROWS:,} rows"):
        read_sheet("plan.csv", ("Title\n" + "x\n" * (MAX_ROWS + 1)).encode())
    with pytest.raises(InvalidInput, match="appears twice"):
        read_sheet("plan.csv", b"Title,Title\na,b\n")
    with pytest.raises(InvalidInput, match="at most 31 characters"):
        read_sheet("plan.xlsx", b"", "x" * 32)
    with pytest.raises(InvalidInput, match="at most 255 are taken"):
        read_sheet("p" * 300 + ".csv", b"Title\na\n")
    with pytest.raises(InvalidInput, match="a column map takes at most 2,000"):
        parse_map("Heading=title," * 200)
    assert parse_paper_date("Mar 2014") == DateValue(date=date(2014, 3, 1), precision="month")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2013", DateValue(date=date(2013, 1, 1), precision="year")),
        (2013, DateValue(date=date(2013, 1, 1), precision="year")),
        (2013.0, DateValue(date=date(2013, 1, 1), precision="year")),
        ("Q1 2013", DateValue(date=date(2013, 1, 1), precision="quarter")),
        ("q3 2013", DateValue(date=date(2013, 7, 1), precision="quarter")),
        ("2013-Q4", DateValue(date=date(2013, 10, 1), precision="quarter")),
        ("March 2013 (assumed)", DateValue(date=date(2013, 3, 1), precision="month", assumed=True)),
        ("2013 (assumed)", DateValue(date=date(2013, 1, 1), precision="year", assumed=True)),
        ("31/03/2014", DateValue(date=date(2014, 3, 31))),
    ],
)
def test_a_paper_date_may_be_a_year_or_a_quarter_and_may_be_assumed(
    cell: str | int | float, expected: DateValue
) -> None:
    assert parse_paper_date(cell) == expected


@pytest.mark.parametrize("cell", ["Q5 2013", "Q1", "13", "1850", 3000, "2013-Q0"])
def test_a_paper_date_that_is_no_year_or_quarter_is_refused(cell: str | int) -> None:
    with pytest.raises(ValueError, match="Q1 2013 or 2013"):
        parse_paper_date(cell)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_command_line_imports_and_exits_1_on_bad_rows(
    database_url: str, tmp_path: Path
) -> None:
    env = {"TRACKER_DATABASE_URL": database_url, "PATH": ""}

    def tracker(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    registered = tracker("seed")
    assert registered.returncode == 0, registered.stderr
    sheet = tmp_path / "btls.csv"
    sheet.write_text("Deliverable,Due,Approver\nA new deliverable,31/05/2021,nobody@\n")
    bad = tracker("import-sheet", "btls-transition", str(sheet), "--dry-run")
    assert bad.returncode == 1
    assert "row 2, Approver: 'nobody@' is not an e-mail address" in bad.stdout
    sheet.write_text("Deliverable,Due,Approver\nA new deliverable,31/05/2021,Glyn Peach\n")
    closed = tracker("import-sheet", "btls-transition", str(sheet))  # the domain's rules apply
    assert closed.returncode == 1
    assert "is closed: planning a deliverable is refused" in closed.stdout
    sheet.write_text(f"Deliverable,Due,Approver\nDMS training plan,31/05/2014,{GLYN.email}\n")
    good = tracker("import-sheet", "documentum-dms", str(sheet))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "row 2: plan 'DMS training plan' (written)" in good.stdout
    again = tracker("import-sheet", "documentum-dms", str(sheet))
    assert again.returncode == 0 and "1 row already as the sheet says" in again.stdout


@pytest.mark.parametrize("kind", ["deliverables", "milestones", "raid"])
async def test_the_samples_in_the_docs_import_cleanly(store: EventStore, kind: str) -> None:
    handlers = await btls(store)
    sample = Path(__file__).parents[2] / "docs" / "samples" / f"{kind}.csv"
    report = await import_sheet(
        handlers,
        programme_key=KEY,
        filename=sample.name,
        content=sample.read_bytes(),
        kind=kind,
        dry_run=True,
    )
    assert report.errors == [] and report.valid == report.rows == 3, report.describe()
    assert report.written is False and report.actions
