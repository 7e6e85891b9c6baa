"""``tracker token issue|revoke|list``: API bearer tokens from the command line.

``issue`` prints the new token as its last line (and nothing else on that line), so a script can
take it with ``tail -n 1``. ``--expires`` takes days (``30``) or a date (``2027-03-31``, to the
end of that day, UTC); by default a token lasts 90 days, at most 366.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from service.root import Root


def issue_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.auth.tokens import expiry, issue_token, parse_expiry

    clock = root.clock
    now = clock.now()
    # Checked before anything is written, so a bad --expires registers nobody.
    expires = expiry(now) if args.expires is None else parse_expiry(args.expires, now)

    async def main() -> str:
        store, engine = root.store(), root.engine()
        try:
            issued = await issue_token(
                engine,
                store,
                clock,
                email=args.email,
                name=args.name,
                scope=args.scope,
                expires_at=expires,
            )
        finally:
            await store.close()
            await engine.dispose()
        record = issued.record
        print(f"token {record.token_id} for {record.name} <{record.person}>, scope {record.scope}")
        print(f"expires {_shown(record.expires)}")
        print("keep it secret: only its hash is stored, it cannot be shown again")
        return issued.secret

    print(asyncio.run(main()))
    return 0


def revoke_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.auth.tokens import revoke_tokens

    async def main() -> int:
        engine = root.engine()
        try:
            revoked = await revoke_tokens(engine, root.clock, token_id=args.token, email=args.email)
        finally:
            await engine.dispose()
        for record in revoked:
            print(f"revoked {record.token_id} ({record.prefix}...) of {record.person}")
        if not revoked:
            print("already revoked: nothing to do")
        return 0

    return asyncio.run(main())


def list_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.auth.tokens import list_tokens

    now = root.clock.now()

    async def main() -> int:
        engine = root.engine()
        try:
            records = await list_tokens(engine, person=args.email)
        finally:
            await engine.dispose()
        for r in records:
            if r.revoked_at:
                state = f"revoked {r.revoked_at}"
            elif r.expired(now):
                state = "expired"
            else:
                state = "active"
            print(
                f"{r.token_id}  {r.prefix}...  {r.scope:<6}  {r.person} ({r.name})  "
                f"issued {r.created_at}  expires {_shown(r.expires)}  {state}"
            )
        if not records:
            print("no tokens")
        return 0

    return asyncio.run(main())


def _shown(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def add_token_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="API bearer tokens").add_subparsers(
        dest="token", required=True
    )
    issue = token.add_parser(
        "issue", help="issue a token (registers the person if new); prints it as the last line"
    )
    issue.add_argument("--email", required=True)
    issue.add_argument("--name", default=None, help="the person's display name")
    issue.add_argument(
        "--scope", default="member", choices=["admin", "member", "reader"], help="default: member"
    )
    issue.add_argument(
        "--expires",
        default=None,
        metavar="DAYS|DATE",
        help="days from now (1 to 366) or a date YYYY-MM-DD (to the end of that day, UTC); "
        "default: 90 days",
    )
    issue.set_defaults(handler=issue_command)
    revoke = token.add_parser("revoke", help="revoke one token, or every token of a person")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("token", nargs="?", default=None, help="the token id (or its prefix)")
    which.add_argument("--email", default=None, help="revoke every token of this person")
    revoke.set_defaults(handler=revoke_command)
    listing = token.add_parser("list", help="every token: who, scope, issued, expires, revoked")
    listing.add_argument("--email", default=None, help="only this person's")
    listing.set_defaults(handler=list_command)
