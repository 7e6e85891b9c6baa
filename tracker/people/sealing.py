"""Which event fields name whom, and events turned into their sealed form and back. Pure.

Three kinds of field hold personal data:

- ``PersonRef`` fields (found from the types: ``PersonRef``, ``PersonRef | None``,
  ``tuple[PersonRef, ...]``): sealed whole, the e-mail field holding ``sealed:...`` of
  ``[email, name]`` and the name left empty;
- the address and name fields an event type lists in ``Event.personal_fields`` (and the
  metadata's ``actor`` and ``on_behalf_of``): each sealed under its person's key;
- free text, every other string: where it quotes a name or address of someone the keyring
  knows, that part is replaced by ``⟦sealed:...⟧`` (a *marker*), and the metadata says so
  (``Metadata.marked``), so that reading looks for markers only where there are some.

Reading turns them back. A person whose key is erased reads as ``Erased person N``
(``erased-N@erased.invalid``), their roles, letters, dates and decisions untouched.
"""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal

import msgspec

from tracker.events.base import Event, Metadata, NewEvent, StoredEvent
from tracker.events.values import PersonRef
from tracker.people.crypto import SEALED_PATTERN, DataKey, PeopleKey, sealed_pseudonym

MARKER_OPEN: Final = "⟦"
MARKER_CLOSE: Final = "⟧"
_MARKER: Final = re.compile(rf"{MARKER_OPEN}(sealed:p_[a-z2-7]{{26}}:[A-Za-z0-9_-]+){MARKER_CLOSE}")
MIN_MARKED_NAME: Final = 4
"""Shorter names are not looked for in free text: "Jo" would mark every "Jo" in a sentence."""

Kind = Literal["person", "people", "address", "addresses", "name"]


class FieldRule(msgspec.Struct, frozen=True):
    field: str
    kind: Kind
    owner: str
    """For ``name``: the field holding whose name it is."""


@functools.cache
def rules_of(event_type: type[Event]) -> tuple[FieldRule, ...]:
    """The personal fields of an event type, worked out once per type."""
    hints = typing.get_type_hints(event_type)
    found: list[FieldRule] = []
    for field in msgspec.structs.fields(event_type):
        hint = hints[field.name]
        if _holds(hint, PersonRef):
            kind: Kind = "people" if typing.get_origin(hint) is tuple else "person"
            found.append(FieldRule(field.name, kind, field.name))
    for name, owner in event_type.personal_fields.items():
        hint = hints[name]
        if owner != name:
            found.append(FieldRule(name, "name", owner))
        elif typing.get_origin(hint) is tuple:
            found.append(FieldRule(name, "addresses", name))
        else:
            found.append(FieldRule(name, "address", name))
    return tuple(found)


def _holds(hint: Any, wanted: type) -> bool:
    if hint is wanted:
        return True
    origin = typing.get_origin(hint)
    if origin in (tuple, typing.Union, types.UnionType):
        return any(_holds(arg, wanted) for arg in typing.get_args(hint) if arg is not Ellipsis)
    return False


PLACEHOLDER_DOMAINS: Final = ("@erased.invalid", "@unknown.invalid")


def is_placeholder(identity: str) -> bool:
    """An erased or unknown person as read back: not anyone's data, never sealed."""
    return identity.endswith(PLACEHOLDER_DOMAINS)


def ref_identity(ref: PersonRef) -> str:
    """Whose a ``PersonRef`` is: the address, or ``name:<Name>`` for someone named without one
    (a RAID owner known only by name); empty when it holds neither."""
    if ref.email:
        return ref.email
    return f"name:{ref.name}" if ref.name else ""


def identities_of(event: Event, metadata: Metadata) -> dict[str, set[str]]:
    """Everyone an event names: identity (lower-cased address, or ``name:<Name>``) -> the names
    it gives them. Keys are made for each before the event is sealed."""
    found: dict[str, set[str]] = {}

    def add(identity: str | None, name: str = "") -> None:
        if not identity or sealed_pseudonym(identity) is not None or is_placeholder(identity):
            return
        names = found.setdefault(identity, set())
        if name:
            names.add(name)

    for rule in rules_of(type(event)):
        value = getattr(event, rule.field)
        if rule.kind == "person" and value is not None:
            add(ref_identity(value), value.name)
        elif rule.kind == "people":
            for ref in value:
                add(ref_identity(ref), ref.name)
        elif rule.kind == "address":
            add(value)
        elif rule.kind == "addresses":
            for one in value:
                add(one)
        elif rule.kind == "name":
            add(getattr(event, rule.owner), value)
    add(metadata.actor)
    add(metadata.on_behalf_of)
    return found


