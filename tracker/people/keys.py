"""The ``person_keys`` table: making, loading, erasing and backing up people's data keys."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.db import WRITE_OPTION, own_key
from tracker.errors import InvalidInput, NotFound
from tracker.events.codec import format_instant
from tracker.people.crypto import DataKey, PeopleKey, new_data_key
from tracker.people.sealing import Keyring

DATABASE_KEY: Final = "people"
KEYS_FORMAT: Final = "tracker-person-keys-v1"
GENERATION: Final = "SELECT COALESCE(MAX(erased_number), 0) FROM person_keys"
"""How many people the store has erased: a change means every process reloads its keys."""


async def _write(engine: AsyncEngine) -> AsyncConnection:
    conn = await engine.connect()
    return await conn.execution_options(**{WRITE_OPTION: True})


async def adopt_people_key(engine: AsyncEngine, exported: Mapping[str, Any]) -> None:
    """Take the development people key of a key export (a restore), when this database holds
    no one's key yet; refuses to replace a key that already sealed someone's data."""
    key = exported.get("people_key")
    if key is None:
        return
    if not isinstance(key, str) or len(key) < 43:
        raise InvalidInput("the key export's people_key is not a key")
    conn = await _write(engine)
    try:
        async with conn.begin():
            row = (
                await conn.execute(
                    text("SELECT key FROM people_keys WHERE name = :name"), {"name": DATABASE_KEY}
                )
            ).first()
            if row is not None and str(row.key) == key:
                return
            used = await conn.scalar(text("SELECT COUNT(*) FROM person_keys"))
            if row is not None and used:
                raise InvalidInput(
                    "this database already seals people's data under its own people key: a "
                    "key export from another store can only be imported into a new one"
                )
            await conn.execute(
                text("DELETE FROM people_keys WHERE name = :name"), {"name": DATABASE_KEY}
            )
            await conn.execute(
                text("INSERT INTO people_keys (name, key) VALUES (:name, :key)"),
                {"name": DATABASE_KEY, "key": key},
            )
    finally:
        await conn.close()


async def people_key(engine: AsyncEngine, configured: bytes | None) -> PeopleKey:
    """The people key: ``TRACKER_PEOPLE_KEY`` when set, else the database's own (made once)."""
    if configured is not None:
        return PeopleKey(configured)
    key = await own_key(engine, "people_keys", DATABASE_KEY)
    return PeopleKey(key.encode())


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    """What ``person_keys.identity`` holds, sealed under the person's own key."""

    identity: str
    names: tuple[str, ...] = ()


_identity_encoder = msgspec.json.Encoder(order="sorted")
_identity_decoder = msgspec.json.Decoder(Identity)


def _names_for(identity: str, names: Iterable[str]) -> set[str]:
    """What free text is searched for: the names given, and the address (or the name of a
    ``name:`` identity)."""
    found = {n for n in names if n}
    found.add(identity[len("name:") :] if identity.startswith("name:") else identity)
    return found


