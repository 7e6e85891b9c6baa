"""``wrk`` for the API benchmark: running it, reading its figures, and the Lua script that
makes each connection approve the next distinct deliverable."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

APPROVE_LUA = """
local counter = 0
function setup(thread)
  thread:set("me", counter)
  counter = counter + 1
end
function init(args)
  ids = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % tonumber(args[2]) == me then table.insert(ids, line) end
    n = n + 1
  end
  token = args[3]
  i = 0
end
function request()
  i = i + 1
  local d = ids[i] or ids[#ids]
  return wrk.format("POST", "/api/v1/deliverables/" .. d .. "/approve",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "{}")
end
"""


@dataclass
class Wrk:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    raw: str = field(repr=False, default="")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if found is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def parse_wrk(out: str) -> Wrk:
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if failed:
        errors += sum(int(g) for g in failed.groups())
    return Wrk(rps, p50, p99, total, errors, out)


async def wrk(
    url: str, connections: int, seconds: int, *extra: str, script_args: tuple[str, ...] = ()
) -> Wrk:
    process = await asyncio.create_subprocess_exec(
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        *extra,
        url,
        *(("--", *script_args) if script_args else ()),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return parse_wrk(out.decode())
