"""The ``tracker`` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import tracker.events  # noqa: F401  (registers every event type)
from tracker.errors import TrackerError
from tracker.events.open import open_store
from tracker.events.transfer import export_events, import_events
from tracker.events.verify import verify_store
from tracker.migrations import upgrade
from tracker.settings import Settings, load_settings

Command = Callable[[argparse.Namespace, Settings], int]


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(settings.database_url, args.revision)
    print(f"database at {settings.database_url} is at revision {args.revision}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    async def main() -> int:
        store = open_store(settings)
        try:
            path = Path(args.file)
            with path.open("wb") as out:  # noqa: ASYNC230 (a CLI: nothing else runs meanwhile)
                count = await export_events(store, out)
        finally:
            await store.close()
        print(f"exported {count} events to {path}")
        return 0

    return asyncio.run(main())


def _import(args: argparse.Namespace, settings: Settings) -> int:
    async def main() -> int:
        store = open_store(settings)
        try:
            count = await import_events(store, Path(args.file))
        finally:
            await store.close()
        print(f"imported {count} events from {args.file}")
        return 0

    return asyncio.run(main())


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    async def main() -> int:
        store = open_store(settings)
        try:
            report = await verify_store(store)
        finally:
            await store.close()
        if report.first_broken is not None:
            print(f"BROKEN: {report.first_broken.describe()}", file=sys.stderr)
            print(f"checked {report.events} events in {report.streams} streams", file=sys.stderr)
            return 1
        print(
            f"ok: {report.events} events in {report.streams} streams, versions contiguous, "
            f"positions increasing, hash chains intact (head position {report.head_position})"
        )
        return 0

    return asyncio.run(main())


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app

    print(f"tracker on http://{args.host}:{args.port} (database {settings.database_url})")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="Programme and transition tracker. The database comes from "
        "TRACKER_DATABASE_URL (default: sqlite+aiosqlite:///tracker.db).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=_db_upgrade)

    exp = commands.add_parser("export", help="write every event to a JSON Lines file")
    exp.add_argument("file")
    exp.set_defaults(handler=_export)

    imp = commands.add_parser("import", help="load a JSON Lines export into an empty store")
    imp.add_argument("file")
    imp.set_defaults(handler=_import)

    ver = commands.add_parser(
        "verify", help="check versions, positions and hash chains; exit 1 at the first break"
    )
    ver.set_defaults(handler=_verify)

    serve = commands.add_parser("serve", help="run the HTTP API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        handler: Command = args.handler
        return handler(args, settings)
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
