"""The SQLite event store's own connections, on the driver (``sqlite3``) directly.

SQLAlchemy's async SQLite goes through aiosqlite, which hops to the connection's thread and
back for every statement: about 14 hops for a ten-event append, and most of the client's CPU
(docs/performance.md, issue 15). Here a whole append, or a whole read, is one function run on a
thread that owns its connection: one hop each way.

- **One writer, group commit.** Appends go to a single thread holding a single connection, so
  the writers of this process queue in memory instead of sleeping in SQLite's busy handler.
  The thread takes every write waiting when it is free (at most ``GROUP_LIMIT``) into one
  ``BEGIN IMMEDIATE`` transaction, each inside its own ``SAVEPOINT``: a write that fails is
  rolled back to its savepoint alone, the others go on, and one ``COMMIT`` (one fsync) makes
  the group durable. Nobody hears "stored" before that commit returns; if it fails, every
  write of the group hears the error and nothing of the group is stored. Other processes (and
  this process's SQLAlchemy engine, for the read model) still take turns through SQLite's
  write lock, with the same busy timeout as the engine.
- **Readers.** A few threads, each with its own connection, read in WAL mode beside the writer.
- Connections are configured as ``tracker.db`` configures the engine's: busy timeout first,
  WAL, ``synchronous=FULL``, foreign keys, and no implicit transactions.
- Closing ends the threads and closes every connection; using the store afterwards opens them
  again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

from tracker.errors import StoreUnavailable

T = TypeVar("T")

READER_THREADS: Final = 4
GROUP_LIMIT: Final = 64
"""Most writes one transaction takes: bounds how long the write lock is held."""


class Savepoint:
    """A write's own savepoint in the group's transaction: ``undo`` rolls back what the write
    did so far (before it looks for an earlier identical append, say), keeping the others'.
    A write alone in its group has no savepoint (each costs a sub-journal of the pages it
    changes): its undo is the transaction's."""

    def __init__(self, conn: sqlite3.Connection, name: str | None) -> None:
        self.conn = conn
        self.name = name

    def begin(self) -> None:
        if self.name is not None:
            self.conn.execute(f"SAVEPOINT {self.name}")

    def undo(self) -> None:
        if self.name is not None:
            self.conn.execute(f"ROLLBACK TO {self.name}")
        else:
            self.conn.execute("ROLLBACK")
            self.conn.execute("BEGIN IMMEDIATE")

    def end(self) -> None:
        if self.name is not None:
            self.conn.execute(f"RELEASE {self.name}")


Write = Callable[[sqlite3.Connection, Savepoint], Any]


class _Queued:
    """A write waiting for the writer thread, and where its outcome goes."""

    def __init__(self, work: Write, loop: asyncio.AbstractEventLoop) -> None:
        self.work = work
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()
        self.outcome: tuple[bool, Any] | None = None

    def deliver(self, ok: bool, value: Any) -> None:
        def settle() -> None:
            if self.future.done():  # the caller was cancelled: the write happened regardless
                return
            if ok:
                self.future.set_result(value)
            else:
                self.future.set_exception(value)

        with contextlib.suppress(RuntimeError):  # the caller's loop has closed
            self.loop.call_soon_threadsafe(settle)


class SqliteConnections:
    """The writer thread and reader threads for one SQLite file, each thread with its own
    connection, opened on first use."""

    def __init__(self, path: str, *, busy_timeout_ms: int, readers: int = READER_THREADS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.readers = readers
        self._lock = threading.Lock()
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._writes: queue.SimpleQueue[_Queued | None] | None = None
        self._writer: threading.Thread | None = None
        self._reader: ThreadPoolExecutor | None = None
        self._pid = os.getpid()

    def _forget_if_forked(self) -> None:
        """A forked child has none of its parent's threads, and must not touch its parent's
        SQLite connections: it starts afresh (called holding ``_lock``)."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._writes = self._writer = self._reader = None
            self._opened = []
            self._local = threading.local()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        mode = conn.execute("PRAGMA journal_mode").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            # As in tracker.db: only a file not in WAL yet is switched, and a switch that
            # fails (another connection open) leaves it slower, not wrong.
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        # A savepoint keeps the pages it changes in a sub-journal, by default a temporary
        # file: in memory it costs a copy, not a write (a ten-event append took twice as long).
        conn.execute("PRAGMA temp_store=MEMORY")
        with self._lock:
            self._opened.append(conn)
        return conn

    # --- writing -------------------------------------------------------------------------

    async def write(self, work: Write) -> Any:
        """``work(conn, savepoint)`` on the writer's connection, inside a transaction it must
        neither begin nor end; returns once the transaction has committed."""
        queued = _Queued(work, asyncio.get_running_loop())
        self._write_queue().put(queued)
        try:
            return await queued.future
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the SQLite database is unavailable: {exc}") from exc

    def _write_queue(self) -> queue.SimpleQueue[_Queued | None]:
        with self._lock:
            self._forget_if_forked()
            if self._writes is None or self._writer is None or not self._writer.is_alive():
                writes: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
                writer = threading.Thread(
                    target=self._write_loop, args=(writes,), name="tracker-sqlite-writer"
                )
                writer.daemon = True  # a store nobody closed must not hold the process open
                writer.start()
                self._writes, self._writer = writes, writer
            return self._writes

    def _write_loop(self, writes: queue.SimpleQueue[_Queued | None]) -> None:
        conn: sqlite3.Connection | None = None
        stopping = False
        while not stopping:
            first = writes.get()
            if first is None:
                break
            group = [first]
            while len(group) < GROUP_LIMIT:
                try:
                    more = writes.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                group.append(more)
            try:
                conn = conn or self._open()
                _commit_group(conn, group)
            except BaseException as exc:  # every write of the group hears it
                for queued in group:
                    queued.deliver(False, exc)
            else:
                for queued in group:
                    assert queued.outcome is not None
                    queued.deliver(*queued.outcome)

    # --- reading -------------------------------------------------------------------------

    def _reader_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _readers(self) -> ThreadPoolExecutor:
        with self._lock:
            self._forget_if_forked()
            if self._reader is None:
                self._reader = ThreadPoolExecutor(
                    self.readers, thread_name_prefix="tracker-sqlite-read"
                )
            return self._reader

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` on a reader's connection (autocommit: each statement sees every commit
        made before it started)."""

        def on_thread() -> T:
            return work(self._reader_connection())

        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._readers(), on_thread)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the SQLite database is unavailable: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            writes, writer, reader = self._writes, self._writer, self._reader
            self._writes = self._writer = self._reader = None
        if writes is not None and writer is not None:
            writes.put(None)  # after every write already queued
            writer.join()
        if reader is not None:
            reader.shutdown(wait=True)
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        # Threads that come later open new connections.
        self._local = threading.local()


def _commit_group(conn: sqlite3.Connection, group: list[_Queued]) -> None:
    """One transaction for the group, a savepoint per write; each write's outcome is set, and
    holds only once this returns (the commit succeeded). Raises when the group as a whole
    failed (the lock not taken, the commit refused, the transaction lost)."""
    alone = len(group) == 1
    conn.execute("BEGIN IMMEDIATE")
    try:
        for number, queued in enumerate(group):
            savepoint = Savepoint(conn, None if alone else f"write_{number}")
            savepoint.begin()
            try:
                queued.outcome = (True, queued.work(conn, savepoint))
            except Exception as exc:  # this write's own failure
                if not conn.in_transaction:
                    raise  # SQLite rolled the whole transaction back (disk full, I/O error)
                savepoint.undo()
                queued.outcome = (False, exc)
            savepoint.end()
        conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
