"""The API benchmark's figures and its section of docs/performance.md (between the
``api-benchmark`` markers; everything else in the file is left alone)."""

from __future__ import annotations

import platform
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.api_wrk import Wrk

START = "<!-- api-benchmark:start -->"
END = "<!-- api-benchmark:end -->"
GET_RATIO = 0.5
P99_MS = 50.0
APPROVE_RATIO = 0.5
MEMORY_MB = 250.0
MEMORY_EVENTS = 1_000_000


@dataclass
class Results:
    args: dict[str, Any]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds: float = 0.0
    append_rate: float = 0.0
    stored_events: int = 0
    projected_events: int = 0
    projection_seconds: float = 0.0
    minimal: list[Wrk] = field(default_factory=list)
    closure: list[Wrk] = field(default_factory=list)
    closure_plain: Wrk | None = None
    approve: Wrk | None = None
    approvals_written: int = 0
    approve_projecting: Wrk | None = None
    approvals_projecting: int = 0
    heavy_reads: dict[str, int] = field(default_factory=dict)
    peak_mb: float = 0.0
    rss_mb: float = 0.0

    @property
    def minimal_rps(self) -> float:
        return statistics.median(w.requests_per_second for w in self.minimal)

    @property
    def closure_rps(self) -> float:
        return statistics.median(w.requests_per_second for w in self.closure)

    @property
    def closure_p99(self) -> float:
        return statistics.median(w.p99_ms for w in self.closure)

    @property
    def approve_rate(self) -> float:
        return _written_rate(self.approve, self.approvals_written)

    @property
    def approve_projecting_rate(self) -> float:
        return _written_rate(self.approve_projecting, self.approvals_projecting)

    @property
    def get_met(self) -> bool:
        return self.closure_rps >= GET_RATIO * self.minimal_rps and self.closure_p99 <= P99_MS

    @property
    def approve_met(self) -> bool:
        """Issue 13: with the projector running beside the API, as deployed."""
        return self.approve_projecting_rate >= APPROVE_RATIO * self.append_rate

    @property
    def memory_met(self) -> bool:
        return self.peak_mb < MEMORY_MB and self.stored_events >= MEMORY_EVENTS

    @property
    def all_met(self) -> bool:
        return self.get_met and self.approve_met and self.memory_met


