"""``tracker people erase`` and ``tracker keys export|import``: erasing a person, and backing up
the per-person keys apart from the events (docs/privacy.md, docs/operations.md).

A key export holds every person's data key wrapped under the people key (``TRACKER_PEOPLE_KEY``,
or the database's own in development): keep it as carefully as that key, and apart from the
event exports. Importing one adds the keys the store lacks and never brings back a person this
store has erased.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
from pathlib import Path
from typing import Any

from service.root import Root
from tracker.errors import InvalidInput


def erase_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.people.erasure import erase_person
    from tracker.people.store import SealingStore

    async def main() -> int:
        store, engine = root.store(), root.engine()
        try:
            if not isinstance(store, SealingStore):
                raise InvalidInput("this store does not seal people's data")
            done = await erase_person(
                store,
                engine,
                root.clock,
                email=args.email,
                reason=args.reason,
                erased_by=args.by or f"cli:{getpass.getuser()}",
            )
        finally:
            await store.close()
            await engine.dispose()
        if not done.erased:
            print(f"already erased: shown as {done.shown}; nothing changed")
            return 0
        print(f"erased: shown as {done.shown} ({done.pseudonym})")
        print(f"programmes naming them: {', '.join(done.programmes) or 'none'}")
        print(f"tokens revoked: {done.tokens_revoked}; records removed: {done.records_removed}")
        print(f"read model rebuilt from {done.rebuilt_events} events; database compacted")
        return 0

    return asyncio.run(main())


def reseal_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.people.migrate import reseal
    from tracker.people.store import SealingStore

    async def main() -> int:
        store = root.store()
        try:
            if not isinstance(store, SealingStore):
                raise InvalidInput("this store does not seal people's data")
            return await reseal(store, Path(args.file))
        finally:
            await store.close()

    count = asyncio.run(main())
    print(f"imported {count} events from {args.file} with people's data sealed")
    print("next: `tracker verify`, publish the new stream heads, then destroy the old store")
    return 0


def keys_export_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.people.keys import dumps
    from tracker.people.store import SealingStore

    async def main() -> dict[str, Any]:
        store = root.store()
        try:
            if not isinstance(store, SealingStore):
                raise InvalidInput("this store does not seal people's data")
            return await (await store.keys()).export()
        finally:
            await store.close()

    exported = asyncio.run(main())
    path = Path(args.file)
    path.touch(mode=0o600)
    path.write_text(dumps(exported) + "\n")
    print(f"exported {len(exported['keys'])} person keys to {path}")
    return 0


def keys_import_command(args: argparse.Namespace, root: Root) -> int:
    from tracker.people.store import SealingStore

    try:
        exported = json.loads(Path(args.file).read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read {args.file}: {exc}") from None

    async def main() -> int:
        store = root.store()
        try:
            if not isinstance(store, SealingStore):
                raise InvalidInput("this store does not seal people's data")
            added, erased = await store.import_keys(exported)
        finally:
            await store.close()
        print(f"imported {added} person keys; {erased} of the file's people are erased here")
        return 0

    return asyncio.run(main())


def add_people_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    people = commands.add_parser("people", help="people's personal data").add_subparsers(
        dest="people", required=True
    )
    erase = people.add_parser(
        "erase", help="erase a person: name and address gone, decisions kept (docs/privacy.md)"
    )
    erase.add_argument("email")
    erase.add_argument("--reason", required=True, help="the request this answers")
    erase.add_argument("--by", default=None, help="who erases (default: cli:<OS user>)")
    erase.set_defaults(handler=erase_command)
    reseal = people.add_parser(
        "reseal",
        help="load an export of a store from before issue 18 into this empty store, sealed",
    )
    reseal.add_argument("file")
    reseal.set_defaults(handler=reseal_command)
    keys = commands.add_parser("keys", help="per-person data keys").add_subparsers(
        dest="keys", required=True
    )
    export = keys.add_parser("export", help="write every person key (wrapped) to a file")
    export.add_argument("file")
    export.set_defaults(handler=keys_export_command)
    load = keys.add_parser("import", help="add the person keys of an export")
    load.add_argument("file")
    load.set_defaults(handler=keys_import_command)
