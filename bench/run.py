"""`make bench`: Broadsheet's load benchmarks, side by side with Isso.

Every server gets its own temporary data dir (and PostgreSQL database), is seeded by
bench/seed.py, and is loaded with wrk over loopback at a fixed concurrency. One benchmark runs
at a time (the machine has two cores). Results go to bench/results/: results.json,
summary.md and chart.png (or chart.svg when matplotlib cannot be installed).

    BROADSHEET_DEV=1 .venv/bin/python bench/run.py [--quick] [--only reads,posts,...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as b  # noqa: E402
import report  # noqa: E402

CLIENTS = 32
POST_CLIENTS_ISSO = 8
READ_SIZES = [50, 500]
GROWTH_SIZES = [10, 1000, 100000]
ISSO_THREAD = 200
POST_ARTICLE = 20  # comments on the article that takes the benchmark's posts
SERVER_CONFIGS = [(2, 1), (3, 1), (2, 4), (4, 2)]
TARGETS = {
    "cached_rps": 2000, "uncached_rps": 300, "p99_ms": 100,
    "isso_read_ratio": 50, "isso_post_ratio": 1.5,
}
PHASES = ["calibrate", "configs", "sqlite", "postgres", "celery", "isso", "scan", "embed"]
# The embed's weight is measured on a story with a few comments (seeded threads with replies).
EMBED_COMMENTS = 8


# -- bootstrap -------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    b.log("wrk is missing: installing Debian's wrk (apt-get update, then install)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=300)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, timeout=300)


def ensure_matplotlib() -> bool:
    check = [str(b.PYTHON), "-c", "import matplotlib"]
    if subprocess.run(check, capture_output=True).returncode == 0:
        return True
    b.log("matplotlib is missing: pip install matplotlib into .venv (for the chart)")
    subprocess.run([str(b.PYTHON), "-m", "pip", "install", "-q", "matplotlib"], timeout=600)
    return subprocess.run(check, capture_output=True).returncode == 0


def ensure_isso() -> bool:
    gunicorn = b.ISSO_VENV / "bin" / "gunicorn"
    if gunicorn.exists() and (b.ISSO_VENV / "bin" / "isso").exists():
        return True
    b.log("creating bench/.isso-venv with isso and gunicorn (a separate venv)")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(b.ISSO_VENV)], check=True, timeout=120)
        subprocess.run(
            [str(b.ISSO_VENV / "bin" / "pip"), "install", "-q", "isso", "gunicorn"],
            check=True, timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as error:
        b.log(f"could not install isso: {error}")
        return False
    return gunicorn.exists()


# -- the run ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, seconds: int, warmup: int) -> None:
        self.seconds = seconds
        self.warmup = warmup
        self.runs: list[dict] = []
        self.notes: list[str] = []
        self.extra: dict = {}
        self.server: b.Process | None = None

    def note(self, message: str) -> None:
        b.log(f"NOTE: {message}")
        self.notes.append(message)

    def measure(self, group: str, label: str, url: str, *, tags: dict | None = None,
                connections: int = CLIENTS, mode: str = "get", warm: bool = True,
                body_env: dict[str, str] | None = None) -> dict | None:
        """A warm-up, then the measured wrk run; the result is kept under GROUP.

        Besides wrk's numbers it records how busy the machine was just before (other work on
        a shared machine lowers every number) and the server's own CPU time per request, read
        from /proc for its process group, which does not depend on that.
        """
        busy = b.machine_busy_share(
            1.0, exclude_pgid=self.server.popen.pid if self.server else None
        )
        try:
            if warm and self.warmup:
                b.run_wrk("warmup", url, connections=connections, seconds=self.warmup,
                          mode=mode, body_env=body_env)
            cpu_before = b.group_cpu_seconds(self.server.popen.pid) if self.server else 0.0
            ticks_before = b.cpu_ticks()
            result = b.run_wrk(label, url, connections=connections, seconds=self.seconds,
                               mode=mode, body_env=body_env)
            stolen = b.stolen_share(ticks_before, b.cpu_ticks())
            cpu_after = b.group_cpu_seconds(self.server.popen.pid) if self.server else 0.0
        except (RuntimeError, subprocess.SubprocessError) as error:
            self.note(f"{group}/{label} failed: {error}")
            return None
        row = {"group": group, **(tags or {}), **result.as_dict(), "busy_before": busy,
               "stolen": stolen}
        if self.server and result.requests:
            cpu_ms = (cpu_after - cpu_before) * 1000 / result.requests
            row["server_cpu_ms"] = round(cpu_ms, 2)
            # What the server alone could do with both cores to itself.
            row["cpu_ceiling_rps"] = round((os.cpu_count() or 1) * 1000 / cpu_ms) if cpu_ms else 0
        self.runs.append(row)
        extra = (f", server CPU {row['server_cpu_ms']} ms/request" if "server_cpu_ms" in row
                 else "")
        b.log(f"  {group}: {b.wrk_line(result)}{extra}; machine {busy:.0%} busy before, "
              f"{stolen:.0%} of CPU stolen by the host during the run")
        return row

    def serve(self, site: b.Site, **kwargs: object) -> tuple[b.Process, str]:
        process, base = b.serve(site, **kwargs)  # type: ignore[arg-type]
        self.server = process
        return process, base


def probe_api(base: str, article_id: int) -> dict[str, bool]:
    """Whether the JSON API's read and post endpoints answer (it is being built right now)."""
    status, _ = b.http_get(f"{base}/api/v1/articles/{article_id}/comments")
    read_ok = status == 200
    request = urllib.request.Request(
        f"{base}/api/v1/articles/{article_id}/comments",
        data=json.dumps({"name": "Probe Reader", "email": "probe@example.com",
                         "text": "Checking the API answers before the benchmark."}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            post_ok = response.status == 202
    except urllib.error.HTTPError as error:
        post_ok = False
        b.log(f"  API POST probe answered {error.code}: {error.read()[:200]!r}")
    except OSError:
        post_ok = False
    return {"read": read_ok, "post": post_ok}


def form_post_env(base: str, article: dict) -> dict[str, str]:
    return {
        "BENCH_PATH": f"/comments/post/{article['id']}/",
        "BENCH_CSRF": b.csrf_token(base, article["url"]),
        "BENCH_PARENTS": ",".join(str(pk) for pk in article["roots"][:10]),
    }


def reads(bench: Bench, site: b.Site, base: str, db: str, cache: str, sizes: list[int],
          group: str) -> None:
    for size in sizes:
        article = site.article(size)
        bench.measure(group, f"{db} {cache} page, {size:,} comments", base + article["url"],
                      tags={"db": db, "cache": cache, "comments": size, "kind": "page"})


def phase_calibrate(bench: Bench) -> None:
    """The bare 67 KB WSGI app under the same gunicorn settings: this run's ceiling."""
    workdir = Path(tempfile.mkdtemp(prefix="bare-wsgi-"))
    port = b.free_port()
    process = b.start_process(
        "bare-wsgi",
        [str(b.PYTHON), "-m", "gunicorn", "--chdir", str(b.BENCH_DIR), "-w", "2",
         "--threads", "4", "-b", f"127.0.0.1:{port}", "bare_wsgi:application"],
        b.base_env(), workdir / "bare.log", cwd=workdir,
    )
    bench.server = process
    try:
        b.wait_http(f"http://127.0.0.1:{port}/", timeout=30, process=process)
        bench.measure("calibration", "bare WSGI, 67 KB body (earlier: ~4,100 req/s)",
                      f"http://127.0.0.1:{port}/", tags={"kind": "calibration"})
    finally:
        process.stop()


def phase_configs(bench: Bench, site: b.Site) -> None:
    """A few gunicorn worker/thread settings on the 500-comment page, cached and uncached."""
    article = site.article(500)
    for workers, threads in SERVER_CONFIGS:
        for cache, flag in (("cached", "1"), ("uncached", "0")):
            process, base = bench.serve(site, workers=workers, threads=threads,
                                    BROADSHEET_PAGE_CACHE=flag)
            try:
                bench.measure("configs", f"{workers}w x {threads}t {cache}",
                              base + article["url"],
                              tags={"db": "sqlite", "cache": cache, "workers": workers,
                                    "threads": threads, "comments": 500})
            finally:
                process.stop()


def posts(bench: Bench, site: b.Site, base: str, db: str, group: str,
          connections: int = CLIENTS, api: bool = False, runner: str = "thread") -> None:
    article = site.article(POST_ARTICLE)
    before = b.site_stats(site)
    if api:
        bench.measure(group, f"{db} API POST, {runner} runner, {connections} clients",
                      base + "/", connections=connections, mode="json", warm=False,
                      body_env={"BENCH_PATH": f"/api/v1/articles/{article['id']}/comments",
                                "BENCH_JSON_KIND": "api"},
                      tags={"db": db, "kind": "api-post", "runner": runner})
    else:
        bench.measure(group, f"{db} form POST, {runner} runner, {connections} clients",
                      base + "/", connections=connections, mode="form", warm=False,
                      body_env=form_post_env(base, article),
                      tags={"db": db, "kind": "form-post", "runner": runner})
    time.sleep(3)
    after = b.site_stats(site)
    bench.extra.setdefault("scan_states_after_posts", []).append(
        {"group": group, "db": db, "runner": runner, "api": api, "before": before,
         "after_3s": after}
    )
    b.log(f"  comments by status/scan_state 3 s after posting: {after}")


def phase_db(bench: Bench, db: str, database_url: str | None, *, isso_sizes: bool) -> b.Site:
    sizes = READ_SIZES + GROWTH_SIZES + [POST_ARTICLE] + ([ISSO_THREAD] if isso_sizes else [])
    b.log(f"seeding {db}: articles with {sizes} comments")
    started = time.monotonic()
    site = b.seed_site(sizes=sizes, database_url=database_url)
    b.log(f"  seeded in {time.monotonic() - started:.0f}s ({site.data_dir})")
    bench.extra.setdefault("seed_seconds", {})[db] = round(time.monotonic() - started, 1)
    for cache, flag in (("cached", "1"), ("uncached", "0")):
        process, base = bench.serve(site, BROADSHEET_PAGE_CACHE=flag)
        try:
            b.log(f"{db} {cache}: {base}")
            reads(bench, site, base, db, cache, READ_SIZES, "reads")
            reads(bench, site, base, db, cache, GROWTH_SIZES, "growth")
            if cache == "cached":
                posts(bench, site, base, db, "posts")
        finally:
            process.stop()
    return site


def phase_celery(bench: Bench) -> None:
    """Posts with REDIS_URL (shared cache, Celery) and one `broadsheet worker`."""
    if not shutil.which("redis-server"):
        bench.note("redis-server not installed: the Celery post benchmark was skipped")
        return
    db_name = "broadsheet_bench_celery"
    database_url = b.pg_create(db_name) if b.pg_available() else None
    db = "postgres" if database_url else "sqlite"
    site = b.seed_site(sizes=[500, POST_ARTICLE], database_url=database_url)
    redis_port = 6391
    redis = b.start_redis(redis_port, site.data_dir)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    seen = b.web_celery_broker(site, REDIS_URL=redis_url)
    bench.extra["celery_broker_with_only_redis_url"] = seen
    if f"127.0.0.1:{redis_port}" not in seen:
        bench.note(
            f"with only REDIS_URL set, a web process sends scan tasks to `{seen}` (Celery's "
            "default app: broadsheet.celery is never imported by the web process), not to "
            "Redis; this run sets CELERY_BROKER_URL as well so the worker gets them"
        )
    env = {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url}
    worker = b.start_worker(site, **env)
    process, base = bench.serve(site, **env)
    try:
        reads(bench, site, base, db, "redis", [500], "reads")
        posts(bench, site, base, db, "posts", runner="celery")
        drained = wait_scanned(site, timeout=60)
        bench.extra["celery_drain"] = drained
    finally:
        process.stop()
        worker.stop()
        redis.stop()
        if database_url:
            b.pg_drop(db_name)


def wait_scanned(site: b.Site, timeout: float) -> dict:
    """Wait (bounded) until no pending comment is unscanned or being scanned."""
    started = time.monotonic()
    stats: dict = {}
    while time.monotonic() - started < timeout:
        stats = b.site_stats(site)
        waiting = sum(n for key, n in stats.items()
                      if key.startswith("pending/") and key.split("/")[1] in
                      ("unscanned", "scanning"))
        if waiting == 0:
            break
        time.sleep(3)
    return {"seconds": round(time.monotonic() - started, 1), "stats": stats}


def isso_config(workdir: Path, port: int) -> Path:
    config = workdir / "isso.cfg"
    config.write_text(
        f"[general]\ndbpath = {workdir / 'comments.db'}\nhost = http://127.0.0.1:{port}/\n"
        "[moderation]\nenabled = false\n[guard]\nenabled = false\n"
        f"[server]\nlisten = http://127.0.0.1:{port}/\n"
    )
    return config


def isso_seed(base: str, count: int) -> None:
    """COUNT comments on /thread, a third of them replies (Isso nests one level)."""
    roots: list[int] = []
    for i in range(count):
        payload: dict = {"author": f"Reader {i}", "email": f"reader{i}@example.com",
                         "text": f"Comment number {i} on the valley bus routes story; the "
                                 "consultation closed before most residents heard of it."}
        if i == 0:
            payload["title"] = "Valley bus routes cut"
        if roots and i % 3 == 2:
            payload["parent"] = roots[-1]
        request = urllib.request.Request(
            f"{base}/new?uri=/thread", data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            created = json.loads(response.read())
        if "parent" not in payload:
            roots.append(created["id"])


def phase_isso(bench: Bench, site: b.Site | None) -> None:
    """Isso (2 gunicorn workers) and Broadsheet on one 200-comment thread, same wrk settings."""
    if not ensure_isso():
        bench.note("Isso could not be installed: the comparison was skipped")
        return
    workdir = Path(tempfile.mkdtemp(prefix="isso-bench-"))
    port = b.free_port()
    config = isso_config(workdir, port)
    env = b.base_env(ISSO_SETTINGS=str(config))
    # Two workers starting on a new database race to write its first rows (one dies with
    # "UNIQUE constraint failed: preferences.key"): one worker creates it first.
    first = b.start_process(
        "isso-init",
        [str(b.ISSO_VENV / "bin" / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}",
         "isso.run"],
        env, workdir / "isso-init.log", cwd=workdir,
    )
    try:
        b.wait_http(f"http://127.0.0.1:{port}/?uri=/none", timeout=60, process=first)
    finally:
        first.stop()
    isso = b.start_process(
        "isso",
        [str(b.ISSO_VENV / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
         "isso.run"],
        env, workdir / "isso.log", cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    bench.server = isso
    try:
        b.wait_http(f"{base}/?uri=/none", timeout=60, process=isso)
        isso_seed(base, ISSO_THREAD)
        status, body = b.http_get(f"{base}/?uri=/thread")
        total = json.loads(body).get("total_replies") if status == 200 else None
        b.log(f"isso: {base}, thread seeded ({total} top-level comments)")
        bench.measure("isso", f"Isso read, {ISSO_THREAD} comments", f"{base}/?uri=/thread",
                      tags={"server": "isso", "kind": "read"})
        bench.measure("isso", f"Isso POST, {POST_CLIENTS_ISSO} clients", base + "/",
                      connections=POST_CLIENTS_ISSO, mode="json", warm=False,
                      body_env={"BENCH_PATH": "/new?uri=/thread", "BENCH_JSON_KIND": "isso"},
                      tags={"server": "isso", "kind": "post"})
    finally:
        isso.stop()
    if site is None:
        return
    article = site.article(ISSO_THREAD)
    process, base = bench.serve(site)
    try:
        api = probe_api(base, article["id"])
        bench.extra["api"] = api
        bench.measure("isso", f"Broadsheet page, {ISSO_THREAD} comments",
                      base + article["url"], tags={"server": "broadsheet", "kind": "read"})
        if api["read"]:
            bench.measure("isso", f"Broadsheet API read, {ISSO_THREAD} comments",
                          f"{base}/api/v1/articles/{article['id']}/comments",
                          tags={"server": "broadsheet", "kind": "api-read"})
        else:
            bench.note("the API read endpoint did not answer 200: measured the page only")
        bench.measure("isso", f"Broadsheet form POST, {POST_CLIENTS_ISSO} clients", base + "/",
                      connections=POST_CLIENTS_ISSO, mode="form", warm=False,
                      body_env=form_post_env(base, site.article(POST_ARTICLE)),
                      tags={"server": "broadsheet", "kind": "post"})
        if api["post"]:
            posts(bench, site, base, "sqlite", "isso", connections=POST_CLIENTS_ISSO, api=True)
            bench.runs[-1]["server"] = "broadsheet"
        else:
            bench.note("the API POST endpoint did not answer 202: measured the form POST only")
    finally:
        process.stop()


def phase_scan(bench: Bench, quick: bool) -> None:
    out = Path(tempfile.mkdtemp(prefix="scan-latency-")) / "scan.json"
    command = [str(b.PYTHON), str(b.BENCH_DIR / "scan_latency.py"), "--json", str(out)]
    if quick:
        command.append("--quick")
    b.log("scanner speed and POST-to-decision latency (bench/scan_latency.py)")
    done = subprocess.run(command, env=b.base_env(), timeout=900)
    if done.returncode != 0 or not out.exists():
        bench.note(f"scan_latency.py failed (exit {done.returncode})")
        return
    bench.extra["scan"] = json.loads(out.read_text())


def embed_weight(base: str, story_url: str) -> dict[str, dict[str, int]]:
    """What a host page downloads for the comments, each gzipped at level 9: /embed.js, the
    frame's HTML and every script and stylesheet the frame names."""
    files: dict[str, bytes] = {}
    _, files["embed.js"] = b.http_get(base + "/embed.js")
    request = urllib.request.Request(
        base + "/embed/v1/story", method="POST", headers={"Origin": base},
        data=urllib.parse.urlencode({"url": story_url, "title": "Bench story"}).encode(),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        frame = json.loads(response.read())["frame"]
    status, files["frame HTML"] = b.http_get(frame)
    if status != 200:
        raise RuntimeError(f"the frame answered {status}")
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', files["frame HTML"].decode()):
        _, files[path.rsplit("/", 1)[-1]] = b.http_get(base + path)
    return {name: {"bytes": len(raw), "gzipped": len(gzip.compress(raw, 9))}
            for name, raw in files.items()}


def phase_embed(bench: Bench) -> None:
    """The embed's whole weight as a host page's visitors download it, from a served site whose
    own article stands in for the host's story (the story endpoint attaches to it)."""
    site = b.seed_site(sizes=[EMBED_COMMENTS])
    port = b.free_port()
    own = f"http://127.0.0.1:{port}"
    process, base = b.serve(site, workers=1, port=port, SITE_URL=own, BROADSHEET_EMBED_ORIGINS=own)
    try:
        sizes = embed_weight(base, base + site.article(EMBED_COMMENTS)["url"])
    finally:
        process.stop()
    total = sum(s["gzipped"] for s in sizes.values())
    b.log("embed: " + ", ".join(f"{n} {s['gzipped']:,} B" for n, s in sizes.items())
          + f"; {total:,} B gzipped in all")
    bench.extra["embed"] = {"files": sizes, "total_gzipped": total,
                            "comments": EMBED_COMMENTS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 s runs, for trying the script")
    parser.add_argument("--only", default=",".join(PHASES), help=f"phases: {','.join(PHASES)}")
    args = parser.parse_args()
    phases = set(args.only.split(","))
    if args.quick:
        args.seconds, args.warmup = 3, 1

    started = time.monotonic()
    ensure_wrk()
    has_matplotlib = ensure_matplotlib()
    bench = Bench(args.seconds, args.warmup)
    sqlite_site: b.Site | None = None

    def sqlite_phase() -> None:
        nonlocal sqlite_site
        sqlite_site = phase_db(bench, "sqlite", None, isso_sizes=True)

    def postgres_phase() -> None:
        if not b.pg_available():
            bench.note("PostgreSQL is not running on 127.0.0.1:5432: skipped")
            return
        name = "broadsheet_bench"
        url = b.pg_create(name)
        try:
            phase_db(bench, "postgres", url, isso_sizes=False)
        finally:
            b.pg_drop(name)

    def configs_phase() -> None:
        site = b.seed_site(sizes=[500])
        phase_configs(bench, site)

    steps: list[tuple[str, Callable[[], None]]] = [
        ("calibrate", lambda: phase_calibrate(bench)),
        ("configs", configs_phase),
        ("sqlite", sqlite_phase),
        ("postgres", postgres_phase),
        ("celery", lambda: phase_celery(bench)),
        ("isso", lambda: phase_isso(bench, sqlite_site)),
        ("scan", lambda: phase_scan(bench, args.quick)),
        ("embed", lambda: phase_embed(bench)),
    ]
    for name, step in steps:
        if name not in phases:
            continue
        if name == "isso" and sqlite_site is None:
            sqlite_site = b.seed_site(sizes=[ISSO_THREAD, POST_ARTICLE])
        b.log(f"== {name} ==")
        try:
            step()
        except Exception as error:  # one broken phase must not lose the others' numbers
            bench.note(f"phase {name} failed: {type(error).__name__}: {error}")

    results = {
        "meta": {
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds_per_run": args.seconds,
            "clients": CLIENTS,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                       f"Python {platform.python_version()}",
            "wall_seconds": round(time.monotonic() - started),
            "server": "broadsheet serve --workers 2 --threads 1 unless stated",
        },
        "targets": TARGETS,
        "runs": bench.runs,
        "notes": bench.notes,
        **bench.extra,
    }
    # A partial or quick run must not overwrite the full results the docs quote.
    out = b.RESULTS_DIR if phases >= set(PHASES) and not args.quick else b.RESULTS_DIR / "partial"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    chart = report.write_chart(results, out, use_matplotlib=has_matplotlib)
    summary = report.markdown(results, chart.name)
    (out / "summary.md").write_text(summary)
    print()
    print(summary)
    b.log(f"results in {out} ({results['meta']['wall_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
