"""The article page draws its comment section without the template engine, to the letter."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from broadsheet.comments.forms import CommentForm
from broadsheet.comments.selectors import CommentRow, ShownComment, ThreadPage
from broadsheet.core.context_processors import current_site_links
from broadsheet.core.models import SiteSettings
from broadsheet.reading.comment_rendering import render_comment_section, render_rows
from broadsheet.reading.comment_section import comment_section_context
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db

TOKEN = "t" * 64


def _context(article, query: str = "", **overrides) -> dict:
    request = RequestFactory().get(article.get_absolute_url() + query)
    request.session = SessionStore()
    context = comment_section_context(request, article, reply_to=overrides.pop("reply_to", None))
    context.update(overrides)
    return context


def _both(context: dict, csrf_token: str = TOKEN) -> tuple[str, str | None]:
    faq_url = current_site_links()["faq"]
    template = render_to_string(
        "comments/section.html",
        {**context, "csrf_token": csrf_token, "links": {"faq": faq_url}},
    )
    return template, render_comment_section(context, csrf_token=csrf_token, faq_url=faq_url)


def _own_pending_elsewhere(article) -> dict:
    pending = make_comment(article, status="pending", name="Me & <you>")
    row = CommentRow(
        comment=ShownComment(
            pending.pk, article.pk, None, None, 0, pending.author_name, None, pending.text,
            pending.text_html, pending.submitted_at,
        ),
        level=0,
        replying_to="Amina <Q>",
        is_own_pending=True,
    )
    return {
        "page": ThreadPage(rows=[], next_cursor=None, own_pending_elsewhere=[row]),
        "own_pending_html": render_rows([row], comments_open=True),
    }


@pytest.mark.parametrize(
    "case",
    ["first page", "newest first", "replying", "closed", "bad cursor", "own pending",
     "no comments", "no token", "token not provided"],
)
def test_the_drawn_section_is_the_templates_section_to_the_letter(article, case):
    if case != "no comments":
        root = make_comment(article, name="Amina <Q>", minutes_ago=90)
        make_comment(article, parent=root, name="Tom & Jerry", minutes_ago=5)
    token = {"no token": "", "token not provided": "NOTPROVIDED"}.get(case, TOKEN)
    if case == "newest first":
        context = _context(article, "?order=newest")
    elif case == "replying":
        context = _context(article, f"?reply_to={root.pk}", reply_to=root)
    elif case == "closed":
        article.comments_closed = True
        context = _context(article)
    elif case == "bad cursor":
        context = _context(article, cursor_error='That link is <broken> & "old".')
    elif case == "own pending":
        context = _context(article)
        context.update(_own_pending_elsewhere(article))
    else:
        context = _context(article)

    template, drawn = _both(context, csrf_token=token)

    assert drawn is not None
    assert drawn == template


def test_a_form_carrying_a_readers_input_is_left_to_the_template(article):
    context = _context(article)
    context["form"] = CommentForm(
        comment_payload(text=""), article=article, site=SiteSettings.load()
    )
    assert render_comment_section(context, csrf_token=TOKEN, faq_url="/faq/") is None


def test_a_form_sent_with_errors_is_drawn_with_its_errors_and_the_readers_text(article):
    client = Client()
    response = client.post(
        f"/comments/post/{article.pk}/", comment_payload(email="not-an-address")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address, like name@example.com." in html
    assert "The groundsmen deserve credit" in html


def test_the_page_and_its_form_carry_one_working_csrf_token(article):
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(article.get_absolute_url()).content.decode()
    form_token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    header_token = html.split('"X-CSRFToken": "')[1].split('"')[0]
    assert form_token == header_token

    response = reader.post(
        f"/comments/post/{article.pk}/",
        comment_payload(text="Posted with the page's token", csrfmiddlewaretoken=form_token),
    )
    assert response.status_code == 303
