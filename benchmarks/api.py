"""``python -m benchmarks.api``: the HTTP API against a minimal endpoint, on PostgreSQL.

One command, one fresh database, one run (so every figure shares the machine's conditions):

1. the store's append rate, one event per transaction, 16 writers (``benchmarks.store``'s
   tracker subject, on its own fresh database);
2. a database holding the 1,000,000-event portfolio (500 programmes of 2,000 events), 16 open
   programmes with deliverables awaiting one approver, the read model caught up;
3. ``wrk`` at 64 connections against a minimal Litestar endpoint reading one row by primary key
   through asyncpg, and against GET closure-report (live read model) of a 2,000-event programme,
   alternating, median of the repeats;
4. ``wrk`` with 16 connections approving distinct deliverables (each approval signs one off),
   with the projector running as its own process as compose.yaml deploys it;
5. the API process's peak resident memory after all of that plus the portfolio, programme list,
   inbox and event feed, with the 1,000,000 events stored.

Figures go into docs/performance.md between the ``api-benchmark`` markers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from benchmarks import api_data
from benchmarks.api_report import Results, write_report
from benchmarks.api_servers import create_rows
from benchmarks.api_wrk import APPROVE_LUA, Wrk, wrk
from benchmarks.store import postgres as pg
from benchmarks.store.workload import AppendCase
from tracker.auth.tokens import issue_token
from tracker.clock import SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.projections.read_model.projector import Projector
from tracker.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def serve(which: str, port: int, url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_API_WRITES_PER_MINUTE": "100000000",
        "PYTHONPATH": str(REPO_ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.api_servers",
        which,
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                probe = "/rows/1" if which == "minimal" else "/ready"
                if (await client.get(f"http://127.0.0.1:{port}{probe}")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the {which} server did not come up")


def peak_memory_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    found = {
        k: int(v.split()[0]) / 1024 for k, v in re.findall(r"^(VmHWM|VmRSS):\s+(.+)$", status, re.M)
    }
    return found["VmHWM"], found["VmRSS"]


async def count_signed_off(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM events WHERE type = 'DeliverableSignedOff'")
        )
    finally:
        await conn.close()


async def approve(
    dsn: str, args: argparse.Namespace, ids: list[str], token: str
) -> tuple[Wrk, int]:
    with tempfile.TemporaryDirectory() as work:
        script, listing = Path(work) / "approve.lua", Path(work) / "ids.txt"
        script.write_text(APPROVE_LUA)
        listing.write_text("\n".join(ids) + "\n")
        before = await count_signed_off(dsn)
        found = await wrk(
            f"http://127.0.0.1:{args.port + 1}",
            16,
            args.approve_seconds,
            "-s",
            str(script),
            script_args=(str(listing), "2", token),
        )
        if os.environ.get("TRACKER_BENCH_VERBOSE"):
            log(found.raw)
        return found, await count_signed_off(dsn) - before


async def prepare(
    dsn: str, args: argparse.Namespace, results: Results
) -> tuple[str, str, list[str]]:
    url = pg.sqlalchemy_url(dsn)
    settings = Settings(database_url=url)
    store, engine = open_store(settings), create_engine(settings)
    try:
        log(f"importing {args.programmes} programmes of 2,000 events")
        await api_data.import_portfolio(store, args.programmes)
        log(f"planning 16 x {args.per_programme} deliverables to approve")
        ids = await api_data.approval_work(store, 16, args.per_programme)
        clock = SystemClock()
        reader = await issue_token(engine, store, clock, email=api_data.READER, scope="reader")
        approver = await issue_token(engine, store, clock, email=api_data.APPROVER)
        await create_rows(dsn)
        await pg.vacuum(dsn)
        await pg.wait_until_readable(dsn)
        log("projecting the read model")
        started = time.perf_counter()
        results.projected_events = await Projector(store, engine).catch_up()
        results.projection_seconds = time.perf_counter() - started
        results.stored_events = await store.head_position()
        return reader.secret, approver.secret, ids
    finally:
        await store.close()
        await engine.dispose()


async def measure(dsn: str, args: argparse.Namespace, results: Results) -> None:
    reader, approver, ids = await prepare(dsn, args, results)
    url = pg.sqlalchemy_url(dsn)
    minimal = await serve("minimal", args.port, url)
    tracker = await serve("tracker", args.port + 1, url)
    projector: asyncio.subprocess.Process | None = None
    auth = ("-H", f"Authorization: Bearer {reader}", "-H", "Accept-Encoding: gzip")
    row_url = f"http://127.0.0.1:{args.port}/rows/1"
    programme = api_data.CLOSURE_PROGRAMME
    report_url = f"http://127.0.0.1:{args.port + 1}/api/v1/programmes/{programme}/closure-report"
    try:
        await wrk(row_url, 64, 2)
        await wrk(report_url, 64, 2, *auth)
        for r in range(args.repeats):
            log(f"GET round {r + 1} of {args.repeats}")
            results.minimal.append(await wrk(row_url, 64, args.seconds))
            results.closure.append(await wrk(report_url, 64, args.seconds, *auth))
        log("GET closure report without Accept-Encoding (uncompressed)")
        results.closure_plain = await wrk(report_url, 64, args.seconds, *auth[:2])
        half = len(ids) // 2
        log("approving, the API alone")
        results.approve, results.approvals_written = await approve(dsn, args, ids[:half], approver)
        projector = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service.cli",
            "projector",
            env={**os.environ, "TRACKER_DATABASE_URL": url, "PYTHONPATH": str(REPO_ROOT)},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await asyncio.sleep(args.seconds)
        log("approving, with the projector process running")
        results.approve_projecting, results.approvals_projecting = await approve(
            dsn, args, ids[half:], approver
        )
        log("heavier reads for the memory figure")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{args.port + 1}",
            headers={"Authorization": f"Bearer {reader}"},
            timeout=300,
        ) as client:
            for path in (
                "/api/v1/portfolio",
                "/api/v1/programmes?limit=1000",
                "/api/v1/events?limit=1000",
                f"/api/v1/people/{api_data.APPROVER}/inbox",
                f"/api/v1/programmes/{api_data.CLOSURE_PROGRAMME}/closure-report?format=markdown",
            ):
                answer = await client.get(path)
                results.heavy_reads[path] = answer.status_code
        if tracker.pid is not None:
            results.peak_mb, results.rss_mb = peak_memory_mb(tracker.pid)
    finally:
        for process in (minimal, tracker, projector):
            if process is not None:
                process.terminate()
                await process.wait()


async def run(args: argparse.Namespace) -> Results:
    results = Results(args=vars(args), load_before=os.getloadavg())
    started = time.perf_counter()
    log("store append rate: 1 event per transaction, 16 writers")
    case = AppendCase(writers=16, batch=1, requested_events=args.append_events)
    results.append_rate = (await pg.tracker_append(args.postgres, case)).rate
    async with pg.tracker_database(args.postgres) as dsn:
        await measure(dsn, args, results)
    results.load_after = os.getloadavg()
    results.seconds = time.perf_counter() - started
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small, short, once")
    parser.add_argument("--programmes", type=int, help="programmes of 2,000 events (500)")
    parser.add_argument("--per-programme", type=int, help="deliverables to approve per programme")
    parser.add_argument("--seconds", type=int, help="each wrk run (default 15)")
    parser.add_argument("--repeats", type=int, help="GET rounds, median kept (default 3)")
    parser.add_argument(
        "--approve-seconds", type=int, help="each approve run (default 8; ids must last)"
    )
    parser.add_argument("--append-events", type=int, default=4000)
    parser.add_argument("--port", type=int, default=18_080)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TRACKER_BENCH_POSTGRES")
        or os.environ.get("TRACKER_TEST_POSTGRES")
        or pg.DEFAULT_ADMIN_DSN,
    )
    parser.add_argument("--docs", type=Path, default=REPO_ROOT / "docs" / "performance.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        # Found out before minutes of set-up, not after them.
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    args.programmes = args.programmes or (10 if args.quick else 500)
    # 1,000 a programme: 16,000 deliverables, enough that no run at 800+ approvals a second
    # runs out and repeats one (a repeat is a cheaper no-op and would flatter the rate).
    args.per_programme = args.per_programme or (40 if args.quick else 1000)
    args.approve_seconds = args.approve_seconds or (4 if args.quick else 8)
    args.seconds = args.seconds or (4 if args.quick else 15)
    args.repeats = args.repeats or (1 if args.quick else 3)
    results = asyncio.run(run(args))
    text = write_report(results, args.docs, write=not args.no_write)
    print(text)
    return 0 if results.all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
