"""Drive wrk against a loopback server and read its figures back as a dictionary."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Cycles through prepared requests and counts answers by status code in every thread;
# done() merges the threads' counts and prints one line of JSON after wrk's own report.
LUA_TEMPLATE = r"""
local specs = %(specs)s
local prepared = {}
local index = 0
local threads = {}
statuses = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i, spec in ipairs(specs) do
    prepared[i] = wrk.format(spec.method, spec.path, spec.headers, spec.body)
  end
end

function request()
  index = index %% #prepared + 1
  return prepared[index]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      merged[code] = (merged[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(merged) do
    table.insert(parts, string.format('"%%s": %%d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p90_us": %%d, '
    .. '"p99_us": %%d, "max_us": %%d, "mean_us": %%.1f, "errors": {"connect": %%d, "read": %%d, "write": %%d, '
    .. '"timeout": %%d}, "statuses": {%%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ", ")))
end
"""


@dataclass
class Request:
    """One request wrk sends in turn with the others."""

    path: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _lua_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string with ASCII escapes is a valid Lua string


def _lua_specs(requests: list[Request]) -> str:
    items = []
    for request in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.headers.items())
        body = _lua_string(request.body) if request.body is not None else "nil"
        items.append(f"{{method = {_lua_string(request.method)}, path = {_lua_string(request.path)}, "
                     f"headers = {{{headers}}}, body = {body}}}")
    return "{\n  " + ",\n  ".join(items) + "\n}"


def wrk_available() -> bool:
    """Tell whether the wrk command is installed."""
    return shutil.which("wrk") is not None


def run_wrk(base_url: str, requests: list[Request], connections: int = 32, threads: int = 2,
            seconds: int = 10, timeout_seconds: int = 5) -> dict:
    """Load base_url with the requests in turn and return throughput, latency and status counts."""
    if not base_url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError("load is only ever sent to loopback")
    with tempfile.TemporaryDirectory(prefix="portal-wrk-") as folder:
        script = Path(folder) / "requests.lua"
        script.write_text(LUA_TEMPLATE % {"specs": _lua_specs(requests)}, encoding="utf-8")
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_seconds}s",
                   "-s", str(script), base_url]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next((line for line in completed.stdout.splitlines() if line.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(line.removeprefix("WRK_RESULT "))
    seconds_measured = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / seconds_measured, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "socket_errors": raw["errors"],
        "statuses": dict(sorted(raw["statuses"].items())),
        "connections": connections,
        "threads": threads,
        "seconds": round(seconds_measured, 2),
    }
