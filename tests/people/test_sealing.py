"""Sealing people's values in events, and opening them again: pure, no database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import uuid4

import msgspec
import pytest
from cryptography.exceptions import InvalidTag

import tracker.events  # noqa: F401  (registers every event type)
from tracker.events.base import Metadata, NewEvent, StoredEvent, registry
from tracker.events.codec import canonical_json
from tracker.events.deliverables import DeliverableApproved, DeliverablePlanned
from tracker.events.prepare import stored_fields
from tracker.events.reminders import ReminderSent
from tracker.events.values import PersonRef
from tracker.ids import stream_id
from tracker.people.crypto import DataKey, PeopleKey, new_data_key
from tracker.people.sealing import Keyring, MissingKeys, identities_of, rules_of

KEY = b"k" * 43
GLYN = PersonRef(email="glyn.peach@lcc.example", name="Glyn Peach")
MIKE = PersonRef(email="mike.kirby@lcc.example", name="Mike Kirby")
AT = datetime(2021, 3, 15, 9, tzinfo=UTC)


def keyring_for(*people: PersonRef | str) -> Keyring:
    """A keyring holding a key for each person, as ``KeyStore.ensure`` leaves it."""
    keyring = Keyring(PeopleKey(KEY))
    for someone in people:
        identity = someone if isinstance(someone, str) else someone.email or f"name:{someone.name}"
        names = {identity} if isinstance(someone, str) else {someone.name, someone.email}
        keyring.add(DataKey(keyring.pseudonym(identity), new_data_key()), names - {""})
    return keyring


def stored(new: NewEvent, position: int = 1) -> StoredEvent:
    return StoredEvent(
        position=position,
        stream_id="deliverable:x",
        version=position,
        event_id=new.event_id,
        type=type(new.data).__name__,
        schema_version=1,
        data=new.data,
        metadata=new.metadata,
        occurred_at=new.occurred_at,
        recorded_at=new.occurred_at,
        hash="0" * 64,
    )


def plan(note_on: PersonRef) -> NewEvent:
    return NewEvent(
        data=DeliverablePlanned(
            deliverable_id=uuid4(),
            programme_key="btls",
            title=f"Payroll cutover, as agreed with {note_on.name}",
            due_on=date(2021, 3, 31),
            approvers=(MIKE,),
            endorsers=(GLYN,),
        ),
        occurred_at=AT,
        metadata=Metadata(actor=GLYN.email, source={"row": f"Contact: {GLYN.name}, (01772) 5"}),
    )


def test_a_pseudonym_is_stable_for_one_key_unguessable_without_it_and_a_stream_id() -> None:
    one, other = PeopleKey(KEY), PeopleKey(b"o" * 43)
    assert one.pseudonym(GLYN.email) == PeopleKey(KEY).pseudonym(GLYN.email)
    assert one.pseudonym(GLYN.email) != other.pseudonym(GLYN.email)
    assert re.fullmatch(r"p_[a-z2-7]{26}", one.pseudonym(GLYN.email))
    assert stream_id(f"person:{one.pseudonym(GLYN.email)}")


def test_a_sealed_value_opens_only_with_its_own_key_and_seals_the_same_each_time() -> None:
    keyring = keyring_for(GLYN, MIKE)
    glyn = keyring.keys[keyring.pseudonym(GLYN.email)]
    sealed = glyn.seal(GLYN.email)
    assert sealed == glyn.seal(GLYN.email), "deterministic: an event sealed twice stores alike"
    assert glyn.open(sealed) == GLYN.email and GLYN.email not in sealed
    stranger = DataKey(glyn.pseudonym, new_data_key())
    with pytest.raises(InvalidTag):
        stranger.open(sealed)
    with pytest.raises(ValueError, match="not a value sealed for this person"):
        keyring.keys[keyring.pseudonym(MIKE.email)].open(sealed)


def test_a_wrapped_data_key_unwraps_only_for_its_own_person() -> None:
    people = PeopleKey(KEY)
    raw = new_data_key()
    wrapped = people.wrap("p_aaaaaaaaaaaaaaaaaaaaaaaaaa", raw)
    assert people.unwrap("p_aaaaaaaaaaaaaaaaaaaaaaaaaa", wrapped) == raw
    with pytest.raises(InvalidTag):
        people.unwrap("p_bbbbbbbbbbbbbbbbbbbbbbbbbb", wrapped)
    with pytest.raises(InvalidTag):
        PeopleKey(b"o" * 43).unwrap("p_aaaaaaaaaaaaaaaaaaaaaaaaaa", wrapped)


def test_an_event_is_stored_without_a_name_or_address_and_reads_back_the_same() -> None:
    keyring = keyring_for(GLYN, MIKE)
    new = plan(GLYN)
    sealed = keyring.seal_event(new)
    stored_text = (
        canonical_json(stored_fields(sealed.data)) + canonical_json(sealed.metadata)
    ).decode()
    assert re.search(r"glyn|peach|kirby|mike", stored_text, re.IGNORECASE) is None, stored_text
    assert "(01772) 5" in stored_text, "free text keeps what is not a known name"
    assert sealed.metadata.marked
    assert keyring.seal_event(new) == sealed
    opened = keyring.open_event(stored(sealed))
    assert opened.data == new.data and opened.metadata == new.metadata


def test_an_erased_person_reads_as_their_number_with_everything_else_intact() -> None:
    keyring = keyring_for(GLYN, MIKE)
    approved = NewEvent(
        data=DeliverableApproved(
            deliverable_id=uuid4(),
            programme_key="btls",
            round=1,
            actor=GLYN.email,
            on_behalf_of=MIKE.email,
        ),
        occurred_at=AT,
        metadata=Metadata(actor=GLYN.email, on_behalf_of=MIKE.email),
    )
    sealed = [keyring.seal_event(approved), keyring.seal_event(plan(GLYN))]
    glyn = keyring.pseudonym(GLYN.email)
    keyring.erase(glyn, 3)
    approval, planned = (keyring.open_event(stored(s)) for s in sealed)
    assert isinstance(approval.data, DeliverableApproved)
    assert (approval.data.actor, approval.data.on_behalf_of) == (
        "erased-3@erased.invalid",
        MIKE.email,
    )
    assert approval.metadata.actor == "erased-3@erased.invalid"
    assert isinstance(planned.data, DeliverablePlanned)
    assert planned.data.endorsers == (
        PersonRef(email="erased-3@erased.invalid", name="Erased person 3"),
    )
    assert planned.data.approvers == (MIKE,)
    assert planned.data.title == "Payroll cutover, as agreed with Erased person 3"
    assert planned.metadata.source["row"] == "Contact: Erased person 3, (01772) 5"
    assert planned.data.due_on == date(2021, 3, 31)


def test_someone_named_without_an_address_is_sealed_by_name() -> None:
    antony = PersonRef(email="", name="Antony Draper")
    keyring = keyring_for(antony)
    ref = keyring.seal_person(antony)
    assert "Antony" not in ref.email and ref.name == ""
    assert keyring.open_person(ref) == antony
    assert identities_of(plan(antony).data, Metadata()) == {
        MIKE.email: {MIKE.name},
        GLYN.email: {GLYN.name},
    }


def test_a_key_not_loaded_is_asked_for_and_one_the_store_lacks_reads_as_unknown() -> None:
    keyring = keyring_for(GLYN, MIKE)
    sealed = keyring.seal_event(plan(GLYN))
    reader = Keyring(PeopleKey(KEY))
    with pytest.raises(MissingKeys) as missing:
        reader.open_event(stored(sealed))
    assert missing.value.pseudonyms <= {
        keyring.pseudonym(GLYN.email),
        keyring.pseudonym(MIKE.email),
    }
    assert reader.missing([stored(sealed)]) == {
        keyring.pseudonym(GLYN.email),
        keyring.pseudonym(MIKE.email),
    }
    reader.absent.update(reader.missing([stored(sealed)]))
    opened = reader.open_event(stored(sealed))
    assert isinstance(opened.data, DeliverablePlanned)
    assert opened.data.endorsers[0].name.startswith("Unknown person p_")


def test_placeholders_of_erased_people_are_never_sealed() -> None:
    keyring = keyring_for(MIKE)
    erased = PersonRef(email="erased-2@erased.invalid", name="Erased person 2")
    assert keyring.seal_person(erased) == erased
    reminder = ReminderSent(
        programme_key="btls",
        kind="signoff_pending",
        item="deliverable:x",
        person="erased-2@erased.invalid",
        working_day=date(2021, 3, 15),
        key="k",
        message_id="m",
        summary="s",
    )
    assert identities_of(reminder, Metadata()) == {}


SURELY_PERSONAL = {
    "email",
    "actor",
    "on_behalf_of",
    "deputy",
    "principal",
    "deputy_name",
    "person",
    "previous_owner",
    "approvers",
    "endorsers",
    "informed",
    "endorsements_missing",
    "owner",
    "approver",
    "erased_by",
}


@pytest.mark.parametrize("name", registry.names())
def test_every_field_that_names_a_person_is_sealed(name: str) -> None:
    """A new event type (or field) holding an address must say so (``personal_fields``)."""
    event_type = registry.type_named(name)
    sealed = {rule.field for rule in rules_of(event_type)}
    fields = {f.name for f in msgspec.structs.fields(event_type)}
    assert fields & SURELY_PERSONAL <= sealed
    if "name" in fields and fields & {"email", "person"}:
        assert "name" in sealed