class KeyStore:
    def __init__(self, engine: AsyncEngine, keyring: Keyring, *, configured: bool) -> None:
        self.engine = engine
        self.keyring = keyring
        self.configured = configured
        """The people key comes from ``TRACKER_PEOPLE_KEY``, not the database."""

    def _take(self, row: Any) -> None:
        pseudonym = str(row.pseudonym)
        if row.wrapped_key is None:
            self.keyring.erased[pseudonym] = int(row.erased_number)
            self.keyring.keys.pop(pseudonym, None)
            return
        key = DataKey(pseudonym, self.keyring.people_key.unwrap(pseudonym, row.wrapped_key))
        identity = _identity_decoder.decode(key.open(row.identity))
        self.keyring.add(key, _names_for(identity.identity, identity.names))

    async def generation(self) -> int:
        """How many people this store has erased: a change means keys must be reloaded."""
        async with self.engine.connect() as conn:
            found = await conn.scalar(text(GENERATION))
        return int(found or 0)

    async def load_all(self) -> None:
        """Every key, and the erasure count read first: an erasure between the two reads
        leaves the count behind the keys, so the next check reloads (never the reverse)."""
        async with self.engine.connect() as conn:
            generation = await conn.scalar(text(GENERATION))
            rows = (
                await conn.execute(
                    text("SELECT pseudonym, wrapped_key, identity, erased_number FROM person_keys")
                )
            ).all()
        for row in rows:
            self._take(row)
        self.keyring.generation = int(generation or 0)

    async def refresh(self, pseudonyms: Iterable[str]) -> None:
        """Load these people's keys; those the table does not hold are marked absent."""
        wanted = sorted(set(pseudonyms))
        if not wanted:
            return
        marks = ", ".join(f":p{i}" for i in range(len(wanted)))
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT pseudonym, wrapped_key, identity, erased_number FROM person_keys "
                        f"WHERE pseudonym IN ({marks})"
                    ),
                    {f"p{i}": p for i, p in enumerate(wanted)},
                )
            ).all()
        for row in rows:
            self._take(row)
        found = {str(row.pseudonym) for row in rows}
        self.keyring.absent.update(p for p in wanted if p not in found)

    async def ensure(self, identities: Mapping[str, set[str]], now: datetime) -> None:
        """A key for everyone named, made where there is none; new names recorded. Refuses to
        name someone who was erased."""
        keyring = self.keyring
        by_pseudonym = {keyring.pseudonym(i): i for i in identities}
        unknown = [p for p in by_pseudonym if p not in keyring.keys]
        if unknown:
            await self.refresh(unknown)
        for pseudonym, identity in by_pseudonym.items():
            if pseudonym in keyring.erased:
                raise InvalidInput(
                    f"{identity!r} was erased from this tracker (as Erased person "
                    f"{keyring.erased[pseudonym]}): they cannot be named again",
                    code="person_erased",
                )
        made: list[dict[str, str]] = []
        renamed: list[dict[str, str]] = []
        for pseudonym, identity in by_pseudonym.items():
            names = _names_for(identity, identities[identity])
            key = keyring.keys.get(pseudonym)
            if key is None:
                key = DataKey(pseudonym, new_data_key())
                made.append(
                    {
                        "pseudonym": pseudonym,
                        "wrapped_key": keyring.people_key.wrap(pseudonym, key._raw),
                        "identity": key.seal(_identity_text(identity, names)),
                        "created_at": format_instant(now),
                    }
                )
                keyring.add(key, names)
            elif keyring.add_names(pseudonym, names):
                renamed.append(
                    {
                        "pseudonym": pseudonym,
                        "identity": key.seal(_identity_text(identity, keyring.names[pseudonym])),
                    }
                )
        if not made and not renamed:
            return
        conn = await _write(self.engine)
        try:
            async with conn.begin():
                for row in made:
                    await conn.execute(
                        text(
                            "INSERT INTO person_keys (pseudonym, wrapped_key, identity, "
                            "created_at) VALUES (:pseudonym, :wrapped_key, :identity, "
                            ":created_at) ON CONFLICT (pseudonym) DO NOTHING"
                        ),
                        row,
                    )
                for row in renamed:
                    await conn.execute(
                        text(
                            "UPDATE person_keys SET identity = :identity "
                            "WHERE pseudonym = :pseudonym AND wrapped_key IS NOT NULL"
                        ),
                        row,
                    )
        finally:
            await conn.close()
        if made:
            # Another process may have made some of these keys first: theirs are the keys.
            for row in made:
                keyring.keys.pop(row["pseudonym"], None)
            await self.refresh(row["pseudonym"] for row in made)

    async def erase(self, pseudonym: str, now: datetime) -> tuple[int, bool]:
        """Delete the person's key; their number and whether this call erased them (False:
        they were erased before). NotFound when the store never named them."""
        conn = await _write(self.engine)
        try:
            async with conn.begin():
                if self.engine.dialect.name == "sqlite":
                    # Overwrite the freed bytes: the deleted key must not stay in the file.
                    await conn.exec_driver_sql("PRAGMA secure_delete=ON")
                else:
                    # One erasure at a time (SQLite's write lock does this there): two at once
                    # would both take MAX + 1 and the second would break the number's UNIQUE.
                    await conn.exec_driver_sql("LOCK TABLE person_keys IN SHARE ROW EXCLUSIVE MODE")
                row = (
                    await conn.execute(
                        text("SELECT erased_number FROM person_keys WHERE pseudonym = :p"),
                        {"p": pseudonym},
                    )
                ).first()
                if row is None:
                    raise NotFound(
                        "this tracker holds no one with that address", code="person_not_found"
                    )
                if row.erased_number is not None:
                    return int(row.erased_number), False
                number = int(
                    await conn.scalar(
                        text("SELECT COALESCE(MAX(erased_number), 0) + 1 FROM person_keys")
                    )
                    or 1
                )
                await conn.execute(
                    text(
                        "UPDATE person_keys SET wrapped_key = NULL, identity = NULL, "
                        "erased_number = :n, erased_at = :at WHERE pseudonym = :p"
                    ),
                    {"n": number, "at": format_instant(now), "p": pseudonym},
                )
        finally:
            await conn.close()
        self.keyring.erase(pseudonym, number)
        return number, True

    async def erasure_finished(self, pseudonym: str) -> bool:
        async with self.engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT erasure_finished_at FROM person_keys WHERE pseudonym = :p"),
                {"p": pseudonym},
            )
        return found is not None

    async def finish_erasure(self, pseudonym: str, now: datetime) -> None:
        conn = await _write(self.engine)
        try:
            async with conn.begin():
                await conn.execute(
                    text("UPDATE person_keys SET erasure_finished_at = :at WHERE pseudonym = :p"),
                    {"at": format_instant(now), "p": pseudonym},
                )
        finally:
            await conn.close()

    async def export(self) -> dict[str, Any]:
        """Every key row as stored (data keys still wrapped under the people key), and the
        people key itself when it is the database's own (no ``TRACKER_PEOPLE_KEY``): a restore
        needs it to open anything."""
        async with self.engine.connect() as conn:
            own = (
                await conn.execute(
                    text("SELECT key FROM people_keys WHERE name = :name"), {"name": DATABASE_KEY}
                )
            ).first()
            rows = (
                await conn.execute(
                    text(
                        "SELECT pseudonym, wrapped_key, identity, created_at, erased_number, "
                        "erased_at, erasure_finished_at FROM person_keys ORDER BY pseudonym"
                    )
                )
            ).all()
        return {
            "format": KEYS_FORMAT,
            "people_key": None if self.configured or own is None else str(own.key),
            "keys": [dict(row._mapping) for row in rows],
        }

    async def import_keys(self, exported: Mapping[str, Any]) -> tuple[int, int]:
        """Add the keys of an export; an erasure recorded here is never undone by an older
        backup. Returns (added, kept as erased)."""
        if exported.get("format") != KEYS_FORMAT:
            raise InvalidInput(f"not a key export: expected format {KEYS_FORMAT!r}")
        rows = exported.get("keys")
        if not isinstance(rows, list):
            raise InvalidInput("a key export holds a list of keys")
        added = erased = 0
        conn = await _write(self.engine)
        try:
            async with conn.begin():
                for row in rows:
                    here = (
                        await conn.execute(
                            text("SELECT erased_number FROM person_keys WHERE pseudonym = :p"),
                            {"p": row["pseudonym"]},
                        )
                    ).first()
                    if here is not None:
                        erased += here.erased_number is not None
                        continue
                    await conn.execute(
                        text(
                            "INSERT INTO person_keys (pseudonym, wrapped_key, identity, "
                            "created_at, erased_number, erased_at, erasure_finished_at) VALUES "
                            "(:pseudonym, :wrapped_key, :identity, :created_at, :erased_number, "
                            ":erased_at, :erasure_finished_at)"
                        ),
                        {
                            k: row.get(k)
                            for k in (
                                "pseudonym",
                                "wrapped_key",
                                "identity",
                                "created_at",
                                "erased_number",
                                "erased_at",
                                "erasure_finished_at",
                            )
                        },
                    )
                    added += 1
        finally:
            await conn.close()
        self.keyring.forget()
        return added, erased


def _identity_text(identity: str, names: Iterable[str]) -> str:
    return _identity_encoder.encode(
        Identity(identity=identity, names=tuple(sorted(names)))
    ).decode()


def dumps(exported: Mapping[str, Any]) -> str:
    return json.dumps(exported, indent=1, sort_keys=True)
