"""Delivery confidence on the UK government five-point scale, with reasons; pure.

The rule, from the colours of the parts (deliverables, milestones, open RAID items) of an
outcome or programme, where ``n`` is the number of parts:

* Green: no red and no amber parts (or no parts at all).
* Amber/Green: no red; amber parts at most 20% of ``n``.
* Amber: no red; amber parts more than 20% of ``n``.
* Amber/Red: some red, but red parts at most 20% of ``n``.
* Red: red parts more than 20% of ``n``.

"At most 20%" is computed exactly in integers (``5 * count <= n``): 2 amber of 10 is
Amber/Green, 3 of 10 is Amber; 1 red of 5 is Amber/Red, 2 of 5 (or 1 of 4) is Red.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import msgspec

from tracker.rag import Rag, Rated


class DeliveryConfidence(StrEnum):
    GREEN = "green"
    AMBER_GREEN = "amber_green"
    AMBER = "amber"
    AMBER_RED = "amber_red"
    RED = "red"

    @property
    def label(self) -> str:
        """As reports print it: "Green", "Amber/Green", "Amber", "Amber/Red", "Red"."""
        return "/".join(word.capitalize() for word in self.value.split("_"))


SHARE_PERCENT = 20
"""The share of parts (percent) up to which amber stays Amber/Green and red stays Amber/Red."""


class ConfidenceResult(msgspec.Struct, frozen=True):
    confidence: DeliveryConfidence
    reasons: tuple[str, ...]
    red: int
    amber: int
    total: int


def _within_share(count: int, total: int) -> bool:
    return count * 100 <= total * SHARE_PERCENT


def delivery_confidence(
    parts: Iterable[Rated], *, label: str = "", max_reasons: int = 5
) -> ConfidenceResult:
    """The five-point delivery confidence of ``parts`` (see the module docstring for the rule).

    Reasons: the rule that applied, then the first reason of each part of the deciding colour
    (red if any, else amber), at most ``max_reasons`` of them, then "and N more"."""
    items = list(parts)
    rags = [part.rag for part in items]
    total = len(rags)
    red = sum(1 for rag in rags if rag is Rag.RED)
    amber = sum(1 for rag in rags if rag is Rag.AMBER)
    subject = f"{label}: " if label else ""
    counts = f"{red} red and {amber} amber of {total} parts"
    share = f"{SHARE_PERCENT}%"
    if total == 0:
        level, why = DeliveryConfidence.GREEN, "no parts to assess"
    elif red:
        if _within_share(red, total):
            level, why = DeliveryConfidence.AMBER_RED, f"{counts}; red at most {share}"
        else:
            level, why = DeliveryConfidence.RED, f"{counts}; red more than {share}"
    elif amber:
        if _within_share(amber, total):
            level, why = DeliveryConfidence.AMBER_GREEN, f"{counts}; amber at most {share}"
        else:
            level, why = DeliveryConfidence.AMBER, f"{counts}; amber more than {share}"
    else:
        level, why = DeliveryConfidence.GREEN, f"no red or amber among {total} parts"
    deciding = Rag.RED if red else Rag.AMBER
    cited = [part.reasons[0] for part in items if part.rag is deciding and part.reasons]
    reasons = [f"{level.label}: {subject}{why}", *cited[:max_reasons]]
    if len(cited) > max_reasons:
        reasons.append(f"and {len(cited) - max_reasons} more")
    return ConfidenceResult(level, tuple(reasons), red, amber, total)


__all__ = ["SHARE_PERCENT", "ConfidenceResult", "DeliveryConfidence", "delivery_confidence"]
