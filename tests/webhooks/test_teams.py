"""Teams messages are Adaptive Cards that Microsoft's own schema accepts, and show people's text
as typed.

The schema is the one the Adaptive Cards designer ships (npm ``adaptivecards-designer``,
``tests/pages/package.json``), read out of its module by node. Without it the schema tests skip
locally and fail when ``CI=true``.

That schema checks only the *first* element of ``body`` (its ``items`` is a one-element tuple
with ``additionalItems: true``), so ``schema_errors`` also checks every element and every
action in the first place of an otherwise identical card.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Final

import pytest
from jsonschema import Draft6Validator

from tests.databases import in_ci
from tracker.webhooks.teams import CARD_CONTENT_TYPE, cap, plain, teams_message

SCHEMA_JS: Final = (
    Path(__file__).parents[1]
    / "pages"
    / "node_modules"
    / "adaptivecards-designer"
    / "lib"
    / "adaptive-card-schema.js"
)
READ_SCHEMA: Final = (
    "process.stdout.write(JSON.stringify(require(process.argv[1]).adaptiveCardSchema))"
)

SIGNED_OFF: Final[dict[str, Any]] = {
    "id": "0b7e3f0e-5d1c-5c55-9a43-1f6d7c2e9a10",
    "kind": "signoff",
    "type": "DeliverableSignedOff",
    "position": 1234,
    "programme": "btls",
    "programme_name": "BTLS Transition",
    "occurred_at": "2024-06-10T09:30:00Z",
    "recorded_at": "2024-06-10T09:30:02Z",
    "summary": "BTLS Transition: deliverable 'Cut-over plan' signed off by Glyn Peach.",
    "data": {"deliverable_id": "d-1", "actor": "glyn.peach@example.gov.uk"},
    "links": {
        "programme": "https://tracker.example.gov.uk/programmes/btls",
        "event": "https://tracker.example.gov.uk/api/v1/events?after=1233&limit=1",
    },
}
RAG_CHANGED: Final[dict[str, Any]] = {
    "id": "4c2d9a8e-0f7b-5b1e-8d3c-2a6e5f4b3c21",
    "kind": "rag",
    "type": "ColourChanged",
    "position": 1301,
    "programme": "liquidlogic",
    "programme_name": "Liquidlogic",
    "occurred_at": "2024-06-11T00:05:00Z",
    "recorded_at": "2024-06-11T00:05:00Z",
    "summary": "Liquidlogic: 'Data migration' Amber -> Red: due date passed.",
    "data": {"subject": "milestone:m-7", "previous": "amber", "current": "red"},
    "links": {},
}
PING: Final[dict[str, Any]] = {
    "id": "9e8d7c6b-5a49-5382-9170-6f5e4d3c2b1a",
    "kind": "ping",
    "type": "Ping",
    "position": None,
    "programme": "",
    "programme_name": "",
    "occurred_at": "2024-06-12T08:00:00Z",
    "recorded_at": "2024-06-12T08:00:00Z",
    "summary": "Ping for webhook subscription s-1: the tracker can reach you.",
    "data": {"subscription_id": "s-1"},
    "links": {},
}
MARKDOWN_AND_LONG: Final[dict[str, Any]] = {
    **SIGNED_OFF,
    "kind": "raid",
    "type": "RiskRaised",
    "programme_name": "**Urgent** [click me](https://evil.example) _now_",
    "summary": (
        "# Heading\n- not a list\n1. not numbered\n> not a quote\n`code` ~strike~ |pipe| "
        "{{DATE(2024-06-10T09:30:00Z, SHORT)}} back\\slash "
    )
    + "risk text " * 400,
}
DELIVERIES: Final = {
    "sign-off with links": SIGNED_OFF,
    "rag change without links": RAG_CHANGED,
    "ping without a programme": PING,
    "markdown and very long text": MARKDOWN_AND_LONG,
}


def need_schema() -> None:
    """The schema and node are present, or the test skips (locally) / fails (CI=true)."""
    if SCHEMA_JS.exists() and shutil.which("node") is not None:
        return
    message = (
        f"the Adaptive Card schema ({SCHEMA_JS}) or node is missing: run (cd tests/pages && npm ci)"
    )
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def validator() -> Draft6Validator:
    need_schema()
    done = subprocess.run(
        ["node", "-e", READ_SCHEMA, str(SCHEMA_JS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    schema = json.loads(done.stdout)
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def schema_errors(validator: Draft6Validator, card: dict[str, Any]) -> list[str]:
    """The schema's complaints about the card, and about each element and action of it put
    first (where the schema looks)."""
    cards = [card]
    cards += [{**card, "body": [element]} for element in card.get("body", [])]
    cards += [{**card, "actions": [action]} for action in card.get("actions", [])]
    return [error.message for one in cards for error in validator.iter_errors(one)]


def card_of(delivery: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = teams_message(delivery)["attachments"][0]["content"]
    return content


def texts(card: dict[str, Any]) -> list[str]:
    """Every text the card shows: TextBlocks and fact values."""
    found: list[str] = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            found.append(element["text"])
        if element["type"] == "FactSet":
            found += [fact["value"] for fact in element["facts"]]
    return found


def facts(card: dict[str, Any]) -> dict[str, str]:
    fact_set = next(e for e in card["body"] if e["type"] == "FactSet")
    return {fact["title"]: fact["value"] for fact in fact_set["facts"]}


@pytest.mark.parametrize("name", DELIVERIES)
def test_every_card_is_valid_against_microsofts_schema(
    validator: Draft6Validator, name: str
) -> None:
    assert schema_errors(validator, card_of(DELIVERIES[name])) == []


def test_the_schema_check_bites(validator: Draft6Validator) -> None:
    assert schema_errors(validator, {"type": "AdaptiveCard"})
    good = card_of(SIGNED_OFF)
    bad_later_element = {**good, "body": [*good["body"], {"type": "TextBlock"}]}
    assert validator.is_valid(bad_later_element), "the schema alone misses later elements"
    assert schema_errors(validator, bad_later_element)
    assert schema_errors(validator, {**good, "actions": [{"type": "Action.OpenUrl"}]})


def test_the_envelope_is_a_message_with_one_adaptive_card_attachment() -> None:
    message = teams_message(SIGNED_OFF)
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert (
        attachment["contentType"] == CARD_CONTENT_TYPE == "application/vnd.microsoft.card.adaptive"
    )
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    json.dumps(message)


def test_a_sign_off_card_has_heading_summary_facts_and_a_button() -> None:
    card = card_of(SIGNED_OFF)
    heading, summary, _ = card["body"]
    assert heading["text"] == "Sign-off: BTLS Transition"
    assert heading["weight"] == "bolder"
    assert summary["wrap"] is True
    assert summary["text"] == (
        "BTLS Transition: deliverable 'Cut-over plan' signed off by Glyn Peach."
    )
    assert facts(card) == {
        "Programme": "BTLS Transition",
        "What": "Deliverable signed off",
        "When": "2024-06-10T09:30:00Z",
        "Recorded": "2024-06-10T09:30:02Z",
        "Position": "1234",
    }
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open the programme",
            "url": "https://tracker.example.gov.uk/programmes/btls",
        }
    ]


def test_a_card_without_a_programme_link_has_no_button() -> None:
    card = card_of(RAG_CHANGED)
    assert card["body"][0]["text"] == "RAG status: Liquidlogic"
    assert facts(card)["What"] == "Colour changed"
    assert card["actions"] == []


def test_a_ping_names_no_programme_and_no_position() -> None:
    card = card_of(PING)
    assert card["body"][0]["text"] == "Test ping"
    assert facts(card)["Programme"] == "None"
    assert "Position" not in facts(card)


def test_markdown_characters_are_escaped_to_read_as_typed() -> None:
    assert plain("**bold** _it_ [a](b) #h > q `c` ~s~ |t| <u> {{x}}") == (
        r"\*\*bold\*\* \_it\_ \[a\]\(b\) \#h \> q \`c\` \~s\~ \|t\| \<u\> \{\{x\}\}"
    )
    assert plain("a back\\slash") == "a back\\\\slash"
    assert plain("plain words, full stops. And 3.5% - fine") == (
        "plain words, full stops. And 3.5% - fine"
    )


def test_leading_list_markers_are_escaped() -> None:
    assert plain("- one\n+ two\n* three\n  12. four\n===\nfive") == (
        "\\- one\n\\+ two\n\\* three\n  12\\. four\n\\===\nfive"
    )


def test_people_s_markdown_reaches_the_card_escaped() -> None:
    card = card_of(MARKDOWN_AND_LONG)
    heading, summary, _ = card["body"]
    assert heading["text"] == (
        r"RAID log: \*\*Urgent\*\* \[click me\]\(https://evil.example\) \_now\_"
    )
    assert summary["text"].startswith("\\# Heading\n\\- not a list\n1\\. not numbered\n\\> not")
    assert r"\{\{DATE\(2024-06-10T09:30:00Z, SHORT\)\}\}" in summary["text"]
    assert facts(card)["What"] == "Risk raised"


def test_every_text_is_capped_at_2000_characters_with_an_ellipsis() -> None:
    card = card_of(MARKDOWN_AND_LONG)
    summary = card["body"][1]["text"]
    assert len(summary) == 2_000
    assert summary.endswith("…")
    assert all(len(text) <= 2_000 for text in texts(card))
    assert cap("x" * 2_000) == "x" * 2_000
    assert cap("x" * 2_001) == "x" * 1_999 + "…"


def test_the_cap_never_leaves_half_an_escape() -> None:
    capped = plain("a" * 1_998 + "**")
    assert capped == "a" * 1_998 + "…"
    assert plain("a" * 1_997 + "**") == "a" * 1_997 + "\\*…"
