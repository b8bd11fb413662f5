"""The relevance scanner also compares a comment with what readers already said under the
article, and the pipeline keeps each scanned comment's vector for that."""

from __future__ import annotations

import numpy as np
import pytest

from broadsheet.comments.models import Comment
from broadsheet.moderation import embedder, pipeline
from broadsheet.moderation.models import CommentVector
from broadsheet.moderation.pipeline import context as pipeline_context
from broadsheet.moderation.relevance import reading
from broadsheet.moderation.relevance.evaluation import (
    add_background,
    add_discussions,
    pairs_with_sources,
)
from broadsheet.moderation.relevance.evidence import (
    DISCUSSION_MIN,
    Evidence,
    means_by_size,
    nearest_mean,
    nearest_means_by_size,
)
from broadsheet.moderation.scanners.base import BackgroundArticle, ScanContext
from broadsheet.moderation.scanners.relevance import RelevanceScanner

# A story whose headline says little of what its readers talk about.
STORY = ("Ministers under pressure after Thursday's vote", "The result surprised Westminster.")
OTHERS = [
    ("Mortgage rates rise for the third month running", "Banks lift fixed-rate deals again."),
    ("Council approves new cycle lanes on the high street", "Work starts in the spring."),
    ("Hospital waiting lists reach a record high", "Nurses warn of a difficult winter."),
    ("Storm warning issued for the north-west coast", "Gusts of 80mph are expected."),
]
FISHING_TALK = [
    "Fishing quotas were the whole reason my town voted the way it did.",
    "The trawler fleet has shrunk by half since the quotas came in.",
    "Coastal towns depend on fishing and nobody in London listens to them.",
    "Give the fishermen back control of their own waters.",
    "My grandfather fished out of Grimsby for forty years and saw it all decline.",
    "Quotas sold off to foreign trawlers, that is what people were angry about.",
]
CALIBRATION = {
    "article": (3.0, -12.0),
    "parent": (3.0, -12.0),
    "article_background": (0.0, -12.0, -6.0),
    "article_discussion": (0.0, -6.0, -3.0, -12.0),
}


def discussion(texts: list[str]) -> np.ndarray:
    return embedder.embed(texts)


def words(texts: list[str]) -> embedder.TokenBags:
    return embedder.TokenBags(embedder.lexical_bags().bags(texts))


def background_with_talk(with_words: bool = False) -> tuple[BackgroundArticle, ...]:
    chatter = [
        ["My fixed rate ends next year and I dread it.", "Banks always pass rises on quickly.",
         "Renting is no cheaper, landlords pass it on.", "We remortgaged just in time.",
         "First-time buyers are priced out again."],
        ["The lanes will make the school run safer.", "Shops will lose parking and trade.",
         "Cyclists already ignore the red lights.", "Finally some safe space for bikes.",
         "Buses will be slower on that road."],
        ["My mother waited eleven months for a hip.", "Nurses are leaving for Australia.",
         "Agency staff cost a fortune.", "A&E was full on a Tuesday night.",
         "Clear the beds by fixing social care."],
        ["Our fence came down in the last one.", "Tie down the garden furniture.",
         "Ferries will be cancelled again.", "The sea wall needs repair.",
         "Power cuts every time the wind picks up."],
    ]
    return tuple(
        BackgroundArticle(
            title=t, deck=d, discussion=discussion(talk),
            discussion_bags=words(talk) if with_words else None,
        )
        for (t, d), talk in zip(OTHERS, chatter, strict=True)
    )


def on_story(text: str, **kw) -> ScanContext:
    return ScanContext(text=text, article_title=STORY[0], article_deck=STORY[1], **kw)


def test_a_comment_that_fits_the_discussion_scores_lower_than_without_it(scanner):
    text = "Fishing communities felt ignored, and the quota issue decided it for them."
    others = background_with_talk()

    (without,) = scanner.evidence([on_story(text, background_articles=others)])
    (with_talk,) = scanner.evidence([
        on_story(text, background_articles=others, article_discussion=discussion(FISHING_TALK))
    ])

    assert without.discussion_sim is None
    assert with_talk.discussion_sim is not None
    assert with_talk.background_discussion_sim is not None
    assert with_talk.discussion_sim > with_talk.background_discussion_sim
    assert scanner.article_probability(with_talk) < scanner.article_probability(without)