def _erased_email(number: int) -> str:
    return f"erased-{number}@erased.invalid"


def _erased_name(number: int) -> str:
    return f"Erased person {number}"


class MissingKeys(Exception):
    """Sealed values of people whose keys this process has not loaded yet."""

    def __init__(self, pseudonyms: Iterable[str]) -> None:
        self.pseudonyms = frozenset(pseudonyms)
        super().__init__(f"keys not loaded: {len(self.pseudonyms)}")


class Keyring:
    """The data keys one process holds, the erased, and the names free text is searched for.

    Filled by ``tracker.people.keys``; everything here is in memory and synchronous."""

    def __init__(self, people_key: PeopleKey) -> None:
        self.people_key = people_key
        self.keys: dict[str, DataKey] = {}
        self.erased: dict[str, int] = {}
        """Erased pseudonym -> its number ("Erased person N")."""
        self.absent: set[str] = set()
        """Pseudonyms looked up and not found in this store (e.g. events imported without
        their keys): read as unknown rather than looked up again each time."""
        self.names: dict[str, set[str]] = {}
        """Pseudonym -> the names and address free text is searched for."""
        self._opened: dict[str, str] = {}
        self._people: dict[str, PersonRef] = {}
        """Opened ``PersonRef`` by sealed text (immutable, so shared)."""
        self._finder: re.Pattern[str] | None = None
        self._finder_owner: dict[str, str] = {}
        self.generation = -1
        """The store's erasure count when the keys were loaded (``keys.KeyStore``)."""
        self._opening = _Rewrite(
            person=self.open_person,
            address=self.open_address,
            name=lambda _owner, value: self.open_name(value),
            text=self.unmark,
            texts=False,
            sealing=False,
        )
        self._opening_marked = msgspec.structs.replace(self._opening, texts=True)

    # Keys.

    def pseudonym(self, identity: str) -> str:
        return self.people_key.pseudonym(identity)

    def add(self, key: DataKey, names: Iterable[str]) -> None:
        self.keys[key.pseudonym] = key
        self.absent.discard(key.pseudonym)
        self.add_names(key.pseudonym, names)

    def add_names(self, pseudonym: str, names: Iterable[str]) -> bool:
        """Record names to look for; True when any is new."""
        known = self.names.setdefault(pseudonym, set())
        new = {n for n in names if n and n not in known}
        if new:
            known.update(new)
            self._finder = None
        return bool(new)

    def erase(self, pseudonym: str, number: int) -> None:
        """The person's key is gone: they read as "Erased person ``number``" from now on."""
        self.keys.pop(pseudonym, None)
        self.erased[pseudonym] = number
        self.names.pop(pseudonym, None)
        self._opened.clear()
        self._people.clear()
        self._finder = None
        if self.generation == number - 1:
            # Up to date before, and this erasure the store's latest: still up to date (a
            # keyring already behind stays behind, to be reloaded at the next check).
            self.generation = number

    def forget(self) -> None:
        """Drop every key and opened value (an erasure happened somewhere)."""
        self.keys.clear()
        self.erased.clear()
        self.absent.clear()
        self.names.clear()
        self._opened.clear()
        self._people.clear()
        self._finder = None

    # Sealing.

    def seal(self, identity: str, plain: str) -> str:
        return self.keys[self.pseudonym(identity)].seal(plain)

    def seal_person(self, ref: PersonRef) -> PersonRef:
        identity = ref_identity(ref)
        if not identity or sealed_pseudonym(ref.email) is not None or is_placeholder(identity):
            return ref
        return PersonRef(email=self.seal(identity, json.dumps([ref.email, ref.name])))

    def _seal_address(self, value: str | None) -> str | None:
        if not value or sealed_pseudonym(value) is not None or is_placeholder(value):
            return value
        return self.seal(value, value)

    def mark(self, text: str) -> str:
        """Free text with every known name and address in it sealed as a marker."""
        finder = self._name_finder()
        if finder is None or not text:
            return text

        def sealed(found: re.Match[str]) -> str:
            pseudonym = self._finder_owner[found.group(0).lower()]
            return MARKER_OPEN + self.keys[pseudonym].seal(found.group(0)) + MARKER_CLOSE

        return finder.sub(sealed, text)

    def _name_finder(self) -> re.Pattern[str] | None:
        if self._finder is None:
            owner: dict[str, str] = {}
            for pseudonym, names in self.names.items():
                if pseudonym not in self.keys:
                    continue
                for name in names:
                    if len(name) >= MIN_MARKED_NAME:
                        owner.setdefault(name.lower(), pseudonym)
            self._finder_owner = owner
            if not owner:
                return None
            choices = "|".join(re.escape(n) for n in sorted(owner, key=len, reverse=True))
            self._finder = re.compile(rf"(?<![\w@.+-])(?:{choices})(?![\w@])", re.IGNORECASE)
        return self._finder

    def _seal_name(self, owner: str, value: str) -> str:
        if not value or not owner or is_placeholder(owner):
            return value
        return self.seal(owner, value)

    def seal_event(self, new: NewEvent) -> NewEvent:
        """The event as stored: personal fields sealed, free text marked."""
        data, metadata = _rewritten(
            new.data,
            new.metadata,
            _Rewrite(
                person=self.seal_person,
                address=self._seal_address,
                name=self._seal_name,
                text=self.mark,
                texts=True,
                sealing=True,
            ),
        )
        if data is new.data and metadata is new.metadata:
            return new
        return msgspec.structs.replace(new, data=data, metadata=metadata)

    # Opening.

    def _open(
        self, sealed: str, erased: Callable[[int], str], unknown: Callable[[str], str]
    ) -> str:
        opened = self._opened.get(sealed)
        if opened is not None:
            return opened
        pseudonym = sealed_pseudonym(sealed)
        if pseudonym is None:
            return sealed
        key = self.keys.get(pseudonym)
        if key is not None:
            opened = key.open(sealed)
            if len(self._opened) > 50_000:
                self._opened.clear()
                self._people.clear()
            self._opened[sealed] = opened
            return opened
        number = self.erased.get(pseudonym)
        if number is not None:
            return erased(number)
        if pseudonym in self.absent:
            return unknown(pseudonym)
        raise MissingKeys([pseudonym])

    def open_person(self, ref: PersonRef) -> PersonRef:
        known = self._people.get(ref.email)
        if known is not None:
            return known
        if sealed_pseudonym(ref.email) is None:
            return ref
        opened = self._open(
            ref.email,
            lambda n: json.dumps([_erased_email(n), _erased_name(n)]),
            lambda p: json.dumps([f"{p}@unknown.invalid", f"Unknown person {p}"]),
        )
        email, name = json.loads(opened)
        person = PersonRef(email=email, name=name)
        if ref.email in self._opened:  # kept only while its key is (not for the erased)
            self._people[ref.email] = person
        return person

    def open_address(self, value: str | None) -> str | None:
        if not value or not value.startswith("sealed:"):
            return value
        return self._open(value, _erased_email, lambda p: f"{p}@unknown.invalid")

    def open_name(self, value: str) -> str:
        if not value.startswith("sealed:"):
            return value
        return self._open(value, _erased_name, lambda p: f"Unknown person {p}")

    def unmark(self, text: str) -> str:
        if MARKER_OPEN not in text:
            return text
        return _MARKER.sub(lambda found: self.open_name(found.group(1)), text)

    def missing(self, events: Iterable[StoredEvent]) -> set[str]:
        """Pseudonyms in these events whose keys are neither loaded nor known erased."""
        wanted: set[str] = set()
        for stored in events:
            for text in _sealed_texts(stored):
                for found in SEALED_PATTERN.finditer(text):
                    pseudonym = found.group(1)
                    if (
                        pseudonym not in self.keys
                        and pseudonym not in self.erased
                        and pseudonym not in self.absent
                    ):
                        wanted.add(pseudonym)
        return wanted

    def open_event(self, stored: StoredEvent) -> StoredEvent:
        """The event as the domain knows it: sealed fields opened, markers restored."""
        data, metadata = _rewritten(
            stored.data,
            stored.metadata,
            self._opening_marked if stored.metadata.marked else self._opening,
        )
        if data is stored.data and metadata is stored.metadata:
            return stored
        return msgspec.structs.replace(stored, data=data, metadata=metadata)


