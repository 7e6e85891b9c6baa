"""A delivery as a Microsoft Teams message: an Adaptive Card (version 1.4) in the envelope that
Teams incoming webhooks and Power Automate's "post to a channel when a webhook request is
received" accept; pure.

The card has a bold heading (the kind in words and the programme), the summary, a fact set
(programme, what happened, when, when recorded, position in the event log) and a button to the
programme's page when the delivery links to one. TextBlocks and fact values render a subset of
Markdown, so text that may come from people (titles, names, reasons) is escaped to read as
typed, and each text is capped at 2,000 characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from tracker.webhooks.kinds import words

CARD_CONTENT_TYPE: Final = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA: Final = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION: Final = "1.4"
TEXT_MAX: Final = 2_000
ELLIPSIS: Final = "…"

KIND_WORDS: Final = {
    "signoff": "Sign-off",
    "closure": "Closure",
    "milestone": "Milestone",
    "raid": "RAID log",
    "rag": "RAG status",
    "ping": "Test ping",
}

# The backslash is escaped too, so that a typed backslash cannot undo the escape after it.
_MARKDOWN: Final = re.compile(r"([\\*_\[\]()#>`~|<{}])")
# At the start of a line: bullets (- + *), setext underlines (= -) and numbered items (1. 1)).
_LINE_MARKER: Final = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_NUMBERED: Final = re.compile(r"^(\s*[0-9]+)\.", re.MULTILINE)


def cap(text: str) -> str:
    """At most ``TEXT_MAX`` characters, the last an ellipsis when cut; never ends by leaving
    half of a backslash escape."""
    if len(text) <= TEXT_MAX:
        return text
    cut = text[: TEXT_MAX - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + ELLIPSIS


def plain(text: str) -> str:
    """Text that Teams shows as typed: Markdown characters and leading list markers escaped
    with a backslash (``{`` too, which would start a ``{{DATE()}}`` function), then capped."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    escaped = _LINE_MARKER.sub(r"\1\\\2", escaped)
    return cap(_NUMBERED.sub(r"\1\\.", escaped))


def _text(delivery: Mapping[str, Any], key: str) -> str:
    value = delivery.get(key)
    return "" if value is None else str(value)


def _programme(delivery: Mapping[str, Any]) -> str:
    return _text(delivery, "programme_name") or _text(delivery, "programme")


def heading(delivery: Mapping[str, Any]) -> str:
    """``Sign-off: BTLS Transition``: the kind in words, then the programme if there is one."""
    kind = _text(delivery, "kind")
    said = KIND_WORDS.get(kind, kind.capitalize())
    programme = _programme(delivery)
    return f"{said}: {programme}" if programme else said


def _facts(delivery: Mapping[str, Any]) -> list[dict[str, str]]:
    facts = [
        ("Programme", _programme(delivery) or "None"),
        ("What", words(_text(delivery, "type")).capitalize()),
        ("When", _text(delivery, "occurred_at")),
        ("Recorded", _text(delivery, "recorded_at")),
    ]
    if delivery.get("position") is not None:
        facts.append(("Position", _text(delivery, "position")))
    return [{"title": title, "value": plain(value)} for title, value in facts]


def _actions(delivery: Mapping[str, Any]) -> list[dict[str, str]]:
    links = delivery.get("links")
    url = links.get("programme") if isinstance(links, Mapping) else None
    if not isinstance(url, str) or not url:
        return []
    return [{"type": "Action.OpenUrl", "title": "Open the programme", "url": url}]


def card(delivery: Mapping[str, Any]) -> dict[str, Any]:
    """The Adaptive Card for a delivery's JSON body."""
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": [
            {
                "type": "TextBlock",
                "text": plain(heading(delivery)),
                "weight": "bolder",
                "size": "medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": plain(_text(delivery, "summary")), "wrap": True},
            {"type": "FactSet", "facts": _facts(delivery)},
        ],
        "actions": _actions(delivery),
    }


def teams_message(delivery: Mapping[str, Any]) -> dict[str, Any]:
    """The body to POST to a Teams or Power Automate webhook URL for a delivery."""
    return {
        "type": "message",
        "attachments": [
            {"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card(delivery)}
        ],
    }
