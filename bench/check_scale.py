"""The scripted fault and scale check: many posts, a killed worker, a stopped Redis.

Two web processes (`broadsheet serve` on two loopback ports) and one `broadsheet worker` run
against a fresh PostgreSQL database (default `broadsheet_scale`, created and dropped here) and
a Redis this script starts itself on a free port (never the machine's own 6379). 5,000
comments are posted concurrently (32 threads, urllib), half through the API (which answers
202) and half through the article page's form (which answers 303), under the "auto"
moderation policy, while:

- the worker is killed with SIGKILL once it has decided some comments, and started again;
- the script's Redis is stopped for a while and started again (empty: it keeps no data).

Then it checks that every accepted post is exactly one stored comment, that no comment has
two scanner decisions, that every comment reaches a decision (scans lost with the worker or
with Redis are swept up later), that posting kept working while Redis was down, and that
nothing was published unscanned. Only correctness is checked, never speed: every wait polls
against a generous deadline. Prints PASS/FAIL per check, writes the summary to
bench/results/check_scale.txt and exits 1 on any failure (2 if it was interrupted).

    BROADSHEET_DEV=1 .venv/bin/python scripts/check_scale.py [--posts 5000] [--budget 900]

CI runs it through .ci/scale-check, which adds a hard time limit and kills, by the process
group ids this script writes to --pidfile, anything left behind if the script itself is killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import benchlib as b

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = "broadsheet_scale"
DEFAULT_RESULTS = REPO / "bench" / "results" / "check_scale.txt"
CLIENTS = 32
REQUEST_TIMEOUT = 120  # seconds: a request slower than this counts as unanswered
SWEEP_AFTER_SECONDS = 15
KILL_WORKER_AT = 0.2  # share of posts done before the worker is SIGKILLed...
KILL_WORKER_LATEST = 0.4  # ...once it has decided a comment, or at this share regardless
STOP_REDIS_AT = 0.5  # share of posts done when Redis is stopped
REDIS_DOWN_SECONDS = 15  # the outage lasts at least this long...
REDIS_DOWN_POSTS = 100  # ...and until this many posts were answered during it...
REDIS_DOWN_MAX_SECONDS = 90  # ...but never longer than this
RECOVERY_POSTS = 200
DECISION_POLL_SECONDS = 5
STARTUP_TIMEOUT = 300  # seconds for a web process to answer its first request
# Ports for our Redis and web servers are picked below the kernel's ephemeral range, so the
# thousands of client connections of the check cannot be holding the port we restart on.
PORT_RANGE = (20000, 30000)


class Interrupted(BaseException):
    """SIGTERM/SIGHUP/SIGINT: leave through the `finally` that stops every child."""


def _on_signal(signum: int, _frame) -> None:  # noqa: ANN001
    raise Interrupted(signal.Signals(signum).name)


# -- ports, databases, processes -------------------------------------------------------------


def _port_is_free(port: int) -> bool:
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family) as sock:
                sock.bind((host, port))
        except OSError as error:
            if family == socket.AF_INET6 and error.errno in (97, 99):  # no IPv6 here
                continue
            return False
    return True


def pick_port(taken: set[int]) -> int:
    """A free loopback port outside the ephemeral range, never 6379 or one we already use."""
    low, high = PORT_RANGE
    with contextlib.suppress(OSError, ValueError):
        ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
        high = min(high, ephemeral_low - 1)
    rng = random.Random()
    for _ in range(500):
        port = rng.randint(low, high)
        if port != 6379 and port not in taken and _port_is_free(port):
            taken.add(port)
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def pg_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*args, "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"],
        capture_output=True, text=True, timeout=120,
    )


def pg_recreate(name: str) -> str:
    if name in ("test", "postgres", "template0", "template1"):
        raise ValueError(f"refusing to use the database {name!r}")
    pg_run("dropdb", "--if-exists", "--force", name)
    done = pg_run("createdb", name)
    if done.returncode != 0:
        raise RuntimeError(f"createdb {name} failed: {done.stderr.strip()}")
    return f"{b.PG_ROOT}/{name}"


class Tracker:
    """Every child we start, so each is stopped at the end, and its group id in a pidfile."""

    def __init__(self, pidfile: Path | None) -> None:
        self.pidfile = pidfile
        self.processes: list[b.Process] = []
        self.lock = threading.Lock()

    def add(self, process: b.Process) -> b.Process:
        with self.lock:
            self.processes.append(process)
            if self.pidfile:
                with self.pidfile.open("a") as handle:
                    handle.write(f"{process.popen.pid} {process.name}\n")
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            try:
                process.stop(timeout=20)
            except Exception as error:  # noqa: BLE001 - keep stopping the others
                b.log(f"could not stop {process.name}: {error}")
                process.signal_group(signal.SIGKILL)


def start_redis(port: int, site: b.Site, tracker: Tracker, attempts: int = 5) -> b.Process:
    last: Exception | None = None
    for _ in range(attempts):
        try:
            return tracker.add(b.start_redis(port, site.data_dir))
        except RuntimeError as error:
            last = error
            time.sleep(2)
    raise RuntimeError(f"redis on {port} would not start: {last}")


def serve(site: b.Site, tracker: Tracker, *, name: str, port: int,
          **env: str) -> tuple[b.Process, str]:
    """`broadsheet serve` (2 workers x 4 threads) on PORT; waits up to 5 minutes for it."""
    process = tracker.add(b.start_process(
        name,
        [str(b.BROADSHEET), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4"],
        site.env(**env), site.data_dir / f"{name}-{port}.log", cwd=site.data_dir,
    ))
    base = f"http://127.0.0.1:{port}"
    b.wait_http(f"{base}/", timeout=STARTUP_TIMEOUT, process=process)
    return process, base


def csrf_token(base: str, path: str) -> str:
    last: Exception | None = None
    for _ in range(5):
        try:
            return b.csrf_token(base, path)
        except OSError as error:  # a slow first render: try again
            last = error
            time.sleep(3)
    raise RuntimeError(f"no CSRF token from {base}{path}: {last}")


# -- posting ---------------------------------------------------------------------------------


@dataclass
class Post:
    index: int
    text: str
    channel: str  # "api" (answers 202) or "form" (answers 303)
    started: float = 0.0
    finished: float = 0.0
    status: int = 0
    comment_id: int | None = None
    error: str = ""

    @property
    def accepted(self) -> bool:
        expected = 202 if self.channel == "api" else 303
        return self.status == expected and self.comment_id is not None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def post_one(post: Post, base: str, article: dict, token: str) -> Post:
    name, email = f"Scale Reader {post.index}", f"scale{post.index}@example.com"
    if post.channel == "api":
        body = json.dumps({"name": name, "email": email, "text": post.text}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/articles/{article['id']}/comments", data=body, method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
    else:
        body = urllib.parse.urlencode({
            "csrfmiddlewaretoken": token, "name": name, "email": email, "text": post.text,
            "parent": "",
        }).encode()
        request = urllib.request.Request(
            f"{base}/comments/post/{article['id']}/", data=body, method="POST",
            headers={"Cookie": f"csrftoken={token}",
                     "Content-Type": "application/x-www-form-urlencoded"},
        )
    post.started = time.monotonic()
    try:
        with OPENER.open(request, timeout=REQUEST_TIMEOUT) as response:
            post.status = response.status
            payload = response.read()
            if post.channel == "api" and post.status == 202:
                post.comment_id = int(json.loads(payload)["id"])
    except urllib.error.HTTPError as error:
        post.status = error.code
        location = error.headers.get("Location", "")
        if post.channel == "form" and "#c" in location:
            post.comment_id = int(location.rsplit("#c", 1)[1])
    except (OSError, ValueError, KeyError) as error:
        post.error = f"{type(error).__name__}: {error}"[:200]
    post.finished = time.monotonic()
    return post


def decided_count() -> int:
    from broadsheet.moderation.models import Decision

    return Decision.objects.filter(
        actor_name="auto-moderator", action__in=["approve", "reject", "hold"],
        comment__author_email__startswith="scale",
    ).count()


@dataclass
class Chaos:
    """Kills the worker and stops Redis when the posting reaches the set shares."""

    site: b.Site
    worker: b.Process
    redis: b.Process
    redis_port: int
    total: int
    worker_env: dict[str, str]
    tracker: Tracker
    log: object = b.log  # where chaos events are reported
    done: int = 0
    redis_down: tuple[float, float] | None = None
    redis_down_posts: int = 0
    worker_killed_at: float | None = None
    decided_before_kill: int = 0
    killed_after_posts: int = 0
    worker_restarted: bool = False
    error: str = ""
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    answered_during_outage: int = 0
    down_since: float | None = None

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chaos", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=REDIS_DOWN_MAX_SECONDS + 60)

    def tick(self, post: Post) -> int:
        with self.lock:
            self.done += 1
            if (self.redis_down is None and self.down_since is not None
                    and post.started >= self.down_since):
                self.answered_during_outage += 1
            return self.done

    def _wait(self, predicate, poll: float = 0.1) -> bool:  # noqa: ANN001
        while not self.stopping.is_set():
            if predicate():
                return True
            time.sleep(poll)
        return False

    def _event(self, message: str) -> None:
        self.events.append(message)
        self.log(f"chaos: {message}")  # type: ignore[operator]

    def _run(self) -> None:
        try:
            self._chaos()
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            self.error = f"{type(error).__name__}: {error}"
            b.log(f"chaos failed: {self.error}")
        finally:
            from django.db import connection

            connection.close()

    def _chaos(self) -> None:
        # The kill must land mid-batch: posts still arriving and the worker already deciding.
        if not self._wait(lambda: self.done >= KILL_WORKER_AT * self.total):
            return
        decided = 0

        def worker_busy() -> bool:
            nonlocal decided
            decided = decided_count()
            return decided > 0 or self.done >= KILL_WORKER_LATEST * self.total

        if not self._wait(worker_busy, poll=1.0):
            return
        self.decided_before_kill = decided
        self.killed_after_posts = self.done
        self.worker_killed_at = time.monotonic()
        self.worker.kill()
        if self.worker.alive():
            raise RuntimeError("the worker survived SIGKILL")
        self._event(f"SIGKILL to the worker's process group after {self.done} posts, "
                    f"{decided} comments decided so far")
        self.worker = self.tracker.add(
            b.start_worker(self.site, name="worker-restarted", **self.worker_env)
        )
        self.worker_restarted = True
        self._event("worker started again")

        if not self._wait(lambda: self.done >= STOP_REDIS_AT * self.total):
            return
        self.redis.stop()
        if self.redis.alive():
            raise RuntimeError("Redis would not stop")
        self.down_since = down = time.monotonic()
        self._event(f"Redis stopped after {self.done} posts")
        # Down for at least REDIS_DOWN_SECONDS and until enough posts were answered meanwhile
        # (a slow machine posts fewer per second); at most REDIS_DOWN_MAX_SECONDS.
        while time.monotonic() - down < REDIS_DOWN_MAX_SECONDS and not self.stopping.is_set():
            elapsed = time.monotonic() - down
            if elapsed >= REDIS_DOWN_SECONDS and (
                self.answered_during_outage >= REDIS_DOWN_POSTS or self.done >= self.total
            ):
                break
            time.sleep(0.2)
        self.redis = start_redis(self.redis_port, self.site, self.tracker)
        self.redis_down = (down, time.monotonic())
        self.redis_down_posts = self.answered_during_outage
        self._event(f"Redis started again (empty) after {self.done} posts; down "
                    f"{self.redis_down[1] - down:.0f}s, {self.redis_down_posts} posts answered "
                    "meanwhile")


def decided_state() -> dict:
    """What the database says about the posted comments, read with the app's ORM."""
    from django.db.models import Count, Q

    from broadsheet.comments.models import Comment
    from broadsheet.moderation.models import Decision

    auto = Decision.objects.filter(actor_name="auto-moderator",
                                   action__in=["approve", "reject", "hold"])
    posted = Comment.objects.filter(author_email__startswith="scale")
    held = set(auto.filter(action="hold").values_list("comment_id", flat=True))
    pending = posted.filter(status=Comment.Status.PENDING)
    undecided = [pk for pk in pending.values_list("pk", flat=True) if pk not in held]
    twice = list(
        auto.values("comment_id").annotate(n=Count("id")).filter(n__gt=1)
        .values_list("comment_id", "n")
    )
    approved = posted.filter(status=Comment.Status.APPROVED)
    unscanned_published = list(
        approved.filter(~Q(scan_state=Comment.ScanState.SCANNED)).values_list("pk", flat=True)
    )
    approved_ids = set(approved.values_list("pk", flat=True))
    with_auto_approve = set(
        auto.filter(action="approve", comment_id__in=approved_ids)
        .values_list("comment_id", flat=True)
    )
    states = Counter(f"{s}/{t}" for s, t in posted.values_list("status", "scan_state"))
    return {
        "stored": posted.count(),
        "undecided": undecided,
        "twice": twice,
        "unscanned_published": unscanned_published,
        "approved_without_auto_decision": sorted(approved_ids - with_auto_approve),
        "states": dict(states),
    }


