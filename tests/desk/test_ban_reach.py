"""Bans reach every spelling of a mailbox, and the desk can ban a client's address for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.emails import mailbox_key
from broadsheet.core.ratelimit import hash_ip
from broadsheet.moderation.models import Ban
from tests.api.conftest import bearer, post_json
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db


def _newest_status() -> str:
    return Comment.objects.latest("id").status


@pytest.mark.parametrize(("banned", "returning"), [
    ("offers@example.com", "Offers+1@Example.com"),
    ("offers@example.com", "offers+deals+2@example.com"),
    ("j.offers@gmail.com", "JOffers@googlemail.com"),
    ("joffers+x@googlemail.com", "j.o.f.f.e.r.s+7@gmail.com"),
])
def test_an_email_ban_catches_the_same_mailbox_spelt_another_way(
    moderator_client, public_client, article, banned, returning
):
    comment = make_comment(article, status="pending", email=banned)
    moderator_client.post(f"/desk/comments/{comment.pk}/ban/", {"target": "email"})

    public_client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(email=returning, text="Buy cheap tickets at my site."),
    )
    api = post_json(public_client, f"/articles/{article.pk}/comments", {
        "name": "Offers", "email": returning, "text": "Cheaper tickets at my other site.",
    })

    texts = dict(Comment.objects.values_list("text", "status"))
    assert texts["Buy cheap tickets at my site."] == "rejected"
    assert texts["Cheaper tickets at my other site."] == "rejected"
    assert api.json()["status"] == "rejected"


def test_dots_count_where_the_provider_reads_them(moderator_client, public_client, article):
    comment = make_comment(article, status="pending", email="j.smith@example.com")
    moderator_client.post(f"/desk/comments/{comment.pk}/ban/", {"target": "email"})

    public_client.post(
        f"/comments/post/{article.pk}/", comment_payload(email="jsmith@example.com")
    )

    assert _newest_status() == "pending"
    assert mailbox_key("J.Smith+news@Example.com") == "j.smith@example.com"


def test_the_api_ban_catches_tagged_spellings(client, public_client, article, moderator):
    post_json(client, "/moderation/bans", {"email": "Spam.Bot@gmail.com"}, **bearer(moderator))

    public_client.post(
        f"/comments/post/{article.pk}/", comment_payload(email="spambot+99@gmail.com")
    )

    assert _newest_status() == "rejected"


def test_the_desk_bans_a_network_address_for_the_days_chosen(
    moderator_client, public_client, article
):
    comment = make_comment(
        article, status="pending", email="first@example.com", ip_hash=hash_ip("127.0.0.1")
    )
    page = moderator_client.get(f"/desk/comments/{comment.pk}/ban/")
    assert b"email ban is weak" in page.content
    assert b"Network address #" in page.content

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/",
        {"target": "client", "days": "7", "note": "new address every day"}, follow=True,
    )
    public_client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(email="brand-new@example.org", text="Same person, new address."),
    )

    assert b"Banned network address #" in response.content
    ban = Ban.objects.get()
    assert (ban.email, ban.user, ban.ip_hash) == ("", None, comment.ip_hash)
    assert timedelta(days=6, hours=23) < ban.expires_at - timezone.now() <= timedelta(days=7)
    assert Comment.objects.get(text="Same person, new address.").status == "rejected"
    bans_page = moderator_client.get("/desk/bans/")
    assert b"network address #" in bans_page.content and b"until" in bans_page.content


def test_a_network_ban_ends_by_itself(moderator_client, public_client, article):
    comment = make_comment(article, status="pending", ip_hash=hash_ip("127.0.0.1"))
    moderator_client.post(f"/desk/comments/{comment.pk}/ban/", {"target": "client", "days": "1"})
    Ban.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    public_client.post(
        f"/comments/post/{article.pk}/", comment_payload(text="Back after the ban ended.")
    )

    assert Comment.objects.get(text="Back after the ban ended.").status == "pending"
    assert b"No one is banned." in moderator_client.get("/desk/bans/").content


def test_a_network_ban_needs_a_duration(moderator_client, article):
    comment = make_comment(article, status="pending", ip_hash=hash_ip("127.0.0.1"))

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/", {"target": "client", "days": "365"}
    )

    assert response.status_code == 400
    assert b"Choose permanently, 1, 7 or 30 days, or a date." in response.content
    assert not Ban.objects.exists()
