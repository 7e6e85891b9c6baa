"""A private PostgreSQL cluster for the fault tests that stop or restart the server.

The shared server on :5432 must never be restarted, so a test that needs to restart PostgreSQL
builds its own cluster with the machine's binaries: ``initdb`` (trust authentication, fsync on:
these are durability tests), listening on 127.0.0.1 on a free port, its unix socket inside the
cluster's directory. The binaries are found in ``TRACKER_TEST_PG_BIN`` if set, else the newest
``/usr/lib/postgresql/<version>/bin``, else on ``PATH``.

PostgreSQL refuses to run as root: as root, every server command runs as the ``postgres`` OS
user (``runuser``) and the cluster's directory is owned by it. That directory is a short one
under the system temporary directory, not pytest's ``tmp_path``: pytest makes its directories
private to root (mode 0700), which the ``postgres`` user cannot enter, and a unix socket path
must stay under about 100 bytes. The server log is copied into the test's ``tmp_path`` when the
cluster is torn down, next to the tracker processes' logs.

Without the binaries the test is skipped with the reason; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import in_ci
from tests.faults.processes import free_port

SERVER_USER = "postgres"
COMMAND_TIMEOUT = 120.0
"""The longest any one pg_ctl or initdb call may take."""

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "max_connections": "100",
    "shared_buffers": "32MB",
}


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.name)) or (0,)


def find_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: the override, the newest Debian-style version dir, PATH."""
    override = os.environ.get("TRACKER_TEST_PG_BIN")
    if override:
        return Path(override)
    versions = sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda bin_dir: _version(bin_dir.parent),
    )
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def unavailable(reason: str) -> None:
    """Skip locally; fail with CI=true, where the fault tests must run."""
    if in_ci():
        pytest.fail(f"cannot build a private PostgreSQL cluster and CI=true: {reason}")
    pytest.skip(f"cannot build a private PostgreSQL cluster: {reason}")


@dataclass(frozen=True)
class Restart:
    """How long each part of an immediate restart took, and when the server was back."""

    stop_seconds: float
    down_seconds: float
    start_seconds: float
    began_at: float
    """``time.monotonic()`` when ``pg_ctl stop -m immediate`` was run."""
    back_at: float
    """``time.monotonic()`` when ``pg_ctl start -w`` returned: it accepts connections again."""

    @property
    def outage_seconds(self) -> float:
        return self.back_at - self.began_at


@dataclass
class Cluster:
    bin_dir: Path
    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def admin_dsn(self) -> str:
        return self.dsn("postgres")

    def dsn(self, database: str) -> str:
        """The libpq DSN of a database in this cluster (for asyncpg)."""
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+asyncpg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> float:
        """Run a server binary as the server's user; its duration in seconds."""
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        started = time.monotonic()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, cwd=self.root
        )
        seconds = time.monotonic() - started
        if done.returncode != 0:
            raise AssertionError(
                f"{program} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n"
                f"{done.stderr}\nserver log:\n{self.server_log()}"
            )
        return seconds

    def server_log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def initdb(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SERVER_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-instructions",
        )
        settings = {
            **SETTINGS,
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/faults/cluster.py\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> float:
        return self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data_dir), "-l", str(self.log_file)
        )

    def stop(self, mode: str = "fast") -> float:
        return self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data_dir))

    def running(self) -> bool:
        command = [str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0

    def restart_immediately(self, down_seconds: float = 0.0) -> Restart:
        """``pg_ctl stop -m immediate`` (every backend killed, no checkpoint: the next start
        runs crash recovery), the server kept down for ``down_seconds``, then ``pg_ctl start
        -w``, which returns once it accepts connections."""
        began_at = time.monotonic()
        stop_seconds = self.stop("immediate")
        stopped_at = time.monotonic()
        if down_seconds > 0:
            time.sleep(down_seconds)  # the length of the outage, not a wait for anything
        down = time.monotonic() - stopped_at
        start_seconds = self.start()
        return Restart(
            stop_seconds=stop_seconds,
            down_seconds=down,
            start_seconds=start_seconds,
            began_at=began_at,
            back_at=time.monotonic(),
        )


@contextmanager
def private_cluster(keep_log_in: Path) -> Iterator[Cluster]:
    """A new cluster, started; stopped and removed afterwards, its log kept in ``keep_log_in``."""
    bin_dir = find_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        unavailable("initdb not found (set TRACKER_TEST_PG_BIN to PostgreSQL's bin directory)")
        raise AssertionError("unreachable")  # pragma: no cover - skip and fail raise
    as_root = os.geteuid() == 0
    if as_root:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            unavailable(f"running as root and there is no {SERVER_USER!r} OS user to run it as")
            raise AssertionError("unreachable") from None  # pragma: no cover
    root = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    cluster = Cluster(bin_dir=bin_dir, root=root, port=free_port())
    try:
        if as_root:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        root.chmod(0o700)
        try:
            cluster.initdb()
            cluster.socket_dir.mkdir()
            if as_root:
                os.chown(cluster.socket_dir, owner.pw_uid, owner.pw_gid)
            cluster.start()
        except (AssertionError, OSError, subprocess.SubprocessError) as exc:
            unavailable(str(exc))
        yield cluster
    finally:
        try:
            if cluster.data_dir.exists() and cluster.running():
                cluster.stop("fast")
        finally:
            if cluster.log_file.exists():
                shutil.copyfile(cluster.log_file, keep_log_in / "postgresql.log")
            shutil.rmtree(root, ignore_errors=True)
