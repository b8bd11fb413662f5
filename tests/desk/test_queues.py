"""The queues: which comments each lists, the counts in the tab bar, filters, order, pages."""

from __future__ import annotations

import re

from broadsheet.articles.models import Section
from tests.conftest import make_article, make_comment
from tests.desk.conftest import scanned


def _count(content: bytes, queue: str) -> int:
    match = re.search(rf'data-queue="{queue}">(\d+)<'.encode(), content)
    assert match, f"no count for {queue}"
    return int(match.group(1))


def _listed_ids(content: bytes) -> list[int]:
    found = re.findall(rb'<article class="desk-item[^"]*" id="item-(\d+)"', content)
    return [int(pk) for pk in found]


def test_it_lists_pending_comments_oldest_first_with_the_queue_counts(moderator_client, article):
    newer = make_comment(article, status="pending", text="Newer pending", minutes_ago=5)
    older = make_comment(article, status="pending", text="Older pending", minutes_ago=50)
    make_comment(article, status="approved", text="Already published")
    make_comment(article, status="rejected", text="Already rejected")
    reported = make_comment(article, status="approved", text="Reported one", open_report_count=2)

    response = moderator_client.get("/desk/")

    assert response.status_code == 200
    assert _listed_ids(response.content) == [older.pk, newer.pk]
    assert b"Already published" not in response.content
    assert _count(response.content, "pending") == 2
    assert _count(response.content, "reported") == 1
    assert _count(response.content, "approved") == 2
    assert _count(response.content, "rejected") == 1
    assert reported.pk not in _listed_ids(response.content)


def test_it_lists_approved_and_rejected_comments_with_the_rejection_reason(
    moderator_client, article, reasons
):
    approved = make_comment(article, status="approved", text="Published view")
    rejected = make_comment(
        article, status="rejected", text="Off topic rant", rejection_reason=reasons["off-topic"]
    )

    approved_page = moderator_client.get("/desk/approved/")
    rejected_page = moderator_client.get("/desk/rejected/")

    assert _listed_ids(approved_page.content) == [approved.pk]
    assert _listed_ids(rejected_page.content) == [rejected.pk]
    assert b"Rejected as <strong>Off-topic</strong>" in rejected_page.content


def test_it_lists_reported_comments_with_the_readers_reasons_and_notes(moderator_client, article):
    from broadsheet.comments.services import comment_report

    comment = make_comment(article, text="Something readers dislike")
    make_comment(article, text="Nobody minds this one")
    comment_report(comment=comment, reason="personal-attack", note="He insults the <author>")
    comment_report(comment=comment, reason="spam")

    response = moderator_client.get("/desk/reported/")

    assert _listed_ids(response.content) == [comment.pk]
    assert b"2 open reports" in response.content
    assert b"A personal attack" in response.content
    assert b"He insults the &lt;author&gt;" in response.content
    assert b"Spam or advertising" in response.content
    assert b"Dismiss reports" in response.content


def test_it_answers_an_unknown_queue_with_the_not_found_page(moderator_client, db):
    response = moderator_client.get("/desk/flagged/")

    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_it_filters_a_queue_by_section_and_by_article(moderator_client, article):
    politics = Section.objects.create(name="Politics", slug="politics")
    other = make_article(politics, headline="Budget passes the assembly")
    same_section_article = make_article(article.section)
    on_sport = make_comment(article, status="pending")
    on_sport_too = make_comment(same_section_article, status="pending")
    on_politics = make_comment(other, status="pending")

    by_section = moderator_client.get("/desk/pending/?section=politics")
    by_article = moderator_client.get(f"/desk/pending/?article={article.pk}")

    assert _listed_ids(by_section.content) == [on_politics.pk]
    assert _count(by_section.content, "pending") == 1
    assert _listed_ids(by_article.content) == [on_sport.pk]
    assert on_sport_too.pk not in _listed_ids(by_article.content)
    # The filter boxes show the current choice, and the tabs keep the filter.
    assert b'<option value="politics" selected>' in by_section.content
    assert b'href="/desk/approved/?section=politics"' in by_section.content


def test_it_explains_a_filter_that_matches_nothing_known(moderator_client, article):
    make_comment(article, status="pending")

    response = moderator_client.get("/desk/pending/?section=gardening&article=99999")

    assert response.status_code == 200
    assert "There is no section “gardening”".encode() in response.content
    assert b"That article no longer exists" in response.content
    assert len(_listed_ids(response.content)) == 1


def test_it_sorts_pending_comments_by_risk_either_way(moderator_client, article):
    risky = make_comment(article, status="pending", minutes_ago=10, **scanned(risk=0.9))
    fine = make_comment(article, status="pending", minutes_ago=5, **scanned(risk=0.05))
    unscanned = make_comment(article, status="pending", minutes_ago=20)

    fine_first = moderator_client.get("/desk/pending/?sort=fine")
    urgent_first = moderator_client.get("/desk/pending/?sort=urgent")
    newest_first = moderator_client.get("/desk/pending/?sort=newest")

    assert _listed_ids(fine_first.content) == [fine.pk, risky.pk, unscanned.pk]
    assert _listed_ids(urgent_first.content) == [risky.pk, fine.pk, unscanned.pk]
    assert _listed_ids(newest_first.content) == [fine.pk, risky.pk, unscanned.pk]


def test_it_pages_a_long_queue_fifty_at_a_time(moderator_client, article):
    comments = [make_comment(article, status="pending", minutes_ago=200 - n) for n in range(53)]

    first = moderator_client.get("/desk/pending/")
    second = moderator_client.get("/desk/pending/?page=2")

    assert len(_listed_ids(first.content)) == 50
    assert _listed_ids(second.content) == [c.pk for c in comments[50:]]
    assert b"page 2 of 2" in second.content
    assert b'href="/desk/pending/?page=2"' in first.content


def test_it_shows_the_article_the_parent_and_who_wrote_it(moderator_client, article):
    parent = make_comment(article, text="The captain should have declared.", name="Farah")
    reply = make_comment(
        article, parent=parent, status="pending", text="No, the light was going.",
        name="Omar", email="omar@example.com", ip_hash="0123456789abcdef0123456789abcdef",
    )

    response = moderator_client.get("/desk/")

    assert _listed_ids(response.content) == [reply.pk]
    assert article.headline.encode() in response.content
    assert b"In reply to <strong>Farah</strong>" in response.content
    assert b"The captain should have declared." in response.content
    assert b"omar@example.com" in response.content
    assert b"IP #0123456789" in response.content


def test_it_says_when_nothing_waits_and_offers_a_refresh_link(moderator_client, db):
    response = moderator_client.get("/desk/pending/?section=")

    assert b'class="desk-refresh"' in response.content
    assert b"Nothing is waiting" in response.content