class _Rewrite(msgspec.Struct, frozen=True, kw_only=True):
    """What sealing (or opening) does to each kind of field."""

    person: Callable[[PersonRef], PersonRef]
    address: Callable[[str | None], str | None]
    name: Callable[[str, str], str]
    """(whose, name) -> name."""
    text: Callable[[str], str]
    texts: bool
    """Whether to go through the free text at all (opening: only a marked event's)."""
    sealing: bool


def _rewritten(event: Event, metadata: Metadata, rewrite: _Rewrite) -> tuple[Event, Metadata]:
    """The event and its metadata with each personal field and (when asked) every free text
    rewritten; the very same objects when nothing changed."""
    changes: dict[str, Any] = {}
    rules = rules_of(type(event))
    for rule in rules:
        value = getattr(event, rule.field)
        if rule.kind == "person":
            done: Any = None if value is None else rewrite.person(value)
        elif rule.kind == "people":
            done = tuple(rewrite.person(ref) for ref in value)
        elif rule.kind == "address":
            done = rewrite.address(value)
        elif rule.kind == "addresses":
            done = tuple(rewrite.address(one) for one in value)
        else:
            done = rewrite.name(getattr(event, rule.owner), value)
        # Each rewrite gives back the very object when it changes nothing.
        if done is not value and done != value:
            changes[rule.field] = done
    meta_changes: dict[str, Any] = {}
    for name in ("actor", "on_behalf_of"):
        value = getattr(metadata, name)
        done = rewrite.address(value)
        if done is not value:
            meta_changes[name] = done
    if rewrite.texts:
        personal = {rule.field for rule in rules}
        texts = [(name, value, changes) for name, value in _fields(event) if name not in personal]
        texts += [(n, getattr(metadata, n), meta_changes) for n in ("source", "backdating_reason")]
        changed = False
        for name, value, into in texts:
            done = _walk_text(value, rewrite.text)
            if done is not value:
                into[name] = done
                changed = True
        # Sealing marks an event whose free text now holds markers; opening unmarks it.
        marked = (metadata.marked or changed) if rewrite.sealing else False
        if marked != metadata.marked:
            meta_changes["marked"] = marked
    if not changes and not meta_changes:
        return event, metadata
    return (
        msgspec.structs.replace(event, **changes) if changes else event,
        msgspec.structs.replace(metadata, **meta_changes) if meta_changes else metadata,
    )


