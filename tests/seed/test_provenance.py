"""Every seeded event says where it came from, and nothing seeded names a real mailbox."""

from __future__ import annotations

import re

import msgspec
import pytest

from tests.seed.conftest import Seeded
from tests.seed.reading import every_event

pytestmark = pytest.mark.asyncio(loop_scope="package")

DOCUMENTS = {
    "000_a1ae7120620d128e.txt",
    "001_2fcc3c20f7383d0a.txt",
    "002_1f559a7723fc5399.txt",
    "003_b42c17e009099bb8.txt",
    "004_665650827499d7e1.txt",
}
"""All five papers are loaded (issue 17)."""
ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


async def test_every_seeded_event_carries_its_provenance(seeded: Seeded) -> None:
    events = await every_event(seeded.store)
    assert len(events) == seeded.report.events > 0
    for event in events:
        source = event.metadata.source
        assert source["document"] in DOCUMENTS, (event.type, source)
        assert source["table"] and source["row"], (event.type, source)
        assert source["line"].isdigit(), (event.type, source)


async def test_the_report_counts_what_each_programme_holds(seeded: Seeded) -> None:
    counts = {
        p.key: (p.roster, p.outcomes, p.workstreams, p.deliverables, p.milestones, p.lifecycle)
        for p in seeded.report.programmes
    }
    assert list(counts) == [  # in the order of their papers: 002, 000, 004, 003
        "lancaster-shared-services",
        "service-improvement-plans-2012",
        "liquidlogic-social-care",
        "documentum-dms",
        "asset-management-system",
        "btls-transition",
    ]
    assert counts == {
        # 4 decisions and the final decision; the 4 agreements being drafted.
        "lancaster-shared-services": (2, 0, 0, 4, 5, "active"),
        # 11 plans, 3 of them followed in Liquidlogic (281, 283) and Documentum (289).
        "service-improvement-plans-2012": (1, 0, 8, 0, 8, "active"),
        # 9 stages and 001's highways blueprint.
        "asset-management-system": (1, 0, 0, 0, 10, "active"),
        # 20 milestones and 001's post-implementation review.
        "liquidlogic-social-care": (1, 0, 2, 0, 21, "active"),
        "documentum-dms": (1, 0, 7, 0, 7, "active"),
        "btls-transition": (7, 10, 0, 70, 0, "closed"),
    }


async def test_nothing_seeded_names_a_real_mailbox(seeded: Seeded) -> None:
    for event in await every_event(seeded.store):
        text = msgspec.json.encode([event.data, event.metadata]).decode()
        for address in ADDRESS.findall(text):
            assert address.endswith(".example"), (event.type, address)
