"""``tracker import-sheet``: a programme's deliverables, milestones or RAID log from an
``.xlsx`` or ``.csv`` file (docs/import.md). Prints what each row gives, or each bad row with
its row number, column and why; exit 1 when any row is bad (nothing is then written)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from service.root import Root


def import_sheet_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.handlers import Handlers
    from tracker.imports.run import import_sheet
    from tracker.imports.sheet import MAX_BYTES

    path = Path(args.file)
    if path.stat().st_size > MAX_BYTES:
        print(f"error: {path.name} is larger than {MAX_BYTES:,} bytes", flush=True)
        return 2
    content = path.read_bytes()

    async def main() -> int:
        store = root.store()
        try:
            report = await import_sheet(
                Handlers(store, root.clock),
                programme_key=args.programme,
                filename=path.name,
                content=content,
                kind=args.kind,
                sheet=args.sheet,
                column_map=args.map,
                dry_run=args.dry_run,
                actor=args.as_,
            )
        finally:
            await store.close()
        print(report.describe())
        return 1 if report.errors or report.stopped else 0

    return asyncio.run(main())


def add_import_commands(commands: Any) -> None:
    sheet = commands.add_parser(
        "import-sheet",
        help="import deliverables, milestones or a RAID log from an .xlsx or .csv file",
    )
    sheet.add_argument("programme", help="the programme's key")
    sheet.add_argument("file", help="an .xlsx workbook or a .csv file")
    sheet.add_argument(
        "--kind", choices=("deliverables", "milestones", "raid"), default="deliverables"
    )
    sheet.add_argument("--sheet", help="the workbook's sheet (default: its first)")
    sheet.add_argument("--map", help="'Your heading=field,...' where a heading is not recognised")
    sheet.add_argument(
        "--dry-run", action="store_true", help="say what each row would do; write nothing"
    )
    sheet.add_argument(
        "--as", dest="as_", metavar="EMAIL", help="who is importing (recorded as the actor)"
    )
    sheet.set_defaults(handler=import_sheet_command)
