"""How fast the automatic first reader is.

1. Throughput: comments/s through ``broadsheet.moderation.pipeline_decide.run_scanners`` (the real
   scanners) in batches of 1, 10, 50 and 200, and each scanner module on its own.
2. Latency: comments posted one at a time over HTTP to a served instance (SQLite, in-process
   thread runner, SiteSettings.moderation_policy="auto"); for each, the time from the start of
   the POST to the auto-moderator's decision (Comment.decided_at, or the HOLD Decision for a
   held comment) and to Comment.scanned_at. Reports p50/p95/max.

    .venv/bin/python bench/scan_latency.py [--json out.json] [--quick]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as b  # noqa: E402

EXPECTED_SCANNERS = {
    "wordlist": "WordListScanner", "spam": "SpamScanner", "abuse": "AbuseScanner",
    "relevance": "RelevanceScanner",
}
NASTY = [
    "BUY CHEAP WATCHES NOW at http://cheap-watches.example.com !!! best prices",
    "You are an idiot and everyone on this street knows it.",
    "Call me on 07700 900123 for the best loans in town, guaranteed approval.",
    "What a load of rubbish, the writer should be sacked and never work again.",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def sample_texts(count: int) -> list[str]:
    from seed import comment_text  # the benchmark seeder's realistic comments

    rng = random.Random(7)
    return [rng.choice(NASTY) if rng.random() < 0.1 else comment_text(rng, i)
            for i in range(count)]


def contexts_for(article_id: int, texts: list[str]) -> list:
    from broadsheet.articles.models import Article
    from broadsheet.moderation.scanners.base import ScanContext

    article = Article.objects.get(pk=article_id)
    vectors = None
    try:
        from broadsheet.moderation.embedder import from_bytes
        from broadsheet.moderation.embeddings import article_embedding_refresh

        stored = article_embedding_refresh(article_id=article_id)
        if stored is not None:
            vectors = from_bytes(bytes(stored.vectors))
    except Exception as error:  # the relevance scanner's embedder may not be there yet
        print(f"  article embedding unavailable: {type(error).__name__}: {error}")
    return [
        ScanContext(text=text, article_id=article.pk, article_title=article.headline,
                    article_deck=article.deck, article_embeddings=vectors,
                    author_email=f"reader{i}@example.com")
        for i, text in enumerate(texts)
    ]


def with_site(contexts: list, quick: bool) -> list:
    """The same comments as the pipeline scans them on a busy site: every other recent
    article (``BACKGROUND_ARTICLES``) in the background, and each article, the comments' own
    included, with a full discussion (``DISCUSSION_SIZE`` approved comments: vectors and
    token bags). The relevance scanner's heaviest case."""
    from dataclasses import replace

    from broadsheet.moderation import embedder
    from broadsheet.moderation.scanners.base import BACKGROUND_ARTICLES, BackgroundArticle
    from broadsheet.moderation.scanners.relevance import DISCUSSION_SIZE

    articles = 10 if quick else BACKGROUND_ARTICLES
    rng = random.Random(11)
    from seed import comment_text

    def discussion(n: int) -> tuple:
        texts = [comment_text(rng, rng.randrange(10**6)) for _ in range(DISCUSSION_SIZE)]
        return (embedder.embed(texts),
                embedder.TokenBags(embedder.lexical_bags().bags(texts)))

    background = []
    for n in range(articles):
        vectors, bags = discussion(n)
        title = f"Background story {n}: {comment_text(rng, n)[:60]}"
        background.append(BackgroundArticle(
            title=title, deck="", embeddings=embedder.embed([title]),
            discussion=vectors, discussion_bags=bags))
    own_vectors, own_bags = discussion(-1)
    background = tuple(background)
    return [replace(c, background_articles=background, article_discussion=own_vectors,
                    article_discussion_bags=own_bags) for c in contexts]