def _fields(event: msgspec.Struct) -> Iterable[tuple[str, Any]]:
    for name in event.__struct_fields__:
        yield name, getattr(event, name)


def _walk_text(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` with ``change`` applied to every string in it (through tuples, lists, dicts and
    nested structs); the very same object when nothing changed."""
    if isinstance(value, str):
        changed = change(value)
        return value if changed == value else changed
    if isinstance(value, tuple | list):
        items = [_walk_text(v, change) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        pairs = {k: _walk_text(v, change) for k, v in value.items()}
        if all(pairs[k] is value[k] for k in value):
            return value
        return pairs
    if isinstance(value, msgspec.Struct) and not isinstance(value, PersonRef):
        changes = {}
        for name, inner in _fields(value):
            new_inner = _walk_text(inner, change)
            if new_inner is not inner:
                changes[name] = new_inner
        return msgspec.structs.replace(value, **changes) if changes else value
    return value


def _sealed_texts(stored: StoredEvent) -> Iterable[str]:
    event = stored.data
    for rule in rules_of(type(event)):
        value = getattr(event, rule.field)
        if isinstance(value, PersonRef):
            yield value.email
        elif isinstance(value, str):
            yield value
        elif isinstance(value, tuple):
            for one in value:
                yield one.email if isinstance(one, PersonRef) else one
    for value in (stored.metadata.actor, stored.metadata.on_behalf_of):
        if value:
            yield value
    if stored.metadata.marked:
        texts: list[str] = []

        def keep(text: str) -> str:
            texts.append(text)
            return text

        _walk_text(stored.data, keep)
        _walk_text(stored.metadata.source, keep)
        if stored.metadata.backdating_reason:
            texts.append(stored.metadata.backdating_reason)
        yield from (t for t in texts if MARKER_OPEN in t)


def personal_field_map(pairs: Mapping[str, str]) -> Mapping[str, str]:
    """``Event.personal_fields``: field -> the field naming its person (itself for an
    address)."""
    return types.MappingProxyType(dict(pairs))
