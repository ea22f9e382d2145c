"""Shared by the benchmarks: a scratch database, timing and reporting (median and spread)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from adapters.config import PROJECT_ROOT, Settings
from adapters.database import Server, fresh_database, server_from_url, start_embedded

RESULTS = PROJECT_ROOT / "bench" / "results"


def _bench_url() -> str:
    """DATABASE_URL's server, or the benchmarks' own embedded one."""
    return os.environ.get("DATABASE_URL") or start_embedded(PROJECT_ROOT / "var" / "bench-pg")


def scratch_server(name: str) -> Server:
    """A fresh, migrated database `name` on the benchmarks' server."""
    return fresh_database(_bench_url(), name)


def existing_server(name: str) -> Server:
    """Database `name` as an earlier run left it, on the same server as `scratch_server`'s."""
    return server_from_url(_bench_url()).with_database(name)


def settings_for(server: Server) -> Settings:
    return Settings(DATABASE_URL=server.conninfo)


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def summary(values: list[float]) -> dict[str, float]:
    """Median with its spread (min, max) over the runs."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def write_results(name: str, results: dict[str, Any], directory: Path = RESULTS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def markdown_table(rows: list[tuple[str, dict[str, float], str]]) -> str:
    lines = ["| figure | median | min – max | unit |", "| --- | --- | --- | --- |"]
    for label, s, unit in rows:
        lines.append(f"| {label} | {s['median']:,.3f} | {s['min']:,.3f} – {s['max']:,.3f} | {unit} |")
    return "\n".join(lines)


def free_port() -> int:
    """A TCP port free on the loopback address (the benchmarks listen on nothing else)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """Samples the resident set of `pid`'s worker children in a thread; `peak_mb` is the maximum
    over the samples of any one worker (multiprocessing `spawn_main` children, else all)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _workers(self) -> list[psutil.Process]:
        children = psutil.Process(self.pid).children(recursive=True)
        spawned = [c for c in children if "spawn_main" in " ".join(_cmdline(c))]
        return spawned or children

    def sample(self) -> None:
        for proc in self._workers():
            try:
                self.peak_mb = max(self.peak_mb, proc.memory_info().rss / 2**20)
            except psutil.Error:
                pass  # a worker that just exited

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


# --- HTTP load: wrk if installed, else a bounded Python generator ---------------------------

WRK_SCRIPT = r"""
local paths, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "p99_us": %.1f, "failed": %d}\n',
    summary.requests, summary.duration, latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p99_ms: float
    failed: int  # non-2xx answers and socket errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @staticmethod
    def generator() -> str:
        return "wrk" if shutil.which("wrk") else "python threads + httpx"


def drive(base: str, paths: list[str], duration: float, connections: int, tmp: Path) -> LoadResult:
    """GET `paths` in rotation on `base` (loopback only) from `connections` concurrent
    connections for `duration` seconds; stops by itself."""
    if not base.startswith(("http://127.0.0.1:", "http://[::1]:")):
        raise ValueError(f"the load generator only targets the loopback address, not {base}")
    if shutil.which("wrk"):
        return _wrk(base, paths, duration, connections, tmp)
    return _threads(base, paths, duration, connections)


def _wrk(base: str, paths: list[str], duration: float, connections: int, tmp: Path) -> LoadResult:
    script, listing = tmp / "rotate.lua", tmp / "paths.txt"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    seconds = max(1, round(duration))
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base + "/"]
    out = subprocess.run([*cmd, "--", str(listing)], capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(x for x in reversed(out.stdout.splitlines()) if x.startswith("{"))
    r = json.loads(line)
    return LoadResult(r["requests"], r["duration_us"] / 1e6, r["p99_us"] / 1000, r["failed"])


def _threads(base: str, paths: list[str], duration: float, connections: int) -> LoadResult:
    import httpx  # a test dependency; only needed without wrk

    deadline = time.monotonic() + duration
    cap = 200_000 // connections + 1  # requests per connection: bounded in count as well as time
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(cap):
                if time.monotonic() >= deadline:
                    break
                t = time.perf_counter()
                try:
                    ok = client.get(paths[(offset + n) % len(paths)]).is_success
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - t)
                bad += not ok
        with lock:
            latencies.extend(mine)
            failed[0] += bad

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i * 7919,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return LoadResult(len(latencies), elapsed, percentile(latencies, 0.99) * 1000 if latencies else 0.0, failed[0])
