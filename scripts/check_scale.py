"""The scripted fault and scale check: many posts, a killed worker, a stopped Redis.

Two web processes (`broadsheet serve` on two loopback ports) and one `broadsheet worker` run
against a fresh PostgreSQL database and a Redis this script starts itself on port 6390 (never
the machine's own 6379). 5,000 comments are posted concurrently (32 threads, urllib, the
article page's form) under the "auto" moderation policy while:

- the worker is killed with SIGKILL mid-batch and started again;
- the script's Redis is stopped for a while and started again (empty: it keeps no data).

Then it checks that every accepted post is exactly one stored comment, that no comment has
two scanner decisions, that every comment reaches a decision (scans lost with the worker or
with Redis are swept up later), that posting kept working while Redis was down, and that
nothing was published unscanned. Prints PASS/FAIL per check; exits 1 on any failure.

    BROADSHEET_DEV=1 .venv/bin/python scripts/check_scale.py [--posts 5000] [--budget 570]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import benchlib as b  # noqa: E402

REDIS_PORT = 6390
DB_NAME = "broadsheet_scale_check"
CLIENTS = 32
SWEEP_AFTER_SECONDS = 15
KILL_WORKER_AT = 0.2  # share of posts done when the worker is SIGKILLed
STOP_REDIS_AT = 0.5  # share of posts done when Redis is stopped
REDIS_DOWN_SECONDS = 15
RECOVERY_POSTS = 200


@dataclass
class Post:
    index: int
    text: str
    started: float = 0.0
    finished: float = 0.0
    status: int = 0
    comment_id: int | None = None
    error: str = ""

    @property
    def accepted(self) -> bool:
        # The form answers 303 to the comment's anchor; the API would answer 202.
        return self.status in (202, 303) and self.comment_id is not None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def post_one(post: Post, base: str, article: dict, token: str) -> Post:
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "name": f"Scale Reader {post.index}",
        "email": f"scale{post.index}@example.com", "text": post.text, "parent": "",
    }).encode()
    request = urllib.request.Request(
        f"{base}/comments/post/{article['id']}/", data=body, method="POST",
        headers={"Cookie": f"csrftoken={token}",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    post.started = time.monotonic()
    try:
        with OPENER.open(request, timeout=30) as response:
            post.status = response.status
    except urllib.error.HTTPError as error:
        post.status = error.code
        location = error.headers.get("Location", "")
        if "#c" in location:
            post.comment_id = int(location.rsplit("#c", 1)[1])
    except OSError as error:
        post.error = f"{type(error).__name__}: {error}"[:200]
    post.finished = time.monotonic()
    return post


class Chaos:
    """Kills the worker and stops Redis when the posting reaches the set shares."""

    def __init__(self, site: b.Site, worker: b.Process, redis: b.Process, total: int,
                 worker_env: dict[str, str]) -> None:
        self.site = site
        self.worker_env = worker_env
        self.worker = worker
        self.redis = redis
        self.total = total
        self.done = 0
        self.lock = threading.Lock()
        self.redis_down: tuple[float, float] | None = None
        self.worker_killed_at: float | None = None
        self.events: list[str] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=REDIS_DOWN_SECONDS + 30)

    def tick(self) -> None:
        with self.lock:
            self.done += 1

    def _wait_for(self, share: float) -> bool:
        while not self._stop.is_set():
            if self.done >= share * self.total:
                return True
            time.sleep(0.05)
        return False

    def _event(self, message: str) -> None:
        self.events.append(message)
        b.log(message)

    def _run(self) -> None:
        if not self._wait_for(KILL_WORKER_AT):
            return
        self.worker_killed_at = time.monotonic()
        self.worker.kill()
        self._event(f"chaos: SIGKILL to the worker's process group after {self.done} posts")
        time.sleep(3)
        self.worker = b.start_worker(self.site, name="worker-restarted", **self.worker_env)
        self._event("chaos: worker started again")
        if not self._wait_for(STOP_REDIS_AT):
            return
        down = time.monotonic()
        self.redis.stop()
        self._event(f"chaos: Redis stopped after {self.done} posts, for {REDIS_DOWN_SECONDS}s")
        time.sleep(REDIS_DOWN_SECONDS)
        self.redis = b.start_redis(REDIS_PORT, self.site.data_dir)
        self.redis_down = (down, time.monotonic())
        self._event(f"chaos: Redis started again (empty) after {self.done} posts")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--budget", type=int, default=570, help="seconds for the whole check")
    args = parser.parse_args()
    started = time.monotonic()
    deadline = started + args.budget
    results: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        results.append((name, ok, detail))
        b.log(f"{'PASS' if ok else 'FAIL'}: {name} — {detail}")

    if not b.pg_available():
        print("FAIL: PostgreSQL is not running on 127.0.0.1:5432")
        return 1
    database_url = b.pg_create(DB_NAME)
    site = b.seed_site(sizes=[20], database_url=database_url, policy="auto")
    b.log(f"fresh database {DB_NAME}, data dir {site.data_dir}")
    redis_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    seen = b.web_celery_broker(site, REDIS_URL=redis_url)
    check("with REDIS_URL alone, web processes send scans to that Redis",
          f"127.0.0.1:{REDIS_PORT}" in seen, f"scan tasks would go to: {seen}")
    # Set the broker explicitly as well, so the rest of the check exercises the worker (and
    # sends nothing to whatever listens on the default AMQP port).
    env = {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
           "BROADSHEET_SCAN_SWEEP_AFTER_SECONDS": str(SWEEP_AFTER_SECONDS)}
    processes: list[b.Process] = []
    chaos: Chaos | None = None
    try:
        redis = b.start_redis(REDIS_PORT, site.data_dir)
        processes.append(redis)
        worker = b.start_worker(site, **env)
        processes.append(worker)
        web_a, base_a = b.serve(site, name="web-a", **env)
        processes.append(web_a)
        web_b, base_b = b.serve(site, name="web-b", **env)
        processes.append(web_b)
        b.log(f"redis :{REDIS_PORT}, worker, web {base_a} and {base_b}")

        os.environ.update(site.env())
        os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
        import django

        django.setup()

        article = site.seed["articles"][0]
        token = b.csrf_token(base_a, article["url"])
        posts = [
            Post(i, f"The valley buses were late again this morning, as they are most days "
                    f"since the timetable changed. Check number {i}.")
            for i in range(args.posts)
        ]
        chaos = Chaos(site, worker, redis, len(posts), env)
        chaos.start()
        b.log(f"posting {len(posts)} comments with {CLIENTS} threads")

        def job(post: Post) -> Post:
            if time.monotonic() > deadline - 240:
                post.error = "skipped: out of time"
                return post
            result = post_one(post, base_a if post.index % 2 else base_b, article, token)
            chaos.tick()
            if chaos.done % 500 == 0:
                b.log(f"  {chaos.done} posted")
            return result

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(job, posts))
        chaos.stop()
        # A last batch after Redis is back: posting must recover by itself.
        recovery = [Post(len(posts) + i, f"Posted after the Redis restart, number {i}, about "
                         "the valley buses running late again.") for i in range(RECOVERY_POSTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(lambda p: post_one(p, base_a, article, token), recovery))
        recovered = sum(p.accepted for p in recovery)
        check("posting works again once Redis is back", recovered == len(recovery),
              f"{recovered} of {len(recovery)} accepted after the restart")
        posts += recovery
        posting_seconds = max(p.finished for p in posts) - min(p.started for p in posts)
        statuses = Counter(p.status or p.error.split(":")[0] for p in posts)
        accepted = [p for p in posts if p.accepted]
        b.log(f"posted in {posting_seconds:.0f}s: {dict(statuses)}")

        # Wait for every stored comment to be decided (the sweep catches lost scans).
        state = decided_state()
        while time.monotonic() < deadline - 15 and state["undecided"]:
            b.log(f"  waiting: {len(state['undecided'])} undecided, states {state['states']}")
            time.sleep(10)
            state = decided_state()

        from broadsheet.comments.models import Comment

        by_text = Counter(
            Comment.objects.filter(author_email__startswith="scale")
            .values_list("text", flat=True)
        )
        stored_ids = dict(
            Comment.objects.filter(author_email__startswith="scale").values_list("pk", "text")
        )
        missing = [p.index for p in accepted if by_text.get(p.text, 0) == 0]
        doubled = [p.index for p in accepted if by_text.get(p.text, 0) > 1]
        wrong_id = [p.index for p in accepted if stored_ids.get(p.comment_id) != p.text]
        check("every accepted post is exactly one stored comment",
              not missing and not doubled and not wrong_id and len(accepted) > 0,
              f"{len(accepted)} accepted of {len(posts)}; missing {missing[:5]} "
              f"({len(missing)}), stored twice {doubled[:5]} ({len(doubled)}), "
              f"wrong id {len(wrong_id)}")
        refused_but_stored = [p.index for p in posts
                              if not p.accepted and by_text.get(p.text, 0) > 0]
        check("every request was answered (no 5xx, no socket errors)",
              len(accepted) == len(posts),
              f"statuses {dict(statuses)}; {len(refused_but_stored)} refused or failed "
              "requests stored their comment anyway")
        if chaos.redis_down:
            down, up = chaos.redis_down
            during = [p for p in posts if p.started and down <= p.started <= up]
            ok_during = [p for p in during if p.accepted]
            check("posting kept working while Redis was down",
                  bool(during) and len(ok_during) == len(during),
                  f"{len(ok_during)} of {len(during)} posts accepted during the "
                  f"{up - down:.0f}s outage; statuses "
                  f"{dict(Counter(p.status or p.error[:40] for p in during))}")
        else:
            check("posting kept working while Redis was down", False,
                  "the Redis stop never happened (posting ended early)")
        check("the worker was killed mid-batch and restarted",
              chaos.worker_killed_at is not None and chaos.worker.alive(),
              "; ".join(chaos.events[:2]) or "never killed")
        check("no comment has two scanner decisions", not state["twice"],
              f"{len(state['twice'])} comments with more than one: {state['twice'][:5]}")
        check("every stored comment reached a decision", not state["undecided"],
              f"{len(state['undecided'])} of {state['stored']} undecided after "
              f"{time.monotonic() - started:.0f}s; states {state['states']}")
        check("nothing was published unscanned",
              not state["unscanned_published"] and not state["approved_without_auto_decision"],
              f"{len(state['unscanned_published'])} approved but not scanned, "
              f"{len(state['approved_without_auto_decision'])} approved without an "
              "auto-moderator decision")
    except Exception as error:
        check("the check ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        if chaos is not None:
            chaos.stop()
            processes += [chaos.worker, chaos.redis]
        for process in processes:
            process.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        b.pg_drop(DB_NAME)

    failed = [name for name, ok, _ in results if not ok]
    print()
    print(f"check_scale: {len(results) - len(failed)} passed, {len(failed)} failed "
          f"in {time.monotonic() - started:.0f}s (logs in {site.data_dir})")
    for name, ok, detail in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    print("PASS" if not failed else "FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
