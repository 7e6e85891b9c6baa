"""RACI letters: Latin capitals R, A, C, I and nothing else.

The seed's PDF text has a Greek Alpha and a Cyrillic Es in its RACI column. They look right and
are wrong; the domain rejects them, naming the code point, so whoever typed them can fix them.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from tracker.errors import InvalidInput
from tracker.events.programmes import RaciLetter

LETTERS: Final[dict[str, RaciLetter]] = {"R": "R", "A": "A", "C": "C", "I": "I"}
MEANING: Final[dict[RaciLetter, str]] = {
    "R": "Responsible",
    "A": "Accountable",
    "C": "Consulted",
    "I": "Informed",
}


def describe_characters(text: str) -> str:
    return ", ".join(
        f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')})" for ch in text
    )


def parse_raci(text: str) -> RaciLetter:
    """Exactly one of the Latin capitals R, A, C, I."""
    letter = LETTERS.get(text)
    if letter is not None:
        return letter
    if not text:
        raise InvalidInput("RACI letter is empty: use one of R, A, C, I (Latin capitals)")
    raise InvalidInput(
        f"RACI letter {describe_characters(text)} is not one of R, A, C, I (Latin capitals "
        "U+0052, U+0041, U+0043, U+0049)",
        code="invalid_raci",
    )
