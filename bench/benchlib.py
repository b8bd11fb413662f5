"""Shared pieces of the benchmarks: servers, seeding, wrk runs, databases and Redis.

Everything here talks only to 127.0.0.1, runs each server in its own process group (so it is
stopped by that id and nothing else), and bounds every wait in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
BROADSHEET = VENV_BIN / "broadsheet"
ISSO_VENV = BENCH_DIR / ".isso-venv"
WRK_LUA = BENCH_DIR / "wrk" / "bench.lua"
RESULTS_DIR = BENCH_DIR / "results"
PG_ROOT = "postgres://postgres@127.0.0.1:5432"
# The rate limit column is a PositiveSmallIntegerField: 32767 is its PostgreSQL maximum.
BENCH_COMMENTS_PER_MINUTE = 32767


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a Broadsheet process: development mode, no inherited Redis/DB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BROADSHEET_", "DJANGO_"))}
    for name in ("REDIS_URL", "DATABASE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update({"BROADSHEET_DEV": "1", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"})
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# -- databases -------------------------------------------------------------------------------


def pg_available() -> bool:
    if not shutil.which("pg_isready"):
        return False
    done = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True, timeout=10
    )
    return done.returncode == 0


def pg_create(name: str) -> str:
    """A fresh PostgreSQL database for one benchmark; returns its DATABASE_URL."""
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name],
        check=True, capture_output=True, timeout=60,
    )
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
        check=True, capture_output=True, timeout=60,
    )
    return f"{PG_ROOT}/{name}"


def pg_drop(name: str) -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name],
        capture_output=True, timeout=60,
    )


# -- processes -------------------------------------------------------------------------------


@dataclass
class Process:
    """A child started in its own session; stop() signals that process group only."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 25) -> None:
        if not self.alive():
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def kill(self) -> None:
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_process(
    name: str, command: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None
) -> Process:
    handle = open(log_path, "ab")  # noqa: SIM115 - lives as long as the child
    popen = subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        cwd=str(cwd or log_path.parent), start_new_session=True,
    )
    handle.close()
    return Process(name=name, popen=popen, log_path=log_path)