def _written_rate(run: Wrk | None, written: int) -> float:
    """Approvals that wrote (signed off) per second: a no-op repeat would not count."""
    if run is None:
        return 0.0
    return run.requests_per_second * min(written, run.requests) / max(run.requests, 1)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def _load(values: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def render(r: Results) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    args = r.args
    approve = r.approve
    lines = [
        START,
        "## HTTP API benchmark (generated)",
        "",
        f"Written by `python -m benchmarks.api` on {now} in {r.seconds:,.0f} s. Replaced by the "
        "next run; keep notes outside the markers.",
        "",
        "### Setup",
        "",
        f"- {platform.node() or 'this machine'}: the same machine as the store benchmark above; "
        f"PostgreSQL, both servers and `wrk` share its CPUs. Load average before "
        f"{_load(r.load_before)}, after {_load(r.load_after)}.",
        f"- Stored: {r.stored_events:,} events ({args['programmes']} programmes of 2,000 "
        f"events from `benchmarks.projection_data`, plus 16 open programmes with "
        f"{args['per_programme']} submitted deliverables each). Read model caught up first "
        f"({r.projected_events:,} events in {r.projection_seconds:,.0f} s).",
        "- Both servers: uvicorn, one process, no access log. Minimal: Litestar, one GET reading "
        "one row by primary key through an asyncpg pool. Tracker: `api.app.create_app` as "
        "`tracker serve --no-projector` makes it (the compose.yaml layout, where the projector is "
        "its own process); bearer token checked on every request; rate limit raised for the "
        "run. uvloop and httptools (dependencies) serve both.",
        f"- `wrk -t2`, {args['seconds']} s a run; GET rounds alternate the two servers, "
        f"{args['repeats']} round(s), median kept. Closure report: "
        "`GET /api/v1/programmes/bench-0000/closure-report` (100 deliverables, 60 milestones, "
        "80 RAID items; about 226 KB of JSON, 20-odd KB gzipped) with a reader token and "
        "`Accept-Encoding: gzip` as browsers and HTTP libraries send it, answered now (the "
        "consistent read: one statement, then the report kept in memory for its content); one "
        "more run without it.",
        "- Approve: 16 connections, each POST approving the next distinct submitted deliverable "
        "(the approval signs it off: two events in one append). Counted from the events "
        f"written, not from responses; {args['approve_seconds']} s a run, with enough "
        "deliverables that none is approved twice. First with the API alone (the read model "
        "is not needed to write), then again on other deliverables once `tracker projector` "
        "runs beside it.",
        "- Store append rate: `benchmarks.store`'s tracker subject, 1 event per transaction, "
        f"16 writers, {args['append_events']:,} events, on its own fresh database.",
        "",
        "### Results",
        "",
        "| measure | figure | target | result |",
        "|---|--:|---|---|",
        f"| minimal endpoint, 64 connections | {r.minimal_rps:,.0f} req/s (p99 "
        f"{statistics.median(w.p99_ms for w in r.minimal):.1f} ms) | baseline | — |",
        f"| GET closure report, 64 connections | {r.closure_rps:,.0f} req/s = "
        f"{r.closure_rps / max(r.minimal_rps, 1):.2f}x; p99 {r.closure_p99:.1f} ms | "
        f">= {GET_RATIO}x, p99 <= {P99_MS:.0f} ms | {_verdict(r.get_met)} |",
        f"| the same, uncompressed (no Accept-Encoding) | "
        f"{r.closure_plain.requests_per_second if r.closure_plain else 0:,.0f} req/s; p99 "
        f"{r.closure_plain.p99_ms if r.closure_plain else 0:.1f} ms | (see notes) | — |",
        f"| store append, 1 event/txn, 16 writers | {r.append_rate:,.0f} events/s | baseline | — |",
        f"| approve, 16 clients, distinct deliverables | {r.approve_rate:,.0f} approvals/s = "
        f"{r.approve_rate / max(r.append_rate, 1):.2f}x; p99 "
        f"{approve.p99_ms if approve else 0:.1f} ms; {r.approvals_written:,} signed off, "
        f"{approve.errors if approve else 0} errors | (see notes) | — |",
        f"| the same, `tracker projector` running beside it | {r.approve_projecting_rate:,.0f} "
        f"approvals/s = {r.approve_projecting_rate / max(r.append_rate, 1):.2f}x; p99 "
        f"{r.approve_projecting.p99_ms if r.approve_projecting else 0:.1f} ms; "
        f"{r.approvals_projecting:,} signed off | >= {APPROVE_RATIO}x the append rate | "
        f"{_verdict(r.approve_met)} |",
        f"| API process memory, {r.stored_events:,} events stored | peak RSS {r.peak_mb:,.0f} "
        f"MB (now {r.rss_mb:,.0f} MB) | < {MEMORY_MB:.0f} MB | {_verdict(r.memory_met)} |",
        "",
        "Each GET round, requests/s (minimal / closure report): "
        + "; ".join(
            f"{m.requests_per_second:,.0f} / {c.requests_per_second:,.0f}"
            for m, c in zip(r.minimal, r.closure, strict=False)
        )
        + ". Reads before the memory figure: "
        + ", ".join(f"`{p}` {s}" for p, s in r.heavy_reads.items())
        + ".",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_report(r: Results, docs: Path, *, write: bool) -> str:
    section = render(r)
    if not write:
        return section
    text = docs.read_text() if docs.exists() else "# Performance\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _, after = rest.split(END, 1)
        text = before + section.rstrip("\n") + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    docs.write_text(text)
    return section