def test_a_comment_about_another_story_does_not_fit_the_discussion(scanner):
    text = "My fixed mortgage rate ends next year and the banks keep putting rates up."
    others = background_with_talk()

    (ev,) = scanner.evidence([
        on_story(text, background_articles=others, article_discussion=discussion(FISHING_TALK))
    ])

    assert ev.discussion_sim < ev.background_discussion_sim
    (result,) = scanner.scan_batch([
        on_story(text, background_articles=others, article_discussion=discussion(FISHING_TALK))
    ])
    assert result.score >= 0.5
    assert "readers' comments under it" in result.reasons[0].message


def test_a_copy_of_the_comment_in_the_discussion_is_not_evidence(scanner):
    text = FISHING_TALK[0]
    rest = discussion(FISHING_TALK[1:])

    (with_copy,) = scanner.evidence([on_story(text, article_discussion=discussion(FISHING_TALK))])
    (without_copy,) = scanner.evidence([on_story(text, article_discussion=rest)])

    assert with_copy.discussion_sim == pytest.approx(without_copy.discussion_sim, abs=1e-6)


def test_the_words_readers_keep_using_count_as_well(scanner):
    """A place the discussion keeps naming is on topic, whatever the embedding makes of it."""
    text = "Grimsby trawlers and the quotas again: the real story nobody in London covers."
    others = background_with_talk(with_words=True)

    (ev,) = scanner.evidence([on_story(
        text, background_articles=others, article_discussion=discussion(FISHING_TALK),
        article_discussion_bags=words(FISHING_TALK),
    )])

    assert ev.discussion_overlap > ev.background_discussion_overlap
    assert ev.discussion_mean > ev.background_discussion_mean
    cal = scanner.calibration["article_discussion_lexical"]
    assert scanner.article_probability(ev) == pytest.approx(1 / (1 + np.exp(-(
        cal[0]
        + cal[1] * (ev.article_sim - ev.background_sim)
        + cal[2] * (ev.article_overlap - ev.background_overlap)
        + cal[3] * (ev.discussion_sim - ev.background_discussion_sim)
        + cal[4] * (ev.discussion_overlap - ev.background_discussion_overlap)
        + cal[5] * (ev.discussion_mean - ev.background_discussion_mean)
    ))))
    # The same comment about mortgages shares none of the discussion's words.
    (rates,) = scanner.evidence([on_story(
        "My fixed mortgage rate ends next year and the banks keep putting rates up.",
        background_articles=others, article_discussion=discussion(FISHING_TALK),
        article_discussion_bags=words(FISHING_TALK),
    )])
    assert rates.discussion_overlap < rates.background_discussion_overlap
    assert scanner.article_probability(rates) > scanner.article_probability(ev)
    (result,) = scanner.scan_batch([on_story(
        "My fixed mortgage rate ends next year and the banks keep putting rates up.",
        background_articles=others, article_discussion=discussion(FISHING_TALK),
        article_discussion_bags=words(FISHING_TALK),
    )])
    assert result.score >= 0.5
    assert "fewer of its readers' words" in result.reasons[0].message
    assert result.bag is not None  # kept beside the vector for the discussions it joins


def test_without_every_discussions_words_the_vectors_decide_alone(scanner):
    text = "Grimsby trawlers and the quotas again."
    talk = dict(article_discussion=discussion(FISHING_TALK))
    cases = [
        # Comments scanned before bags were kept: none for the article's own discussion.
        on_story(text, background_articles=background_with_talk(with_words=True), **talk),
        # ... or for the other articles'.
        on_story(text, background_articles=background_with_talk(),
                 article_discussion_bags=words(FISHING_TALK), **talk),
        # Bags that do not match the vectors row for row are not used.
        on_story(text, background_articles=background_with_talk(with_words=True),
                 article_discussion_bags=words(FISHING_TALK[:-1]), **talk),
    ]
    for ev in scanner.evidence(cases):
        assert ev.background_discussion_sim is not None
        assert ev.background_discussion_overlap is None
        assert scanner.article_probability(ev) == pytest.approx(scanner.article_probability(
            Evidence(**{**ev.__dict__, "discussion_mean": None, "discussion_overlap": None})
        ))


