"""Importing a spreadsheet through the API (docs/import.md): ``POST
/api/v1/programmes/{key}/imports``, multipart, with the file and its kind. A dry run (the
default) answers what each row would do and every bad row; otherwise the rows are written
through the handlers as the caller (R or A of the programme, or admin)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from litestar import Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from api.errors import ApiProblem, FieldError
from api.inputs import ProgrammeKey
from api.openapi import WRITE_PROBLEMS, documented
from api.writes import Writer
from tracker.imports.run import ImportReport, import_sheet
from tracker.imports.sheet import MAX_BYTES

FORM_OVERHEAD = 64 * 1024
"""The multipart form's own bytes around the file."""


@dataclass
class ImportForm:
    file: UploadFile
    kind: Literal["deliverables", "milestones", "raid"] = "deliverables"
    dry_run: bool = True
    """The default: say what each row would do, write nothing."""
    map: str | None = None
    """``Your heading=field,...`` where a heading is not recognised."""
    sheet: str | None = None


def _where(row: int, column: str) -> str:
    return f"row {row}" + (f", {column}" if column else "")


def bad_rows(report: ImportReport) -> ApiProblem:
    return ApiProblem(
        422,
        "import_rows_invalid",
        f"{len(report.errors)} of {report.rows} rows of {report.file} are not valid: nothing "
        "was written",
        errors=[
            FieldError(
                field=f"row {e.row}" + (f", {e.column}" if e.column else ""), message=e.message
            )
            for e in report.errors
        ],
    )


@post(
    "/programmes/{key:str}/imports",
    operation_id="programmes.import",
    tags=["programmes"],
    summary="Import deliverables, milestones or a RAID log from .xlsx or .csv (R, A or admin)",
    description="multipart/form-data: `file`, `kind`, `dry_run` (default true), `map`, `sheet`. "
    "A dry run answers 200 with what each row would do and every bad row; otherwise 201 once "
    "written, 422 naming every bad row (nothing written), 409 when the domain refused a row "
    "part-way (the rows written before it are named; importing the file again finishes it).",
    status_code=200,
    request_max_body_size=MAX_BYTES + FORM_OVERHEAD,
    responses=documented(200, ImportReport, "The import's report", *WRITE_PROBLEMS),
)
async def import_rows(
    writer: NamedDependency[Writer],
    key: ProgrammeKey,
    data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Response[ImportReport]:
    content = await data.file.read(MAX_BYTES + 1)
    principal = writer.principal
    report = await import_sheet(
        writer.handlers,
        programme_key=key,
        filename=data.file.filename or "upload",
        content=content,
        kind=data.kind,
        sheet=data.sheet,
        column_map=data.map,
        dry_run=data.dry_run,
        actor=principal.person,
        acting_as=principal.scope,
    )
    if not data.dry_run and report.errors:
        raise bad_rows(report)
    if report.stopped is not None:
        raise ApiProblem(409, "import_stopped", report.stopped)
    return Response(report, status_code=201 if report.written and report.actions else 200)


ROUTES = [import_rows]