def measure_batches(contexts: list, sizes: tuple[int, ...], label: str) -> list[dict]:
    from broadsheet.moderation.pipeline import decide as pipeline_decide

    rows = []
    total = len(contexts)
    pipeline_decide.run_scanners(contexts[:2])  # loads the models, stacks the background once
    for size in sizes:
        started = time.perf_counter()
        count = 0
        for start in range(0, total, size):
            chunk = contexts[start : start + size]
            pipeline_decide.run_scanners(chunk)
            count += len(chunk)
        elapsed = time.perf_counter() - started
        rows.append({
            "batch": size, "comments_per_s": round(count / elapsed, 1),
            "ms_per_batch": round(elapsed / max(1, -(-count // size)) * 1000, 2),
        })
        print(f"  run_scanners batch {size}{label}: {count / elapsed:,.0f} comments/s")
    return rows


def throughput(article_id: int, quick: bool) -> tuple[dict, dict, list[str], list[str]]:
    from broadsheet.moderation.pipeline import context as pipeline_context

    present, missing = [], []
    for module in EXPECTED_SCANNERS:
        try:
            importlib.import_module(f"broadsheet.moderation.scanners.{module}")
            present.append(module)
        except ImportError:
            missing.append(module)
    total = 100 if quick else 400
    contexts = contexts_for(article_id, sample_texts(total))

    batches: dict = {"batches": []}
    try:
        batches["batches"] = measure_batches(contexts, (1, 10, 50, 200), "")
        site = with_site(contexts, quick)
        batches["site_articles"] = len(site[0].background_articles)
        batches["batches_site"] = measure_batches(
            site, (1, 10, 50, 200), f", {batches['site_articles']} other articles' discussions"
        )
    except Exception as error:
        batches["error"] = f"{type(error).__name__}: {error}"
        print(f"  run_scanners failed: {batches['error']}")

    per_scanner: dict = {}
    for module in present:
        try:
            if module == "wordlist":
                scanner = pipeline_context._wordlist_scanner()
            else:
                cls = getattr(importlib.import_module(
                    f"broadsheet.moderation.scanners.{module}"), EXPECTED_SCANNERS[module])
                scanner = cls()
            scanner.scan_batch(contexts[:2])
            started = time.perf_counter()
            for start in range(0, total, 50):
                scanner.scan_batch(contexts[start : start + 50])
            per_scanner[module] = {
                "comments_per_s": round(total / (time.perf_counter() - started), 1)
            }
        except Exception as error:
            per_scanner[module] = {"error": f"{type(error).__name__}: {error}"[:300]}
        print(f"  {module}: {per_scanner[module]}")
    return batches, per_scanner, present, missing


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


def post_comment(base: str, article: dict, token: str, text: str, n: int) -> int | None:
    """Post the article page's form once; the comment's id, from the 303's #c<id>."""
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "name": f"Latency Reader {n}",
        "email": f"latency{n}@example.com", "text": text, "parent": "",
    }).encode()
    request = urllib.request.Request(
        f"{base}/comments/post/{article['id']}/", data=body, method="POST",
        headers={"Cookie": f"csrftoken={token}",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        if error.code == 303 and "#c" in location:
            return int(location.rsplit("#c", 1)[1])
        print(f"  POST answered {error.code}")
    return None


def decision_latency(site: b.Site, article: dict, count: int, spacing: float,
                     timeout: float) -> dict:
    from broadsheet.comments.models import Comment
    from broadsheet.moderation.models import Decision

    process, base = b.serve(site, BROADSHEET_TASK_RUNNER="thread")
    posted: dict[int, float] = {}
    try:
        token = b.csrf_token(base, article["url"])
        texts = sample_texts(count + 50)[50:]
        for n, text in enumerate(texts):
            started = time.time()
            pk = post_comment(base, article, token, f"{text} ({n})", n)
            if pk is not None:
                posted[pk] = started
            time.sleep(spacing)
        deadline = time.monotonic() + timeout
        decided: dict[int, float] = {}
        scanned: dict[int, float] = {}
        while time.monotonic() < deadline:
            for pk, decided_at, scanned_at in Comment.objects.filter(
                pk__in=list(posted)
            ).values_list("pk", "decided_at", "scanned_at"):
                if decided_at is not None:
                    decided[pk] = decided_at.timestamp()
                if scanned_at is not None:
                    scanned[pk] = scanned_at.timestamp()
            for pk, created_at in Decision.objects.filter(
                comment_id__in=list(posted), action=Decision.Action.HOLD
            ).values_list("comment_id", "created_at"):
                decided.setdefault(pk, created_at.timestamp())
            if len(decided) == len(posted):
                break
            time.sleep(0.5)
        states = {}
        for row in Comment.objects.filter(pk__in=list(posted)).values_list(
            "status", "scan_state"
        ):
            states["/".join(row)] = states.get("/".join(row), 0) + 1
    finally:
        process.stop()
    result: dict = {"posted": len(posted), "decided": len(decided), "states": states,
                    "spacing": f"one every {spacing:.2f} s", "timeout_s": timeout}
    if decided:
        waits = [(decided[pk] - posted[pk]) * 1000 for pk in decided]
        result.update(p50_ms=round(statistics.median(waits)),
                      p95_ms=round(percentile(waits, 0.95)), max_ms=round(max(waits)))
    if scanned:
        waits = [(scanned[pk] - posted[pk]) * 1000 for pk in scanned]
        result.update(scanned=len(scanned), scanned_p95_ms=round(percentile(waits, 0.95)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    site = b.seed_site(sizes=[20], policy="auto")
    os.environ.update(site.env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    article = site.seed["articles"][0]
    print("scanner throughput (pipeline_decide.run_scanners)")
    batches, per_scanner, present, missing = throughput(article["id"], args.quick)
    count = 20 if args.quick else 60
    print(f"POST to decision: {count} comments, one at a time, policy auto")
    latency = decision_latency(site, article, count, spacing=0.25, timeout=30)
    print(f"  {latency}")
    result = {"present": present, "missing": missing, "run_scanners": batches,
              "per_scanner": per_scanner, "decision_latency": latency}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