def test_a_copy_of_the_comment_is_not_word_evidence_either(scanner):
    text = FISHING_TALK[0]
    others = background_with_talk(with_words=True)

    (with_copy,) = scanner.evidence([on_story(
        text, background_articles=others, article_discussion=discussion(FISHING_TALK),
        article_discussion_bags=words(FISHING_TALK),
    )])
    (without_copy,) = scanner.evidence([on_story(
        text, background_articles=others, article_discussion=discussion(FISHING_TALK[1:]),
        article_discussion_bags=words(FISHING_TALK[1:]),
    )])

    assert with_copy.discussion_overlap < 0.99
    assert with_copy.discussion_overlap == pytest.approx(without_copy.discussion_overlap)
    assert with_copy.discussion_mean == pytest.approx(without_copy.discussion_mean, abs=1e-6)


def test_too_short_or_foreign_discussions_are_ignored(scanner):
    text = "Fishing communities felt ignored."
    few = discussion(FISHING_TALK[: DISCUSSION_MIN - 1])
    foreign = np.ones((10, 7), dtype=np.float32)

    for talk in (few, foreign, None):
        (ev,) = scanner.evidence([on_story(text, article_discussion=talk)])
        assert ev.discussion_sim is None
    # Without the background's discussions the article model without them is used.
    (ev,) = scanner.evidence([on_story(text, article_discussion=discussion(FISHING_TALK))])
    assert ev.discussion_sim is not None and ev.background_discussion_sim is None
    assert scanner.article_probability(ev) == pytest.approx(
        scanner.article_probability(Evidence(
            article_sim=ev.article_sim, article_overlap=ev.article_overlap))
    )


