"""The relevance scanner judges a comment against the site's other recent articles too."""

from __future__ import annotations

import numpy as np
import pytest

from broadsheet.comments.models import Comment
from broadsheet.moderation import embedder, pipeline
from broadsheet.moderation.pipeline import context as pipeline_context
from broadsheet.moderation.relevance import evaluation
from broadsheet.moderation.relevance.evaluation import add_background, build_pairs
from broadsheet.moderation.relevance.evidence import Evidence, soft_max
from broadsheet.moderation.scanners.base import BackgroundArticle, ScanContext

CRICKET = (
    "England collapse on day four as Australia close in on Ashes victory",
    "England's batsmen lost seven wickets for 40 runs at Lord's.",
)
OTHERS = [
    ("Mortgage rates rise for the third month running", "Banks lift fixed-rate deals again."),
    ("Council approves new cycle lanes on the high street", "Work starts in the spring."),
    ("Hospital waiting lists reach a record high", "Nurses warn of a difficult winter."),
    ("Storm warning issued for the north-west coast", "Gusts of 80mph are expected."),
]
# Fixed, steep coefficients so the tests check the logic, not the shipped calibration.
CALIBRATION = {
    "article": (3.0, -12.0),
    "parent": (3.0, -12.0),
    "article_background": (0.0, -12.0, -6.0),
}


def background(*pairs) -> tuple[BackgroundArticle, ...]:
    return tuple(BackgroundArticle(title=t, deck=d) for t, d in pairs)


def on_cricket(text: str, **kw) -> ScanContext:
    return ScanContext(text=text, article_title=CRICKET[0], article_deck=CRICKET[1], **kw)


def test_soft_max_lies_between_the_mean_and_the_maximum_and_ignores_the_count():
    sims = np.array([0.1, 0.2, 0.6])

    assert sims.mean() < soft_max(sims) < sims.max()
    assert soft_max(np.tile(sims, 10)) == pytest.approx(soft_max(sims))


def test_a_generic_comment_is_not_flagged_when_every_article_is_as_far_away(scanner):
    # Equally low similarity to its own article and to all the others: no evidence it is off
    # topic, however low the raw similarity is.
    ev = Evidence(article_sim=0.05, background_sim=0.05, background_size=4)

    assert scanner.article_probability(ev) == pytest.approx(0.5)
    assert scanner.article_probability(Evidence(article_sim=0.05)) > 0.9


def test_the_background_lowers_the_score_of_a_generic_comment(scanner):
    text = "This is an absolute disgrace and everyone involved should be ashamed of themselves."

    (alone,) = scanner.scan_batch([on_cricket(text)])
    (judged,) = scanner.scan_batch([on_cricket(text, background_articles=background(*OTHERS))])

    assert judged.score < alone.score
    assert judged.score < 0.5
    assert not judged.reasons


def test_a_comment_about_another_recent_article_is_flagged_and_named(scanner):
    text = "Fixed mortgage rates keep rising and the banks lift their deals every single month."

    (result,) = scanner.scan_batch([on_cricket(text, background_articles=background(*OTHERS))])
    (own,) = scanner.scan_batch(
        [
            ScanContext(
                text=text,
                article_title=OTHERS[0][0],
                article_deck=OTHERS[0][1],
                background_articles=background(CRICKET, *OTHERS[1:]),
            )
        ]
    )

    assert result.score >= 0.5 > own.score
    (reason,) = result.reasons
    assert reason.code == "off-topic"
    assert "closer to another recent article" in reason.message
    assert OTHERS[0][0] in reason.message


def test_too_small_a_background_is_ignored(scanner):
    text = "The batting was dreadful, England threw away their wickets at Lord's."

    (none,) = scanner.evidence([on_cricket(text)])
    (two,) = scanner.evidence([on_cricket(text, background_articles=background(*OTHERS[:2]))])

    assert none.background_sim is None
    assert two.background_sim is None
    assert two.article_sim == pytest.approx(none.article_sim)


def test_stored_background_vectors_are_used_and_foreign_ones_reembedded(scanner):
    text = "Fixed mortgage rates keep rising and the banks lift their deals every single month."
    stored = tuple(
        BackgroundArticle(title=t, deck=d, embeddings=embedder.embed_article(t, d, ""))
        for t, d in OTHERS
    )
    foreign = tuple(
        BackgroundArticle(title=t, deck=d, embeddings=np.ones((2, 7), dtype=np.float32))
        for t, d in OTHERS
    )

    (a,) = scanner.evidence([on_cricket(text, background_articles=stored)])
    (b,) = scanner.evidence([on_cricket(text, background_articles=foreign)])
    (c,) = scanner.evidence([on_cricket(text, background_articles=background(*OTHERS))])

    assert a.background_size == b.background_size == c.background_size == len(OTHERS)
    assert a.background_sim == pytest.approx(c.background_sim, abs=1e-5)
    assert b.background_sim == pytest.approx(c.background_sim, abs=1e-5)


