from tests.conftest import comment_payload, make_comment


def test_it_shows_the_article_with_its_approved_comments(client, article):
    make_comment(article, text="Visible approved comment")
    make_comment(article, text="Hidden pending comment", status="pending")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b"Comments (1)" in response.content
    assert b"Visible approved comment" in response.content
    assert b"Hidden pending comment" not in response.content


def test_it_accepts_a_comment_and_shows_it_pending_to_its_author(client, article):
    response = client.post(f"/comments/post/{article.pk}/", comment_payload())
    assert response.status_code == 303
    page = client.get(article.get_absolute_url())
    assert b"awaiting moderation" in page.content
    assert b"The groundsmen deserve credit" in page.content
