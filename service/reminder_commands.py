"""Command-line entries: ``tracker scheduler`` and ``tracker reminders run|mute|unmute``.

Heavy imports (APScheduler, aiosmtplib) happen when a command runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import date

from service.root import Root

EXIT_BUSY = 3
"""``reminders run``: another pass kept the lock for the whole wait."""
EXIT_FAILED = 1
"""``reminders run``: at least one e-mail could not be sent (it was recorded)."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def scheduler_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.reminders.scheduler import run_scheduler_process

    _logging()
    asyncio.run(run_scheduler_process(root.settings, today=args.today))
    return 0


def run_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.reminders.service import run_reminders

    report = asyncio.run(
        run_reminders(
            root.settings, clock=root.clock, today=args.today, wait=args.wait, dry_run=args.dry_run
        )
    )
    if report is None:
        print(f"another reminders pass held the lock for {args.wait:g} s: nothing done")
        return EXIT_BUSY
    for delivery in report.deliveries:
        detail = f": {delivery.detail}" if delivery.detail else ""
        print(f"{delivery.status} {delivery.person} ({len(delivery.keys)} reminders){detail}")
        for summary in delivery.summaries:
            print(f"  {summary}")
    print(report.describe())
    return EXIT_FAILED if report.count("failed") else 0


def mute_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.reminders.muting import set_muted

    muting = args.reminders == "mute"

    async def main() -> bool:
        clock = root.clock
        store = root.store()
        try:
            return await set_muted(
                store,
                args.programme,
                args.email,
                muted=muting,
                at=clock.now(),
                actor=args.by,
                reason=args.reason,
            )
        finally:
            await store.close()

    changed = asyncio.run(main())
    state = "muted" if muting else "unmuted"
    print(f"{args.email} {state} on {args.programme}" if changed else f"already {state}")
    return 0


def add_reminder_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``scheduler`` and ``reminders`` to the ``tracker`` sub-commands."""
    scheduler = commands.add_parser(
        "scheduler",
        help="run reminder passes on TRACKER_REMINDERS_CRON (one leader across processes)",
    )
    scheduler.add_argument(
        "--today", type=_day, help="pin the day of every pass (rehearsals and tests)"
    )
    scheduler.set_defaults(handler=scheduler_command)

    reminders = commands.add_parser("reminders", help="reminder e-mails").add_subparsers(
        dest="reminders", required=True
    )
    run = reminders.add_parser("run", help="run one reminders pass now")
    run.add_argument("--today", type=_day, help="the working day to run for (default: today)")
    run.add_argument(
        "--wait", type=float, default=300.0, help="seconds to wait for a pass in progress"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="list what is due; send and record nothing"
    )
    run.set_defaults(handler=run_command)
    for name, verb in (("mute", "stop"), ("unmute", "resume")):
        sub = reminders.add_parser(name, help=f"{verb} a person's reminders on one programme")
        sub.add_argument("programme", help="programme key, e.g. btls-transition")
        sub.add_argument("email")
        sub.add_argument("--reason", default="")
        sub.add_argument("--by", help="your e-mail, recorded as the actor")
        sub.set_defaults(handler=mute_command)


__all__ = ["add_reminder_commands", "mute_command", "run_command", "scheduler_command"]
