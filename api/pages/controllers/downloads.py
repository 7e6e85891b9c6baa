"""Exports beside the pages: the closure report and the deliverables as CSV and XLSX, and the
milestones as an iCalendar file (the API's own feed, for a calendar app). A workbook costs
several times a page, so it counts as an expensive read (``expensive_read``); a CSV or
iCalendar file costs about what the page does."""

from __future__ import annotations

from datetime import UTC

from litestar import Response, get

from api.controllers.calendar import ICS, to_ics
from api.inputs import ProgrammeKey
from api.pages import closure_workbook, exports
from api.pages.controllers.closure import download, expensive_read, file_name
from api.pages.controllers.programme import AsOf
from api.pages.reading import board_of, closure_of, deliverables_of, services, when_of
from api.pages.session import PageRequest
from tracker.projections.reports.closure_formats import to_csv


@get("/programmes/{key:str}/closure-report.csv")
async def closure_csv(
    request: PageRequest, key: ProgrammeKey, as_of: AsOf = None
) -> Response[bytes]:
    report = await closure_of(request.user, services(request), key, when_of(request, as_of))
    name = file_name(key, "closure-report", report.as_of, "csv")
    return download(to_csv(report).encode("utf-8"), exports.CSV, name)


@get("/programmes/{key:str}/closure-report.xlsx")
async def closure_xlsx(
    request: PageRequest, key: ProgrammeKey, as_of: AsOf = None
) -> Response[bytes]:
    await expensive_read(request)
    report = await closure_of(request.user, services(request), key, when_of(request, as_of))
    name = file_name(key, "closure-report", report.as_of, "xlsx")
    return download(closure_workbook.closure_xlsx(report), exports.XLSX, name)


@get("/programmes/{key:str}/deliverables.csv")
async def deliverables_csv(
    request: PageRequest, key: ProgrammeKey, as_of: AsOf = None
) -> Response[bytes]:
    status, outcomes = await deliverables_of(
        request.user, services(request), key, when_of(request, as_of)
    )
    name = file_name(key, "deliverables", status.as_of, "csv")
    return download(exports.deliverables_csv(status, outcomes).encode("utf-8"), exports.CSV, name)


@get("/programmes/{key:str}/deliverables.xlsx")
async def deliverables_xlsx(
    request: PageRequest, key: ProgrammeKey, as_of: AsOf = None
) -> Response[bytes]:
    await expensive_read(request)
    status, outcomes = await deliverables_of(
        request.user, services(request), key, when_of(request, as_of)
    )
    name = file_name(key, "deliverables", status.as_of, "xlsx")
    return download(exports.deliverables_xlsx(status, outcomes), exports.XLSX, name)


@get("/programmes/{key:str}/milestones.ics")
async def milestones_ics(
    request: PageRequest, key: ProgrammeKey, as_of: AsOf = None
) -> Response[bytes]:
    found = services(request)
    board = await board_of(request.user, found, key, when_of(request, as_of))
    stamp = found.clock.now().astimezone(UTC).replace(microsecond=0)
    return download(to_ics(board, stamp), ICS, file_name(key, "milestones", board.as_of, "ics"))


ROUTES = [closure_csv, closure_xlsx, deliverables_csv, deliverables_xlsx, milestones_ics]
