"""The results table, the issue's targets, and the section of docs/performance.md it owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.store.memory import MemoryResult
from benchmarks.store.workload import Figures

START_MARKER = "<!-- store-benchmark:start -->"
END_MARKER = "<!-- store-benchmark:end -->"
SUBJECTS = ("tracker", "raw", "peer")
MEMORY_LIMIT_MB = 200.0

DOC_HEADER = """# Performance

How fast the event store is, measured against a hand-written floor ("raw") and a widely used
library ("peer"). The section between the `store-benchmark` markers is written by
`python -m benchmarks.store` and replaced on every run; keep notes outside it.
"""


@dataclass
class Scenario:
    backend: str
    key: str
    label: str
    events: int
    figures: dict[str, Figures] = field(default_factory=dict)

    def rate(self, subject: str) -> float | None:
        figures = self.figures.get(subject)
        return figures.rate if figures and figures.runs else None

    def ratio(self, subject: str) -> float | None:
        mine, theirs = self.rate("tracker"), self.rate(subject)
        if mine is None or theirs is None:
            return None
        return mine / theirs


@dataclass(frozen=True)
class Check:
    """The tracker's rate must be at least ``factor`` times ``subject``'s."""

    subject: str
    factor: float
    ratio: float | None

    @property
    def text(self) -> str:
        return f"≥ {self.factor:g}x {self.subject}"

    @property
    def passed(self) -> bool | None:
        """None when a figure it needs was not measured in this run."""
        return None if self.ratio is None else self.ratio >= self.factor


TARGETS: dict[str, dict[str, list[tuple[str, float]]]] = {
    # Issue 15's targets, per store.
    "postgres": {
        "append-1x16": [("raw", 0.8), ("peer", 3.0)],
        "append-10x1": [("raw", 0.7)],
        "append-10x16": [("raw", 0.7)],
        "read-all": [("raw", 0.6)],
    },
    "sqlite": {
        "append-1x1": [("raw", 0.8), ("peer", 2.0)],
        "append-1x16": [("raw", 0.8), ("peer", 2.0)],
        "append-10x1": [("raw", 0.7)],
        "append-10x16": [("raw", 0.7)],
        "read-all": [("raw", 0.6)],
    },
}


def checks(scenario: Scenario) -> list[Check]:
    return [
        Check(subject, factor, scenario.ratio(subject))
        for subject, factor in TARGETS.get(scenario.backend, {}).get(scenario.key, [])
    ]


def verdict(check: Check) -> str:
    return {True: "PASS", False: "MISS", None: "n/a"}[check.passed]


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def results_table(scenarios: list[Scenario]) -> list[str]:
    lines = [
        "| store | scenario | events | tracker ev/s | raw ev/s | peer ev/s | tracker/raw "
        "| tracker/peer | target: result |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for s in scenarios:
        targets = "; ".join(f"{c.text}: **{verdict(c)}**" for c in checks(s)) or "—"
        lines.append(
            f"| {s.backend} | {s.label} | {s.events:,} | {_rate(s.rate('tracker'))} "
            f"| {_rate(s.rate('raw'))} | {_rate(s.rate('peer'))} | {_ratio(s.ratio('raw'))} "
            f"| {_ratio(s.ratio('peer'))} | {targets} |"
        )
    return lines


def _us(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def cpu_table(scenarios: list[Scenario]) -> list[str]:
    """Median CPU microseconds per event: this process (client) and the database's backends."""
    lines = [
        "| store | scenario | tracker client | tracker server | raw client | raw server "
        "| peer client | peer server | tracker/raw total CPU |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for s in scenarios:
        cells: list[str] = []
        totals: dict[str, float] = {}
        for subject in SUBJECTS:
            figures = s.figures.get(subject)
            client = figures.client_us_per_event if figures else None
            server = figures.server_us_per_event if figures else None
            cells += [_us(client), _us(server)]
            if client is not None:
                totals[subject] = client + (server or 0.0)
        ratio = (
            f"{totals['tracker'] / totals['raw']:.1f}x"
            if "tracker" in totals and totals.get("raw")
            else "—"
        )
        lines.append(f"| {s.backend} | {s.label} | {' | '.join(cells)} | {ratio} |")
    return lines


def runs_table(scenarios: list[Scenario]) -> list[str]:
    lines = [
        "| store | scenario | tracker runs (ev/s) | raw runs | peer runs |",
        "|---|---|---|---|---|",
    ]
    for s in scenarios:
        cells = []
        for subject in SUBJECTS:
            figures = s.figures.get(subject)
            cells.append(" / ".join(f"{m.rate:,.0f}" for m in figures.runs) if figures else "—")
        lines.append(f"| {s.backend} | {s.label} | {' | '.join(cells)} |")
    return lines


def memory_lines(memory: MemoryResult | None, *, reduced: bool) -> list[str]:
    if memory is None:
        return ["Memory check: not run."]
    r = memory.reader
    passed = r.peak_rss_mb < MEMORY_LIMIT_MB
    note = f" (**reduced run: {memory.events:,} events, not 1,000,000**)" if reduced else ""
    return [
        f"Memory check{note}: a separate process read {r.events:,} events from PostgreSQL "
        f"through `PostgresEventStore.read_all` in pages of {memory.page:,}, decoding and "
        "folding each one.",
        "",
        "| events | fill (tracker append, 1,000/append, 2 in flight) | read | peak RSS "
        "| RSS before reading | largest RSS after a page | target: result |",
        "|--:|--:|--:|--:|--:|--:|---|",
        f"| {r.events:,} | {memory.fill_seconds:,.1f} s ({memory.fill_rate:,.0f} ev/s) "
        f"| {r.seconds:,.1f} s ({memory.read_rate:,.0f} ev/s) | {r.peak_rss_mb:,.1f} MB "
        f"| {r.rss_before_read_mb:,.1f} MB | {r.max_sampled_rss_mb:,.1f} MB "
        f"| < {MEMORY_LIMIT_MB:.0f} MB peak: **{'PASS' if passed else 'MISS'}** |",
    ]


def summary_lines(scenarios: list[Scenario], memory: MemoryResult | None) -> list[str]:
    lines = []
    for s in scenarios:
        for c in checks(s):
            lines.append(
                f"- {verdict(c)}: {s.backend}, {s.label}: tracker = {_ratio(c.ratio)} "
                f"{c.subject} (target {c.text})"
            )
    if memory is not None:
        passed = memory.reader.peak_rss_mb < MEMORY_LIMIT_MB
        lines.append(
            f"- {'PASS' if passed else 'MISS'}: reading {memory.events:,} events: peak RSS "
            f"{memory.reader.peak_rss_mb:,.1f} MB (target < {MEMORY_LIMIT_MB:.0f} MB)"
        )
    return lines


def section(
    *,
    command: str,
    date: str,
    machine: list[str],
    method: list[str],
    scenarios: list[Scenario],
    memory: MemoryResult | None,
    reduced_memory: bool,
    notes: list[str],
) -> str:
    parts = [
        START_MARKER,
        "## Event-store benchmark (generated)",
        "",
        f"Written by `{command}` on {date}. Everything between the `store-benchmark` markers is "
        "replaced by the next run.",
        "",
        "### Machine",
        "",
        *[f"- {line}" for line in machine],
        "",
        "### Method",
        "",
        *[f"- {line}" for line in method],
        "",
        "### Results (median events per second; higher is better)",
        "",
        *results_table(scenarios),
        "",
        "### CPU per event (median microseconds; lower is better)",
        "",
        "Client: CPU time of the benchmark process (all threads; on SQLite this includes the "
        "SQLite engine). Server: CPU time of the PostgreSQL backends serving the scenario's "
        "database (WAL writer and checkpointer not included). Less sensitive than throughput to "
        "other load on the machine.",
        "",
        *cpu_table(scenarios),
        "",
        "### Targets (issue 15)",
        "",
        *summary_lines(scenarios, memory),
        "",
        "### Memory",
        "",
        *memory_lines(memory, reduced=reduced_memory),
        "",
        "### Notes from this run",
        "",
        *([f"- {note}" for note in notes] or ["- none"]),
        "",
        "### Every run (events per second, in the order run)",
        "",
        *runs_table(scenarios),
        END_MARKER,
    ]
    return "\n".join(parts) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the owned section of ``path`` (or add it at the end), leaving the rest intact."""
    current = path.read_text() if path.exists() else DOC_HEADER
    start = current.find(START_MARKER)
    end = current.find(END_MARKER)
    if start != -1 and end != -1 and end > start:
        updated = current[:start] + text.rstrip("\n") + current[end + len(END_MARKER) :]
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    if not updated.endswith("\n"):
        updated += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated)