def test_it_scores_a_batch_with_different_backgrounds_as_one_by_one(scanner):
    shared = background(CRICKET, *OTHERS)
    contexts = [
        ScanContext(
            text=text,
            article_title=t,
            article_deck=d,
            background_articles=tuple(b for b in shared if b.title != t),
        )
        for text, (t, d) in [
            ("England were bowled out cheaply at Lord's again.", CRICKET),
            ("The new cycle lanes will make the high street safer.", OTHERS[1]),
            ("My mortgage went up by two hundred pounds.", OTHERS[2]),
        ]
    ]

    together = [r.score for r in scanner.scan_batch(contexts)]
    apart = [scanner.scan_batch([c])[0].score for c in contexts]

    assert together == pytest.approx(apart, abs=1e-6)


def test_eval_pairs_get_the_other_articles_of_the_file_as_background():
    rows = [
        {"text": "England lost.", "article_title": t, "article_summary": d}
        for t, d in [CRICKET, *OTHERS]
    ]
    contexts, labels = build_pairs(rows)
    add_background(contexts, rows)

    assert labels[:2] == [0, 1]
    for c in contexts:
        titles = {b.title for b in c.background_articles}
        assert c.article_title not in titles
        assert len(titles) == len(rows) - 1


def test_a_file_with_more_articles_than_the_pipeline_passes_gets_the_nearest_in_time(
    monkeypatch,
):
    monkeypatch.setattr(evaluation, "BACKGROUND_ARTICLES", 3)
    # Ten stories, two comments each, in the order they were published.
    rows = [
        {"text": f"Comment {k} on story {n}", "article_title": f"Story {n}",
         "article_summary": f"What happened in story {n}"}
        for n in range(10) for k in range(2)
    ]
    contexts = [ScanContext(text=r["text"], article_title=r["article_title"]) for r in rows]
    add_background(contexts, rows, range(len(rows)))

    # A comment on story 5 (row 10) meets stories 4 and 6, then the nearer of 3 and 7.
    assert [b.title for b in contexts[10].background_articles] == ["Story 3", "Story 4", "Story 6"]
    # The first story's comments meet the next three; the same objects every time.
    assert [b.title for b in contexts[0].background_articles] == ["Story 1", "Story 2", "Story 3"]
    assert contexts[0].background_articles[0] is contexts[1].background_articles[0]
    for c in contexts:
        assert len(c.background_articles) == 3
        assert c.article_title not in {b.title for b in c.background_articles}
    # Without positions (or with few articles) every other article is the background.
    add_background(contexts, rows)
    assert all(len(c.background_articles) == 9 for c in contexts)


@pytest.mark.django_db
def test_the_pipeline_passes_the_other_recent_articles_with_their_vectors(section):
    from broadsheet.moderation.embeddings import article_embedding_refresh
    from tests.conftest import make_article, make_comment

    articles = [make_article(section, headline=t, deck=d) for t, d in [CRICKET, *OTHERS]]
    for a in articles:
        article_embedding_refresh(article_id=a.pk)
    draft = make_article(section, headline="Unpublished draft", status="draft")
    comment = make_comment(articles[0], status="pending", text="Poor batting at Lord's.")

    (context,) = pipeline_context._contexts(
        pipeline.scan_rows(Comment.objects.filter(pk=comment.pk))
    )

    titles = [b.title for b in context.background_articles]
    assert sorted(titles) == sorted(t for t, _ in OTHERS)
    assert draft.headline not in titles
    for b in context.background_articles:
        assert b.embeddings is not None and b.embeddings.shape[1] == embedder.embedding_dim()

    # Cached per process, and refreshed when an article changes.
    assert pipeline_context._recent_articles() is pipeline_context._recent_articles()
    articles[1].headline = "Cycle lanes plan scrapped"
    articles[1].save()
    recent = pipeline_context._recent_articles().values()
    assert "Cycle lanes plan scrapped" in {b.title for b in recent}


@pytest.mark.django_db
def test_a_comment_gets_its_own_articles_stored_vectors_whether_recent_or_older(
    section, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from broadsheet.moderation.embeddings import article_embedding_refresh
    from broadsheet.moderation.models import ArticleEmbedding
    from tests.conftest import make_article, make_comment

    # Only the latest article is in the background; the older one's vectors need a query.
    monkeypatch.setattr(pipeline_context, "BACKGROUND_ARTICLES", 1)
    pipeline.forget_checked_settings()
    older = make_article(section, headline=OTHERS[0][0], deck=OTHERS[0][1],
                         published_at=timezone.now() - timedelta(days=3))
    latest = make_article(section, headline=CRICKET[0], deck=CRICKET[1])
    for article in (older, latest):
        article_embedding_refresh(article_id=article.pk)
    assert list(pipeline_context._recent_articles()) == [latest.pk]

    for article in (older, latest):
        comment = make_comment(article, status="pending", text="Poor batting at Lord's.")
        (context,) = pipeline_context._contexts(
            pipeline.scan_rows(Comment.objects.filter(pk=comment.pk))
        )
        stored = ArticleEmbedding.objects.get(article=article)
        np.testing.assert_allclose(
            context.article_embeddings, embedder.from_bytes(bytes(stored.vectors))
        )
