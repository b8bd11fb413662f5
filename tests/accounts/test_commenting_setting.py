"""The `commenting` setting: anyone (name and email), verified accounts, or subscribers, per
site with a per-section override, on the page's form and the API alike."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from tests.conftest import comment_payload, make_reader

pytestmark = pytest.mark.django_db


def set_site(commenting: str) -> None:
    site = SiteSettings.load()
    site.commenting = commenting
    site.save()


def api_post(client, article):
    return client.post(
        f"/api/v1/articles/{article.pk}/comments",
        {"name": "Sana", "email": "sana@example.com", "text": "Through the API."},
        content_type="application/json",
    )


def test_anyone_may_comment_by_default_with_a_name_and_email(client, article):
    response = client.post(f"/comments/post/{article.pk}/", comment_payload())

    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_verified_only_refuses_anonymous_posts_with_a_sign_in_link(client, article):
    set_site("verified")

    page = client.get(article.get_absolute_url())
    posted = client.post(f"/comments/post/{article.pk}/", comment_payload())
    api = api_post(client, article)

    assert 'name="email"' not in page.text
    assert "open to readers signed in with a confirmed account" in page.text
    assert posted.status_code == 403
    assert 'href="/accounts/login/?next=' in posted.text
    assert api.status_code == 403
    error = api.json()["errors"][0]
    assert error["code"] == "sign_in_required"
    assert "http://testserver/accounts/login/?next=" in error["message"]
    assert not Comment.objects.exists()


def test_verified_only_takes_a_confirmed_readers_comment(client, article):
    set_site("verified")
    client.force_login(make_reader())

    posted = client.post(f"/comments/post/{article.pk}/", {"text": "I have an account."})

    assert posted.status_code == 303
    assert Comment.objects.get().author_name == "Amina K"


def test_subscribers_only_refuses_a_reader_who_is_not_one_and_takes_one_who_is(client, article):
    set_site("subscribers")
    client.force_login(make_reader())
    refused = client.post(f"/comments/post/{article.pk}/", {"text": "Not a subscriber."})
    client.force_login(make_reader("sub@example.com", "Subscriber Sam", subscriber=True))
    taken = client.post(f"/comments/post/{article.pk}/", {"text": "A subscriber."})

    assert refused.status_code == 403 and "open to subscribers only" in refused.text
    assert taken.status_code == 303
    assert list(Comment.objects.values_list("text", flat=True)) == ["A subscriber."]


def test_a_section_overrides_the_site_setting(client, article):
    set_site("verified")
    article.section.commenting = "anyone"
    article.section.save()

    posted = client.post(f"/comments/post/{article.pk}/", comment_payload())

    assert posted.status_code == 303
    article.section.commenting = "subscribers"
    article.section.save()
    set_site("anyone")
    assert api_post(client, article).status_code == 403
