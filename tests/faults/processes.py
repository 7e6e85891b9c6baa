"""Real ``tracker`` processes for the fault tests: started with a log file each, stopped with a
signal, and never left running after a test.

Every process gets only the ``TRACKER_*`` variables the test names (none leak in from the shell)
and writes JSON log lines to ``<log_dir>/<name>.log``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TRACKER = str(Path(sys.executable).with_name("tracker"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tracker_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def has_line(self, text: str) -> bool:
        return text in self.text()

    def send(self, signum: int) -> None:
        if self.running:
            self.popen.send_signal(signum)

    def kill(self) -> None:
        if self.running:
            self.popen.kill()
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 30, signum: int = signal.SIGTERM) -> int:
        """Signal, wait; a process still running after ``timeout`` is killed and reported."""
        self.send(signum)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)
            raise AssertionError(
                f"{self.name} did not stop within {timeout} s of signal {signum}:\n{self.text()}"
            ) from None


@dataclass
class Processes:
    """Processes started by one test; all are stopped when the test ends, whatever happened."""

    log_dir: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                [TRACKER, *args], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        process = Process(name=name, popen=popen, log=log)
        self.started.append(process)
        return process

    def serve(
        self, name: str, env: dict[str, str], *, projector: bool = False
    ) -> tuple[Process, str]:
        """``tracker serve`` on a free port; returns once /health answers."""
        port = free_port()
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if not projector:
            args.append("--no-projector")
        process = self.start(name, args, env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    return process, base
            except httpx.TransportError:
                pass
            if not process.running or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not answer /health:\n{process.text()}")
            time.sleep(0.1)

    def stop_all(self) -> None:
        for process in self.started:
            if process.running:
                process.send(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.started:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=10)


@contextmanager
def processes(log_dir: Path) -> Iterator[Processes]:
    group = Processes(log_dir=log_dir)
    try:
        yield group
    finally:
        group.stop_all()


def run_tracker(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """A short ``tracker`` command; its standard output, or an AssertionError with both streams."""
    done = subprocess.run(
        [TRACKER, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"tracker {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


def issue_admin_token(env: dict[str, str], email: str = "ops@lancashire.gov.uk") -> str:
    out = run_tracker(env, "token", "issue", "--email", email, "--scope", "admin")
    return out.strip().splitlines()[-1]


async def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` without blocking the event loop; fail naming ``what``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        await asyncio.sleep(0.1)
