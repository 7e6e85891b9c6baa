"""One e-mail per person per pass: every reminder due to them, as plain text and HTML; pure.

Reminders are grouped in sections by kind (``model.KINDS`` order), each line naming the
programme, saying what is due and why, and linking to the item (``base_url`` + its path).
The Message-ID is derived from the reminders' deduplication keys, so the same reminders sent
twice (the crash window between the server's acceptance and the record) carry the same
Message-ID; each ``ReminderSent`` records it, so the keys of any message can be looked up.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from html import escape as _escape
from urllib.parse import quote

from tracker.events.reminders import ReminderKind
from tracker.reminders.model import KINDS, Recipient, Reminder, long_day

SECTIONS: dict[ReminderKind, str] = {
    "signoff_pending": "Sign-offs awaiting you",
    "signoff_escalation": "Sign-offs held up (you are the Accountable owner)",
    "milestone_overdue": "Milestones overdue",
    "milestone_due": "Milestones due soon",
    "risk_stale": "Risks and issues you own with no recent update",
    "closure_approved": "Programme closure news",
    "weekly_digest": "Weekly RAG digest",
}

SUBJECTS: dict[ReminderKind, str] = {
    "signoff_pending": "Sign-off awaiting you",
    "signoff_escalation": "Sign-off held up",
    "milestone_overdue": "Milestone overdue",
    "milestone_due": "Milestone due soon",
    "risk_stale": "No recent update",
    "closure_approved": "Programme closed",
    "weekly_digest": "Weekly RAG digest",
}

WIDTH = 78
"""Plain-text line length (RFC 5322's recommendation)."""

FOOTER = (
    "You receive this because you are named on these programmes in the programme tracker. "
    "Reminders repeat each working day while they stay due, in one e-mail a day at most. "
    "To stop reminders about a programme, ask its programme manager to mute you on it."
)


def escape(text: str, *, quote: bool = False) -> str:
    """HTML-escape text; quotes only inside attribute values."""
    return _escape(text, quote=quote)


def message_id(keys: Sequence[str], sender: str) -> str:
    """``<digest of the sorted keys>@<sender's domain>``: the same reminders, the same id. The
    keys name the recipient by pseudonym (``tracker.reminders.passes``): the id is stored in
    clear, and a digest of an address would confirm a guessed one, even after erasure."""
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tracker.invalid"
    return f"<reminder.{digest}@{domain}>"


def link(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + quote(path, safe="/:@-._~")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """Text for a header: control characters and Unicode line breaks (a CR or LF would end
    the header and start another) become one space. The API refuses them in names and titles;
    this keeps data stored before that, or from elsewhere, from breaking an e-mail."""
    return _CONTROL.sub(" ", value).strip()


def subject(reminders: Sequence[Reminder], day: date) -> str:
    if len(reminders) == 1:
        only = reminders[0]
        about = only.programme_name
        if only.kind not in ("closure_approved", "weekly_digest"):
            about = f"{only.title} ({only.programme_name})"
        return f"{SUBJECTS[only.kind]}: {about}"
    return f"Programme tracker: {len(reminders)} reminders, {long_day(day)}"


def _sections(reminders: Sequence[Reminder]) -> list[tuple[str, list[Reminder]]]:
    return [
        (SECTIONS[kind], [r for r in reminders if r.kind == kind])
        for kind in KINDS
        if any(r.kind == kind for r in reminders)
    ]


def _wrap(text: str, first: str, rest: str) -> list[str]:
    """Plain text at 78 columns; a URL or other long word is never broken."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def render_text(who: Recipient, reminders: Sequence[Reminder], day: date, base_url: str) -> str:
    lines = [f"Dear {who.shown},", ""]
    lines += _wrap(f"Reminders from the programme tracker for {long_day(day)}.", "", "")
    for title, items in _sections(reminders):
        lines += ["", title]
        for r in items:
            lines += _wrap(f"{r.programme_name}: {r.summary}", "- ", "  ")
            for detail in r.details:
                lines += _wrap(detail, "  ", "  ")
            lines.append(f"  {link(base_url, r.path)}")
    lines += ["", "-- ", *_wrap(FOOTER, "", ""), ""]
    return "\n".join(lines)


def render_html(who: Recipient, reminders: Sequence[Reminder], day: date, base_url: str) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><body style="font-family: Arial, sans-serif; line-height: 1.4">',
        f"<p>Dear {escape(who.shown)},</p>",
        f"<p>Reminders from the programme tracker for <strong>{escape(long_day(day))}</strong>."
        "</p>",
    ]
    for title, items in _sections(reminders):
        parts += [f'<h2 style="font-size: 1.1em">{escape(title)}</h2>', "<ul>"]
        for r in items:
            details = "".join(f"<br>{escape(d)}" for d in r.details)
            href = escape(link(base_url, r.path), quote=True)
            parts.append(
                f"<li><strong>{escape(r.programme_name)}</strong>: {escape(r.summary)}{details}"
                f'<br><a href="{href}">Open \u2018{escape(r.title)}\u2019</a></li>'
            )
        parts.append("</ul>")
    parts += [
        f'<hr><p style="color: #555; font-size: small">{escape(FOOTER)}</p>',
        "</body></html>",
        "",
    ]
    return "\n".join(parts)


def compose(
    who: Recipient,
    reminders: Sequence[Reminder],
    *,
    day: date,
    sender: str,
    base_url: str,
    now: datetime,
    message_id: str,
) -> EmailMessage:
    """The e-mail holding every reminder due to ``who`` (an addressable recipient)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((header_text(who.name), header_text(who.email)))
    message["Subject"] = header_text(subject(reminders, day))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_text(who, reminders, day, base_url))
    message.add_alternative(render_html(who, reminders, day, base_url), subtype="html")
    return message


__all__ = [
    "FOOTER",
    "SECTIONS",
    "SUBJECTS",
    "compose",
    "header_text",
    "link",
    "message_id",
    "render_html",
    "render_text",
    "subject",
]