# -- the check -------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []
        self.phases: list[tuple[str, float]] = []
        self.lines: list[str] = []
        self._phase_started = time.monotonic()

    def log(self, message: str) -> None:
        b.log(message)
        self.lines.append(f"[{time.strftime('%H:%M:%S')}] {message}")

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.results.append((name, ok, detail))
        self.log(f"{'PASS' if ok else 'FAIL'}: {name} — {detail}")

    def phase(self, name: str) -> None:
        now = time.monotonic()
        self.phases.append((name, now - self._phase_started))
        self._phase_started = now

    @property
    def failed(self) -> list[str]:
        return [name for name, ok, _ in self.results if not ok]


def _commit() -> str:
    """The checked-out commit, read from .git without running git (best effort)."""
    with contextlib.suppress(OSError, IndexError):
        head = (REPO / ".git" / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        path = REPO / ".git" / ref
        if path.exists():
            return path.read_text().strip()[:12]
        for line in (REPO / ".git" / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:12]
    return "unknown"


def write_results(path: Path, report: Report, args: argparse.Namespace, total: float,
                  summary: dict, verdict: str) -> None:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path(
        "/proc/loadavg").exists() else "?"
    out = [
        "check_scale: two web processes and one Celery worker on PostgreSQL and Redis,",
        "posts under load while the worker is SIGKILLed and Redis is stopped (see",
        "scripts/check_scale.py). Correctness only; timings are informational.",
        "",
        f"run:      {time.strftime('%Y-%m-%d %H:%M:%S %z')}  commit {_commit()}",
        f"machine:  {platform.node()}, {os.cpu_count()} CPUs, load average {load}",
        f"settings: {args.posts} posts + {RECOVERY_POSTS} after the Redis restart, "
        f"{CLIENTS} client threads, API and form alternating, database {args.db}, "
        f"Redis port {summary.get('redis_port', '?')}",
        f"verdict:  {verdict} — {len(report.results) - len(report.failed)} passed, "
        f"{len(report.failed)} failed in {total:.0f}s",
        "",
        "checks:",
    ]
    out += [f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}"
            for name, ok, detail in report.results]
    out += ["", "counts:"]
    out += [f"  {key}: {value}" for key, value in summary.items()
            if key not in ("redis_port", "data_dir")]
    out += ["", "durations (s):"]
    out += [f"  {name}: {seconds:.0f}" for name, seconds in report.phases]
    out += ["", "log:"] + [f"  {line}" for line in report.lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n")


def run(args: argparse.Namespace, report: Report, summary: dict, tracker: Tracker,
        started: float) -> None:
    deadline = started + args.budget
    if not b.pg_available():
        report.check("PostgreSQL is running on 127.0.0.1:5432", False, "pg_isready failed")
        return
    taken: set[int] = set()
    redis_port = args.redis_port or pick_port(taken)
    if redis_port == 6379:
        raise ValueError("refusing to use the machine's own Redis port 6379")
    summary["redis_port"] = redis_port
    data_dir = Path(args.data_dir) if args.data_dir else None
    if data_dir:
        data_dir.mkdir(parents=True, exist_ok=True)
    database_url = pg_recreate(args.db)
    site = b.seed_site(sizes=[20], database_url=database_url, policy="auto", data_dir=data_dir)
    summary["data_dir"] = str(site.data_dir)  # printed, not written to the results file
    report.log(f"fresh database {args.db}, data dir {site.data_dir}")
    report.phase("create and seed the database")

    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    seen = b.web_celery_broker(site, REDIS_URL=redis_url)
    report.check("with REDIS_URL alone, web processes send scans to that Redis",
                 f"127.0.0.1:{redis_port}" in seen, f"scan tasks would go to: {seen}")
    # Set the broker explicitly as well, so the rest of the check exercises the worker (and
    # sends nothing to whatever listens on the default AMQP port).
    env = {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
           "BROADSHEET_SCAN_SWEEP_AFTER_SECONDS": str(SWEEP_AFTER_SECONDS)}

    redis = start_redis(redis_port, site, tracker)
    worker = tracker.add(b.start_worker(site, **env))
    web_a, base_a = serve(site, tracker, name="web-a", port=pick_port(taken), **env)
    web_b, base_b = serve(site, tracker, name="web-b", port=pick_port(taken), **env)
    report.log(f"redis :{redis_port}, worker, web {base_a} and {base_b}")

    os.environ.update(site.env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    from django.db import connection

    article = site.seed["articles"][0]
    token = csrf_token(base_a, article["url"])
    report.phase("start Redis, worker and two web processes")

    def make_posts(first: int, count: int, what: str) -> list[Post]:
        return [
            Post(i, f"The valley buses were late again this morning, as they are most days "
                    f"since the timetable changed. {what} number {i}.",
                 "api" if i % 2 else "form")
            for i in range(first, first + count)
        ]

    posts = make_posts(0, args.posts, "Check")
    chaos = Chaos(site=site, worker=worker, redis=redis, redis_port=redis_port,
                  total=len(posts), worker_env=env, tracker=tracker, log=report.log)
    report.log(f"posting {len(posts)} comments with {CLIENTS} threads "
               f"(API and form alternating, web-a and web-b alternating)")
    abort = threading.Event()
    reserve = min(args.decide_reserve, args.budget * 0.4)
    progress_every = max(1, len(posts) // 10)

    def job(post: Post) -> Post:
        if abort.is_set() or time.monotonic() > deadline - reserve:
            post.error = "skipped: out of time"
            return post
        base = base_a if (post.index // 2) % 2 else base_b
        post_one(post, base, article, token)
        done = chaos.tick(post)
        if done % progress_every == 0:
            report.log(f"  {done}/{len(posts)} posted")
        return post

    pool = ThreadPoolExecutor(CLIENTS)
    chaos.start()
    try:
        for future in [pool.submit(job, post) for post in posts]:
            future.result()
    finally:
        abort.set()
        pool.shutdown(wait=True, cancel_futures=True)
        chaos.stop()
    report.phase(f"post {len(posts)} comments")

    # A last batch after Redis is back: posting must recover by itself.
    recovery = make_posts(len(posts), RECOVERY_POSTS, "Posted after the Redis restart,")
    with ThreadPoolExecutor(CLIENTS) as recovery_pool:
        list(recovery_pool.map(lambda p: post_one(p, base_a, article, token), recovery))
    recovered = sum(p.accepted for p in recovery)
    report.check("posting works again once Redis is back", recovered == len(recovery),
                 f"{recovered} of {len(recovery)} accepted after the restart")
    posts += recovery
    ran = [p for p in posts if p.started]
    posting_seconds = max(p.finished for p in ran) - min(p.started for p in ran) if ran else 0
    statuses = Counter(p.status or p.error.split(":")[0] for p in posts)
    accepted = [p for p in posts if p.accepted]
    report.log(f"posted in {posting_seconds:.0f}s: {dict(statuses)}")
    latencies = sorted(p.finished - p.started for p in ran)
    summary.update({
        "posts sent": len(posts), "accepted": len(accepted),
        "request seconds p50/p99/max": "/".join(
            f"{latencies[min(len(latencies) - 1, int(q * len(latencies)))]:.2f}"
            for q in (0.5, 0.99, 1.0)
        ) if latencies else "-",
        "accepted via the API (202)": sum(p.channel == "api" for p in accepted),
        "accepted via the form (303)": sum(p.channel == "form" for p in accepted),
        "statuses": dict(statuses), "posting seconds": round(posting_seconds),
    })
    report.phase(f"post {RECOVERY_POSTS} more after Redis is back")

    # Wait for every stored comment to be decided (the sweep catches lost scans). Polls until
    # the deadline; nothing here is timed, only whether it happens.
    wait_started = time.monotonic()
    state = decided_state()
    last_log = 0.0
    while time.monotonic() < deadline - 15 and state["undecided"]:
        if time.monotonic() - last_log >= 15:
            report.log(f"  waiting: {len(state['undecided'])} undecided, "
                       f"states {state['states']}")
            last_log = time.monotonic()
        if not chaos.worker.alive():
            report.log(f"the worker exited:\n{chaos.worker.log_tail()}")
            break
        time.sleep(DECISION_POLL_SECONDS)
        state = decided_state()
    decide_seconds = time.monotonic() - wait_started
    summary.update({"stored": state["stored"], "undecided": len(state["undecided"]),
                    "states": state["states"],
                    "seconds from the last post to the last decision": round(decide_seconds)})
    report.phase("wait for every comment to be decided")

    from broadsheet.comments.models import Comment

    stored = list(
        Comment.objects.filter(author_email__startswith="scale").values_list("pk", "text")
    )
    connection.close()
    by_text = Counter(text for _, text in stored)
    stored_ids = dict(stored)

    for channel, code in (("api", 202), ("form", 303)):
        mine = [p for p in accepted if p.channel == channel]
        sent = sum(p.channel == channel for p in posts)
        missing = [p.index for p in mine if by_text.get(p.text, 0) == 0]
        doubled = [p.index for p in mine if by_text.get(p.text, 0) > 1]
        wrong_id = [p.index for p in mine if stored_ids.get(p.comment_id) != p.text]
        report.check(
            f"every {code} response ({channel}) is exactly one stored comment",
            bool(mine) and not missing and not doubled and not wrong_id,
            f"{len(mine)} answered {code} of {sent} sent; missing {missing[:5]} "
            f"({len(missing)}), stored twice {doubled[:5]} ({len(doubled)}), "
            f"id pointing elsewhere {wrong_id[:5]} ({len(wrong_id)})",
        )
    refused_but_stored = [p.index for p in posts if not p.accepted and by_text.get(p.text, 0)]
    report.check(
        "every request was answered and nothing else was stored",
        len(accepted) == len(posts) and len(stored) == len(accepted),
        f"statuses {dict(statuses)}; {len(stored)} stored for {len(accepted)} accepted; "
        f"{len(refused_but_stored)} refused or failed requests stored their comment anyway",
    )
    if chaos.redis_down:
        down, up = chaos.redis_down
        during = [p for p in posts if p.started and down <= p.started <= up]
        ok_during = [p for p in during if p.accepted]
        report.check(
            "posting kept working while Redis was down",
            bool(during) and len(ok_during) == len(during),
            f"{len(ok_during)} of {len(during)} posts accepted during the "
            f"{up - down:.0f}s outage; statuses "
            f"{dict(Counter(p.status or p.error[:40] for p in during))}",
        )
        summary["Redis down (s)"] = round(up - down)
        summary["posts during the outage"] = len(during)
    else:
        report.check("posting kept working while Redis was down", False,
                     chaos.error or "the Redis stop never happened (posting ended early)")
    report.check(
        "the worker was killed mid-batch and restarted",
        chaos.worker_killed_at is not None and chaos.worker_restarted
        and chaos.killed_after_posts < args.posts and chaos.worker.alive(),
        f"SIGKILL after {chaos.killed_after_posts} of {args.posts} posts with "
        f"{chaos.decided_before_kill} comments decided; restarted worker "
        f"{'alive' if chaos.worker.alive() else 'NOT alive'} at the end"
        if chaos.worker_killed_at else (chaos.error or "never killed"),
    )
    alive = {p.name: p.alive() for p in (web_a, web_b)}
    report.check("both web processes are still up", all(alive.values()), f"{alive}")
    report.check("no comment has two scanner decisions", not state["twice"],
                 f"{len(state['twice'])} comments with more than one: {state['twice'][:5]}")
    report.check("every stored comment reached a decision", not state["undecided"],
                 f"{len(state['undecided'])} of {state['stored']} undecided "
                 f"{decide_seconds:.0f}s after the last post; states {state['states']}")
    report.check(
        "nothing was published unscanned",
        not state["unscanned_published"] and not state["approved_without_auto_decision"],
        f"{len(state['unscanned_published'])} approved but not scanned, "
        f"{len(state['approved_without_auto_decision'])} approved without an "
        "auto-moderator decision",
    )
    if report.failed:
        for process in tracker.processes:
            tail = process.log_tail(15)
            if tail:
                report.log(f"last lines of {process.name} ({process.log_path}):\n{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--budget", type=int, default=900,
                        help="seconds for the whole check (posting stops early to keep it)")
    parser.add_argument("--decide-reserve", type=int, default=360,
                        help="seconds of the budget kept for the comments to be decided")
    parser.add_argument("--db", default=os.environ.get("SCALE_DB", DEFAULT_DB),
                        help="PostgreSQL database to create, use and drop")
    parser.add_argument("--redis-port", type=int, default=0,
                        help="port for the check's own Redis (default: a free one)")
    parser.add_argument("--data-dir", help="directory for the site's files and the logs")
    parser.add_argument("--pidfile", help="append the process group id of every child here")
    parser.add_argument("--results", default=str(DEFAULT_RESULTS),
                        help="where to write the summary ('' for nowhere)")
    args = parser.parse_args()

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _on_signal)
    started = time.monotonic()
    report = Report()
    summary: dict = {}
    tracker = Tracker(Path(args.pidfile) if args.pidfile else None)
    interrupted = ""
    try:
        run(args, report, summary, tracker, started)
    except Interrupted as stop:
        interrupted = str(stop)
        report.phase("the step that was running when it stopped")
        report.check("the check ran to the end", False, f"interrupted by {stop}")
    except Exception as error:  # noqa: BLE001 - reported as a failed check
        report.phase("the step that was running when it failed")
        report.check("the check ran to the end", False, f"{type(error).__name__}: {error}")
        traceback.print_exc()
    finally:
        # Ignore further signals while cleaning up, so the children are always stopped.
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        tracker.stop_all()
        if "django" in sys.modules:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
        pg_run("dropdb", "--if-exists", "--force", args.db)
    report.phase("stop everything and drop the database")

    total = time.monotonic() - started
    if not report.results:
        report.check("the check ran", False, "no check was made")
    verdict = "PASS" if not report.failed else "FAIL"
    if args.results:
        try:
            write_results(Path(args.results), report, args, total, summary, verdict)
        except OSError as error:
            print(f"could not write {args.results}: {error}")
    print()
    print(f"check_scale: {len(report.results) - len(report.failed)} passed, "
          f"{len(report.failed)} failed in {total:.0f}s "
          f"(logs in {summary.get('data_dir', '?')})")
    for name, ok, detail in report.results:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    print("  durations: " + ", ".join(f"{n} {s:.0f}s" for n, s in report.phases))
    print(verdict)
    if interrupted:
        return 2
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
