"""The ``tracker`` command line: each subcommand opens what it needs from the settings."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import math
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

import tracker.events  # noqa: F401  (registers every event type)
from service.import_commands import add_import_commands
from service.people_commands import add_people_commands
from service.reminder_commands import add_reminder_commands
from service.root import Root
from service.token_commands import add_token_commands
from tracker.errors import InvalidInput, TrackerError
from tracker.events.transfer import export_events, import_events
from tracker.events.verify import verify_store
from tracker.logs import logging_for
from tracker.migrations import upgrade
from tracker.settings import load_settings

Command = Callable[[argparse.Namespace, Root], int]


def _db_upgrade(args: argparse.Namespace, root: Root) -> int:
    upgrade(root.settings.database_url, args.revision)
    print(f"database at {root.settings.database_url} is at revision {args.revision}")
    return 0


def _export(args: argparse.Namespace, root: Root) -> int:
    async def main() -> int:
        store = root.store()
        try:
            path = Path(args.file)
            with path.open("wb") as out:  # noqa: ASYNC230 (a CLI: nothing else runs meanwhile)
                count = await export_events(store, out)
        finally:
            await store.close()
        print(f"exported {count} events to {path}")
        return 0

    return asyncio.run(main())


def _import(args: argparse.Namespace, root: Root) -> int:
    async def main() -> int:
        store = root.store()
        try:
            count = await import_events(store, Path(args.file))
        finally:
            await store.close()
        print(f"imported {count} events from {args.file}")
        return 0

    return asyncio.run(main())


def _verify(args: argparse.Namespace, root: Root) -> int:
    async def main() -> int:
        store = root.store()
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


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _serve(args: argparse.Namespace, root: Root) -> int:
    """Uvicorn logs through ``tracker.logs`` (``log_config=None``: it configures nothing) and
    its access log is off: ``api.observability`` writes one line per request instead. On
    SIGTERM or SIGINT uvicorn stops accepting, lets requests in flight finish for up to
    ``TRACKER_SHUTDOWN_GRACE_SECONDS`` and then runs the app's shutdown (the projector commits
    or rolls back its batch). Idle connections stay open ``TRACKER_KEEP_ALIVE_SECONDS``, longer
    than clients keep them, so a client never reuses one the server is closing."""
    import uvicorn

    from api.app import create_app

    api_settings = root.settings.api
    # Uvicorn raises the signal again once it has shut down gracefully; this makes that a
    # clean exit (status 0) instead of death by SIGTERM.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    print(f"tracker on http://{args.host}:{args.port} (database {root.settings.database_url})")
    app = create_app(
        root.settings,
        run_projector=not args.no_projector,
        run_webhooks=not args.no_webhooks,
        clock=root.clock,
    )
    # What start-up made (modules, the app, its routes, the OpenAPI document) lives as long as
    # the process: moved out of the cyclic collector's way, a full collection walks only what
    # requests make. Measured on as-of closure reports: full collections of 36-40 ms every
    # 20-30 requests, 0.3 ms once frozen (docs/performance.md).
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        log_level=logging.getLogger().getEffectiveLevel(),
        access_log=False,
        timeout_graceful_shutdown=math.ceil(api_settings.shutdown_grace_seconds),
        timeout_keep_alive=math.ceil(api_settings.keep_alive_seconds),
    )
    return 0


def _projections_status(args: argparse.Namespace, root: Root) -> int:
    from tracker.projections.read_model.projector import projection_status

    async def main() -> int:
        store, engine = root.store(), root.engine()
        try:
            for status in await projection_status(store, engine):
                print(
                    f"{status.name}: checkpoint {status.position}, head {status.head_position}, "
                    f"lag {status.lag} positions, {status.events} events applied, "
                    f"updated {status.updated_at or 'never'}"
                )
        finally:
            await store.close()
            await engine.dispose()
        return 0

    return asyncio.run(main())


def _projections_rebuild(args: argparse.Namespace, root: Root) -> int:
    from tracker.projections.read_model.projector import NAME
    from tracker.projections.read_model.rebuild import rebuild

    if args.name not in (None, NAME):
        raise InvalidInput(f"unknown projection {args.name!r}: the projections are: {NAME}")

    async def main() -> int:
        store, engine = root.store(), root.engine()
        head = await store.head_position()

        def progress(done: int, position: int) -> None:
            width = 40
            filled = int(width * position / head) if head else width
            bar = "#" * filled + "-" * (width - filled)
            print(f"\r[{bar}] {done} events, position {position}/{head}", end="", file=sys.stderr)

        try:
            report = await rebuild(store, engine, progress=progress)
        finally:
            await store.close()
            await engine.dispose()
        print(file=sys.stderr)
        print(
            f"rebuilt {NAME}: {report.events} events in {report.seconds:.2f} s "
            f"({report.events_per_second:.0f} events/s), position {report.position}"
        )
        print(
            f"compared with the live read model: {len(report.added)} added, "
            f"{len(report.removed)} removed, {len(report.changed)} changed, "
            f"{report.unchanged} unchanged programmes; {report.snapshots} snapshots"
        )
        for label, keys in (
            ("added", report.added),
            ("removed", report.removed),
            ("changed", report.changed),
        ):
            for key in keys:
                print(f"  {label}: {key}")
        return 0

    return asyncio.run(main())


def _webhooks_run(args: argparse.Namespace, root: Root) -> int:
    from tracker.webhooks.service import run_deliverer_process

    asyncio.run(run_deliverer_process(root.settings))
    return 0


def _projector(args: argparse.Namespace, root: Root) -> int:
    from tracker.projections.read_model.service import run_projector_process

    asyncio.run(run_projector_process(root.settings))
    return 0


def _seed(args: argparse.Namespace, root: Root) -> int:
    from seed import load_seed

    async def main() -> int:
        store = root.store()
        try:
            report = await load_seed(store, root.clock)
        finally:
            await store.close()
        for p in report.programmes:
            print(
                f"{p.key}: {p.events} events appended ({p.commands} commands); holds "
                f"{p.roster} roster, {p.outcomes} outcomes, {p.workstreams} workstreams, "
                f"{p.deliverables} deliverables, {p.milestones} milestones, {p.gates} gates, "
                f"{p.learning_points} learning points, {p.recommendations} recommendations, "
                f"{p.next_steps} next steps; {p.lifecycle}"
            )
        if report.events == 0:
            print("seed already loaded: nothing appended")
        else:
            print(f"seeded {len(report.programmes)} programmes: {report.events} events appended")
        return 0

    return asyncio.run(main())


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

    projections = commands.add_parser("projections", help="read models").add_subparsers(
        dest="projections", required=True
    )
    status = projections.add_parser("status", help="each projection's checkpoint and lag")
    status.set_defaults(handler=_projections_status)
    rebuild = projections.add_parser(
        "rebuild", help="rebuild from zero into a shadow table, compare, swap in"
    )
    rebuild.add_argument("name", nargs="?")
    rebuild.set_defaults(handler=_projections_rebuild)

    projector = commands.add_parser("projector", help="run the projector as its own process")
    projector.set_defaults(handler=_projector)

    serve = commands.add_parser("serve", help="run the HTTP API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-projector", action="store_true", help="leave the read models to `tracker projector`"
    )
    serve.add_argument(
        "--no-webhooks", action="store_true", help="leave webhooks to `tracker webhooks run`"
    )
    serve.set_defaults(handler=_serve)
    webhooks = commands.add_parser("webhooks", help="outgoing webhooks")
    webhook_commands = webhooks.add_subparsers(dest="webhooks_command", required=True)
    run_webhooks = webhook_commands.add_parser(
        "run", help="deliver webhooks as its own process (one at a time delivers)"
    )
    run_webhooks.set_defaults(handler=_webhooks_run)
    seed = commands.add_parser(
        "seed", help="load the seed programmes from the council papers (idempotent)"
    )
    seed.set_defaults(handler=_seed)
    add_reminder_commands(commands)  # scheduler, reminders run|mute|unmute
    add_token_commands(commands)  # token issue|revoke|list
    add_import_commands(commands)  # import-sheet
    add_people_commands(commands)  # people erase, keys export|import
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with logging_for(f"tracker {args.command}"):
            handler: Command = args.handler
            return handler(args, Root(load_settings()))
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