def test_discussions_of_different_sizes_are_compared_at_the_same_size(scanner):
    """The nearest of many comments is closer than the nearest of a few by chance alone: a
    young article's discussion must not lose to the long ones around it for that reason."""
    rng = np.random.default_rng(7)

    def unrelated(n: int) -> np.ndarray:
        rows = rng.normal(size=(n, embedder.get_backend().dim)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    text = "Nothing in this sentence is about any story on the site."
    background = tuple(
        BackgroundArticle(title=t, deck=d, discussion=unrelated(200)) for t, d in OTHERS
    )
    gaps = []
    for _ in range(20):
        (ev,) = scanner.evidence([on_story(
            text, background_articles=background, article_discussion=unrelated(DISCUSSION_MIN)
        )])
        gaps.append(ev.discussion_sim - ev.background_discussion_sim)
    # Noise either way, no lean: compared at 200 against 5 the gaps averaged -0.12.
    assert abs(float(np.mean(gaps))) < 0.05


def test_the_newest_comments_of_a_longer_discussion_are_the_ones_compared():
    sims = np.array([0.1, 0.5, 0.2, 0.3, 0.9, 0.4, 0.8, 0.0], dtype=np.float32)
    by_size = nearest_means_by_size(sims)
    means = means_by_size(sims)
    assert np.isnan(by_size[: DISCUSSION_MIN]).all()
    assert np.isnan(means[: DISCUSSION_MIN]).all()
    for m in range(DISCUSSION_MIN, len(sims) + 1):
        assert by_size[m] == pytest.approx(nearest_mean(sims[:m]))
        assert means[m] == pytest.approx(sims[:m].mean())


def test_a_batch_with_more_articles_than_the_cache_scores_as_one_at_a_time(monkeypatch):
    monkeypatch.setattr(reading, "ARTICLE_CACHE_SIZE", 3)
    stories = [*OTHERS, STORY]
    contexts = [
        ScanContext(text=text, article_title=t, article_deck=d,
                    background_articles=tuple(
                        BackgroundArticle(title=bt, deck=bd) for bt, bd in stories if bt != t))
        for text, (t, d) in zip(
            ["Rates again!", "Bikes at last.", "Long waits.", "Windy days.", "Quotas."],
            stories, strict=True)
    ]
    together = [r.score for r in RelevanceScanner(calibration=CALIBRATION).scan_batch(contexts)]
    alone = [RelevanceScanner(calibration=CALIBRATION).scan_batch([c])[0].score
             for c in contexts]
    assert together == pytest.approx(alone, abs=1e-6)


def test_the_scan_returns_each_comments_vector(scanner):
    texts = ["Fishing communities felt ignored.", "The banks keep raising rates."]

    results = scanner.scan_batch([on_story(t) for t in texts])

    np.testing.assert_allclose(
        np.stack([r.embedding for r in results]), embedder.embed(texts), atol=1e-5
    )


def test_eval_discussions_hold_only_earlier_comments_of_the_own_article():
    rows = [
        {"text": f"{text} ({n})", "article_title": title, "article_summary": deck}
        for n, (text, (title, deck)) in enumerate(
            [(t, STORY) for t in FISHING_TALK]
            + [(f"About {t}", (t, d)) for t, d in OTHERS for _ in range(2)]
        )
    ]
    contexts, labels, sources = pairs_with_sources(rows)
    add_background(contexts, rows)
    add_discussions(contexts, [rows[i] for i in sources], rows, embedder.get_backend())

    vectors = embedder.embed([r["text"] for r in rows])
    story_rows = [i for i, r in enumerate(rows) if r["article_title"] == STORY[0]]
    for c, label, i in zip(contexts, labels, sources, strict=True):
        title = rows[i]["article_title"]
        earlier = [j for j in story_rows if j < i] if title == STORY[0] else None
        if label == 0 and earlier is not None:
            # Newest first, the comment itself and everything after it left out.
            expected = vectors[earlier[::-1]] if earlier else np.zeros((0, vectors.shape[1]))
            np.testing.assert_allclose(c.article_discussion, expected, atol=1e-5)
        if label == 1:
            others = [j for j, r in enumerate(rows) if r["article_title"] == c.article_title]
            assert len(c.article_discussion) == len(others)
        # The words of the same comments, row for row.
        assert len(c.article_discussion_bags) == len(c.article_discussion)
        for b in c.background_articles:
            if b.title == title and earlier is not None:
                assert len(b.discussion) == len(earlier)
            assert len(b.discussion_bags) == len(b.discussion)


@pytest.mark.django_db
def test_the_pipeline_keeps_vectors_and_passes_approved_discussions(section):
    from broadsheet.moderation.embeddings import article_embedding_refresh
    from tests.conftest import make_article, make_comment

    story = make_article(section, headline=STORY[0], deck=STORY[1])
    others = [make_article(section, headline=t, deck=d) for t, d in OTHERS]
    for a in (story, *others):
        article_embedding_refresh(article_id=a.pk)
    talk = [make_comment(story, status="pending", text=t) for t in FISHING_TALK]
    pipeline.scan_comments([c.pk for c in talk])

    stored = CommentVector.objects.filter(comment__in=talk)
    assert stored.count() == len(talk)
    assert {v.article_id for v in stored} == {story.pk}
    assert {v.model_name for v in stored} == {embedder.MODEL_NAME}

    # Pending comments are not the discussion yet; approved ones are, newest first.
    newcomer = make_comment(story, status="pending", text="The quota vote decided it.")
    (context,) = pipeline_context._contexts(
        pipeline.scan_rows(Comment.objects.filter(pk=newcomer.pk))
    )
    assert context.article_discussion is None

    Comment.objects.filter(pk__in=[c.pk for c in talk]).update(status="approved")
    pipeline.forget_discussions()
    (context,) = pipeline_context._contexts(
        pipeline.scan_rows(Comment.objects.filter(pk=newcomer.pk))
    )
    np.testing.assert_allclose(
        context.article_discussion, embedder.embed(FISHING_TALK[::-1]), atol=2e-3
    )
    # ... with their words, kept beside the vectors, in the same order.
    expected = embedder.lexical_bags().bags(FISHING_TALK[::-1])
    assert len(context.article_discussion_bags) == len(talk)
    for (ids, weights), (want_ids, want_weights) in zip(
        context.article_discussion_bags.bags, expected, strict=True
    ):
        np.testing.assert_array_equal(ids, want_ids)
        np.testing.assert_allclose(weights, want_weights, atol=1e-3)
    # A comment scanned before the words were kept: the vectors still count, the words not.
    CommentVector.objects.filter(comment=talk[0]).update(token_bag=None)
    pipeline.forget_discussions()
    (context,) = pipeline_context._contexts(
        pipeline.scan_rows(Comment.objects.filter(pk=newcomer.pk))
    )
    assert len(context.article_discussion) == len(talk)
    assert context.article_discussion_bags is None
    # Other articles have no comments yet: their discussions are empty.
    assert all(b.discussion is None for b in context.background_articles)

    # A rescan replaces the stored vector instead of failing on the existing row.
    Comment.objects.filter(pk=talk[0].pk).update(
        status="pending", scan_state=Comment.ScanState.UNSCANNED
    )
    pipeline.scan_comments([talk[0].pk])
    assert CommentVector.objects.filter(comment=talk[0]).count() == 1


@pytest.mark.django_db
def test_an_edited_comment_leaves_the_discussion(section, django_user_model):
    from broadsheet.moderation.services import comment_edit_approve
    from tests.conftest import make_article, make_comment

    story = make_article(section, headline=STORY[0], deck=STORY[1])
    comment = make_comment(story, status="pending", text=FISHING_TALK[0])
    pipeline.scan_comments([comment.pk])
    assert CommentVector.objects.filter(comment=comment).exists()
    editor = django_user_model.objects.create_user("desk", password="x", is_staff=True)

    comment_edit_approve(comment=comment, actor=editor, text="Fishing quotas.", max_length=2000)

    assert not CommentVector.objects.filter(comment=comment).exists()


@pytest.mark.django_db
def test_discussions_of_articles_nobody_comments_on_are_dropped_from_memory(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(pipeline_context.time, "monotonic", lambda: clock[0])
    pipeline.forget_discussions()

    pipeline_context._discussions({1, 2})
    clock[0] += 3 * pipeline_context.DISCUSSION_REFRESH_SECONDS
    pipeline_context._discussions({2})

    assert set(pipeline_context._discussion_cache) == {2}


@pytest.mark.django_db(transaction=True)
def test_upgrading_gives_the_stored_vectors_their_words(section):
    """Comments scanned before the words were kept get them from the migration, so an
    upgraded site's discussions count by their words at once."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.conftest import make_article, make_comment

    story = make_article(section, headline=STORY[0], deck=STORY[1])
    comment = make_comment(story, status="approved", text=FISHING_TALK[0])
    CommentVector.objects.create(
        comment=comment, article=story, model_name=embedder.MODEL_NAME,
        vector=embedder.to_bytes(embedder.embed([comment.text])),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("moderation", "0004_comment_vectors")])
    executor.loader.build_graph()
    executor.migrate([("moderation", "0005_comment_token_bags")])
    executor.loader.build_graph()
    latest = executor.loader.graph.leaf_nodes("moderation")
    executor.migrate(latest)

    ids, weights = embedder.bag_from_bytes(CommentVector.objects.get(comment=comment).token_bag)
    (want_ids, want_weights), = embedder.lexical_bags().bags([comment.text])
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(weights, want_weights, atol=1e-3)


def test_a_reply_is_judged_by_its_article_and_its_parent_together():
    # Shipped calibration: its reply model weighs the parent beside the article evidence.
    shipped = RelevanceScanner()
    if "article_discussion_lexical_reply" not in shipped.calibration:
        pytest.skip("this backend has no fitted reply model")
    others = background_with_talk(with_words=True)
    talk = dict(article_discussion=discussion(FISHING_TALK),
                article_discussion_bags=words(FISHING_TALK), background_articles=others)
    parent = "The fishermen in my town were promised their waters back and got nothing."
    reply = "Promised and then forgotten, exactly what happened to the boats in Brixham"
    stranger = "Tie the garden furniture down before the gusts arrive tonight."

    own, elsewhere = shipped.evidence([
        on_story(reply, parent_text=parent, **talk),
        on_story(reply, parent_text=stranger, **talk),
    ])
    (alone,) = shipped.evidence([on_story(reply, **talk)])

    assert own.parent_sim > elsewhere.parent_sim
    # The same article evidence; only the parent differs, and the one it answers helps.
    assert shipped.score(reply, own) < shipped.score(reply, alone) < shipped.score(
        reply, elsewhere)
    assert shipped.score(reply, own) == pytest.approx(
        0.2 + (shipped.reply_probability(own) - 0.2) * 1.0)
