"""What a first visit finds on every page: the sections, working labels, a way to sign out."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from broadsheet.articles.models import Section
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = get_user_model().objects.create_superuser("editor", "e@newsroom.example", "pw")
    client.force_login(editor)
    return client


def masthead_sections(html: str) -> list[str]:
    nav = re.search(r'<nav class="sections"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r">([^<]+)</a>", nav)


@pytest.fixture
def three_sections(section) -> list[Section]:
    return [section, Section.objects.create(name="City", slug="city"),
            Section.objects.create(name="Business", slug="business")]


def test_every_page_shows_all_the_sections_in_the_masthead(client, article, three_sections, faq):
    comment = make_comment(article)
    names = ["Sport", "City", "Business"]
    for url in ("/", "/sport/", "/city/", article.get_absolute_url(), "/pages/comments-faq/",
                f"/comments/{comment.pk}/report/", "/authors/amina-qureshi/", "/no-such-page/"):
        response = client.get(url)
        assert masthead_sections(response.content.decode()) == names, url


def test_the_section_page_marks_its_own_section(client, three_sections):
    html = client.get("/city/").content.decode()
    assert re.search(r'<a href="/city/" aria-current="page">City</a>', html)
    assert html.count('aria-current="page"') == 1


def test_a_new_section_goes_last(editor_client, three_sections):
    form = editor_client.get("/admin/articles/section/add/").content.decode()
    assert re.search(r'name="position" value="3"', form)
    editor_client.post("/admin/articles/section/add/",
                       {"name": "Opinion", "slug": "opinion", "position": "3"})
    assert Section.objects.create(name="Sunday", slug="sunday").position == 4
    assert [s.name for s in Section.objects.all()][-2:] == ["Opinion", "Sunday"]


def test_a_renamed_section_shows_in_the_masthead_at_once(editor_client, client, section):
    assert masthead_sections(client.get("/").content.decode()) == ["Sport"]
    editor_client.post(f"/admin/articles/section/{section.pk}/change/",
                       {"name": "Cricket", "slug": "sport", "position": "0"})
    assert masthead_sections(client.get("/").content.decode()) == ["Cricket"]


def described_ids_exist(html: str, field_id: str) -> list[str]:
    tag = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>', html).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', tag)
    ids = described.group(1).split() if described else []
    for described_id in ids:
        assert f'id="{described_id}"' in html, f"{field_id} points at missing {described_id}"
    return ids


def test_the_email_help_text_exists_where_the_main_and_reply_forms_point(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert described_ids_exist(html, "id_email") == ["id_email_helptext"]
    comment = make_comment(article)
    reply = client.get(f"/comments/{comment.pk}/reply/", HTTP_HX_REQUEST="true").content.decode()
    assert described_ids_exist(reply, f"id_reply{comment.pk}_email") == [
        f"id_reply{comment.pk}_email_helptext"]


def test_errors_are_tied_to_their_fields(client, article):
    response = client.post(f"/comments/post/{article.pk}/",
                           comment_payload(name="", email="not-an-address", text=""))
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("name", "email", "text"):
        tag = re.search(rf'<(?:input|textarea)[^>]*id="id_{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag
        assert f"id_{field}_error" in described_ids_exist(html, f"id_{field}")
    assert re.search(r'<span class="error" id="id_email_error">Enter a valid email', html)


def test_report_form_errors_are_tied_to_their_fields(client, article):
    comment = make_comment(article)
    response = client.post(f"/comments/{comment.pk}/report/", {"note": "x" * 600})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<fieldset aria-describedby="id_reason_error">', html)
    assert re.search(r'<span class="error" id="id_reason_error">Choose why', html)
    assert "id_note_error" in described_ids_exist(html, "id_note")


def test_the_desk_names_itself_once_and_has_a_heading(moderator_client, article):
    html = moderator_client.get("/desk/pending/").content.decode()
    body = html[html.index("<body"):]
    assert len(re.findall(r"moderation desk", body, re.I)) == 1
    assert len(re.findall(r"<h1\b", html)) == 1


def test_signed_in_staff_can_sign_out_from_any_page(moderator_client, client, article):
    for url in ("/", article.get_absolute_url(), "/desk/pending/"):
        html = moderator_client.get(url).content.decode()
        form = re.search(r'<form class="logout-form" method="post" action="/accounts/logout/">'
                         r'(.*?)</form>', html, re.S)
        assert form and "csrfmiddlewaretoken" in form.group(1), url
    response = moderator_client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert moderator_client.get("/desk/pending/").status_code == 302
    assert "logout-form" not in client.get("/").content.decode()


def test_readers_signed_in_without_staff_rights_see_no_desk_link(client, article):
    reader = get_user_model().objects.create_user("reader2", "r@example.com", "pw")
    client.force_login(reader)
    assert "Moderation desk" not in client.get("/").content.decode()