def wait_http(url: str, timeout: float = 60, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
            last_error = f"HTTP {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.3)
    tail = process.log_tail() if process else ""
    raise RuntimeError(f"{url} not ready after {timeout:.0f}s ({last_error})\n{tail}")


@dataclass
class Site:
    """A seeded Broadsheet data directory (and maybe PostgreSQL database)."""

    data_dir: Path
    database_url: str | None
    seed: dict = field(default_factory=dict)

    def env(self, **overrides: str | None) -> dict[str, str]:
        values: dict[str, str | None] = {
            "BROADSHEET_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": self.database_url,
        }
        values.update(overrides)
        return base_env(**values)

    def article(self, comments: int) -> dict:
        for article in self.seed["articles"]:
            if article["comments"] == comments:
                return article
        raise KeyError(comments)


def seed_site(
    *,
    sizes: list[int],
    database_url: str | None = None,
    policy: str = "premoderate",
    data_dir: Path | None = None,
    timeout: float = 600,
) -> Site:
    """Migrate a fresh data dir (and database) and seed articles with N approved comments."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))
    site = Site(data_dir=data_dir, database_url=database_url)
    out = data_dir / "seed.json"
    command = [
        str(PYTHON), str(BENCH_DIR / "seed.py"), "--sizes", ",".join(map(str, sizes)),
        "--policy", policy, "--out", str(out),
    ]
    done = subprocess.run(
        command, env=site.env(), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    site.seed = json.loads(out.read_text())
    return site


def serve(
    site: Site, *, workers: int = 2, threads: int = 1, port: int | None = None,
    name: str = "broadsheet", **env: str | None,
) -> tuple[Process, str]:
    """`broadsheet serve` on a free loopback port; returns the process and its base URL."""
    port = port or free_port()
    log_path = site.data_dir / f"{name}-{port}.log"
    process = start_process(
        name,
        [str(BROADSHEET), "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads)],
        site.env(**env),
        log_path,
        cwd=site.data_dir,
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/", timeout=90, process=process)
    return process, base


def start_worker(site: Site, *, name: str = "worker", **env: str | None) -> Process:
    # cwd is the data dir: celery beat writes its schedule file there, not into the checkout.
    return start_process(
        name, [str(BROADSHEET), "worker"], site.env(**env),
        site.data_dir / f"{name}.log", cwd=site.data_dir,
    )


def start_redis(port: int, workdir: Path) -> Process:
    """A private, non-persistent Redis on PORT (never the machine's own 6379)."""
    if port == 6379:
        raise ValueError("refusing to use the machine's own Redis port")
    redis = start_process(
        f"redis:{port}",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        base_env(), workdir / f"redis-{port}.log", cwd=workdir,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return redis
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"redis on {port} did not start:\n{redis.log_tail()}")


def group_cpu_seconds(pgid: int) -> float:
    """User+system CPU seconds of every live process in process group PGID (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields[0] is the state (field 3 of stat): pgrp is field 5, utime 14, stime 15.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def cpu_ticks() -> tuple[int, int]:
    """All CPU ticks so far and those stolen by the hypervisor (the ``cpu`` line of
    /proc/stat): a virtual machine whose host is busy runs everything slower."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(values), values[7] if len(values) > 7 else 0


def stolen_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = max(1, after[0] - before[0])
    return round(max(0.0, (after[1] - before[1]) / total), 2)


def machine_busy_share(seconds: float = 1.0, exclude_pgid: int | None = None) -> float:
    """The share of all CPUs busy over SECONDS with other people's work.

    CPU used by process group EXCLUDE_PGID (our own server, still warming up) is left out,
    so what remains is the load other work on this shared machine puts on it.
    """

    def sample() -> tuple[int, int, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        own = group_cpu_seconds(exclude_pgid) if exclude_pgid else 0.0
        return sum(values), values[3] + values[4], own

    total_a, idle_a, own_a = sample()
    time.sleep(seconds)
    total_b, idle_b, own_b = sample()
    total = max(1, total_b - total_a)
    busy = total - (idle_b - idle_a) - (own_b - own_a) * os.sysconf("SC_CLK_TCK")
    return round(max(0.0, busy / total), 2)


# -- HTTP helpers ----------------------------------------------------------------------------


def csrf_token(base: str, path: str) -> str:
    """A CSRF token from the csrftoken cookie a page sets; wrk sends it as cookie and field."""
    with urllib.request.urlopen(base + path, timeout=30) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                return header.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"no csrftoken cookie from {path}")


def http_get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# -- wrk -------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    label: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict
    statuses: dict
    bytes_per_request: float
    connections: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def run_wrk(
    label: str,
    url: str,
    *,
    connections: int = 32,
    seconds: int = 10,
    threads: int = 2,
    mode: str = "get",
    body_env: dict[str, str] | None = None,
    timeout_s: int = 10,
) -> WrkResult:
    """One bounded wrk run over loopback; its Lua script prints a JSON summary line."""
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("benchmarks target loopback only")
    threads = min(threads, connections)
    env = dict(os.environ)
    env["BENCH_MODE"] = mode
    env.update(body_env or {})
    command = [
        "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", f"{timeout_s}s", "-s", str(WRK_LUA), url,
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + timeout_s + 30
    )
    line = next(
        (ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    data = json.loads(line[len("BENCH_JSON "):])
    seconds_run = data["duration_us"] / 1e6
    requests = int(data["requests"])
    statuses = {str(k): v for k, v in data.get("statuses", {}).items()}
    return WrkResult(
        label=label,
        requests=requests,
        seconds=round(seconds_run, 2),
        rps=round(requests / seconds_run, 1) if seconds_run else 0.0,
        p50_ms=round(data["p50_us"] / 1000, 1),
        p90_ms=round(data["p90_us"] / 1000, 1),
        p99_ms=round(data["p99_us"] / 1000, 1),
        max_ms=round(data["max_us"] / 1000, 1),
        errors=data["errors"],
        statuses=statuses,
        bytes_per_request=round(data["bytes"] / requests) if requests else 0,
        connections=connections,
    )


def wrk_line(result: WrkResult) -> str:
    errors = {k: v for k, v in result.errors.items() if v}
    return (
        f"{result.label}: {result.rps:,.0f} req/s, p50 {result.p50_ms} ms, "
        f"p99 {result.p99_ms} ms, {result.requests} requests, statuses {result.statuses}"
        + (f", errors {errors}" if errors else "")
    )


def python_in_env() -> str:
    return sys.executable


def site_stats(site: Site) -> dict:
    """{"status/scan_state": count} over the site's comments (read with the app's own ORM)."""
    out = site.data_dir / "stats.json"
    command = [str(PYTHON), str(BENCH_DIR / "seed.py"), "--stats", "--out", str(out)]
    done = subprocess.run(command, env=site.env(), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return {"error": done.stderr[-500:]}
    return json.loads(out.read_text())


def web_celery_broker(site: Site, **env: str | None) -> str:
    """The broker a web process would send scan tasks to, with this environment.

    The tasks are `shared_task`s: unless the `broadsheet.celery` app was imported in the web
    process they bind to Celery's default app, which ignores Django's CELERY_* settings.
    """
    code = (
        "import django; django.setup()\n"
        "from broadsheet.moderation import celery_tasks\n"
        "task = celery_tasks.scan_comments_task\n"
        "print(task.app.main, task.app.connection().as_uri())\n"
    )
    done = subprocess.run(
        [str(PYTHON), "-c", code],
        env=site.env(DJANGO_SETTINGS_MODULE="broadsheet.settings", **env),
        capture_output=True, text=True, timeout=120,
    )
    return done.stdout.strip() or done.stderr.strip()[-300:]
