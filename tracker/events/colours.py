"""Events of a programme's colour stream (``colour:<key>``): the colours the tracker observed,
written by the webhook deliverer's colour watcher (``tracker.webhooks.colours``) so that a
colour change is a fact of the log, delivered in order with the rest (kind ``rag``).

Not part of the programme's history as the reports fold it: the read model ignores the stream
(``fold.touch``); RAG is always computed from the events when a report is rendered."""

from __future__ import annotations

from tracker.events.base import Event, event_type


@event_type
class ColoursBaselined(Event, frozen=True, kw_only=True):
    """The first observation of a programme: every subject's colour, without a change to say
    (``subject``: ``programme``, ``outcome:<n>``, ``deliverable:<id>``, ``milestone:<id>``,
    ``raid:<id>``)."""

    programme_key: str
    colours: dict[str, str]


@event_type
class ColourChanged(Event, frozen=True, kw_only=True):
    """A subject's colour moved from ``previous`` to ``current``, for ``reasons`` (the report's
    own, the deciding one first); ``title`` names the subject as the reports do."""

    programme_key: str
    subject: str
    title: str
    previous: str
    current: str
    reasons: tuple[str, ...]
