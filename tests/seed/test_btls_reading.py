"""How the BTLS deliverables table is read: the outcome cells (issue 17)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from seed import btls_reading
from tracker.errors import InvalidInput


def test_every_row_lies_in_one_outcome_cell_and_the_cells_hold_70_rows() -> None:
    rows = btls_reading.read_rows()
    counts = Counter(r.outcome for r in rows)
    assert len(rows) == 70
    assert [counts[n] for n in range(1, 11)] == [7, 9, 8, 5, 15, 4, 7, 3, 8, 4]
    assert btls_reading.outcome_cell(436) == (5, 424, 438)
    assert btls_reading.outcome_cell(419) == (4, 419, 423)


def test_a_label_outside_its_cell_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(btls_reading.OUTCOME_CELLS, 9, 463)
    with pytest.raises(InvalidInput, match="line 462: label 9 lies in the cell of outcome 8"):
        btls_reading.read_rows()


def test_a_cell_without_its_label_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(btls_reading.OUTCOME_CELLS, 11, 470)
    with pytest.raises(InvalidInput, match=re.escape("without their label: {11}")):
        btls_reading.read_rows()
