"""The article page in Urdu: the interface in Urdu, laid out right to left, and no serious
accessibility problems; docs/screenshots/article-urdu.png comes from here."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from broadsheet.articles.models import Article
from broadsheet.demo import content
from tests.browser.test_accessibility import serious_violations
from tests.test_languages import bilingual  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The text's own box, not the element's: a block label spans the form whatever its direction.
TEXT_BOX = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect();
  const form = el.closest("form").getBoundingClientRect();
  return {left: text.left - form.left, right: form.right - text.right, width: form.width};
}"""


@pytest.fixture
def bilingual_site(bilingual, browser: Browser) -> Iterator[str]:  # noqa: F811
    """A server of its own, started after the settings offer English and Urdu: the suite's
    shared live server built its middleware for a single-language site."""
    call_command("load_demo", stdout=StringIO())
    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.terminate()


def open_article(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.goto(url)
    return page


def test_the_urdu_article_page_reads_right_to_left(
    browser: Browser, bilingual_site: str, screenshots: Path
) -> None:
    with translation.override("en"):
        path = Article.objects.get(slug=content.MANY_THREADS_ARTICLE).get_absolute_url()
    page = open_article(browser, f"{bilingual_site}/ur{path}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    expect(page.locator("#comment-form button[type=submit]")).to_have_text("تبصرہ بھیجیں")
    label = page.locator("#comment-form label[for=id_text]")
    expect(label).to_have_text("آپ کا تبصرہ")
    # The label's text starts at the form's right-hand edge, as Urdu is read.
    box = label.evaluate(TEXT_BOX)
    assert box["right"] < 40 and box["left"] > box["width"] / 2, box
    heading = page.locator("#comments-heading").evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " const t = r.getBoundingClientRect(), s = el.getBoundingClientRect();"
        " return s.right - t.right; }"
    )
    assert heading < 5, "the comments heading starts on the right"
    # Replies are indented from the right.
    reply = page.locator("li.comment.level-1").first
    indent = reply.evaluate("el => getComputedStyle(el).marginRight")
    assert indent not in ("0px", ""), indent
    # What readers and editors wrote in English still starts on the left.
    for written in ("h1.headline", "li.comment .comment-text p"):
        box = page.locator(written).first.evaluate(
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " return r.getBoundingClientRect().left - el.getBoundingClientRect().left; }"
        )
        assert box < 5, written
    # The picture: the end of the story, its share links and related stories, the comments.
    page.locator(".share").scroll_into_view_if_needed()
    page.evaluate(
        "window.scrollBy(0, document.querySelector('.share').getBoundingClientRect().top - 200)"
    )
    page.screenshot(path=str(screenshots / "article-urdu.png"))
    assert serious_violations(page) == []


def test_the_english_page_next_to_it_still_reads_left_to_right(
    browser: Browser, bilingual_site: str
) -> None:
    with translation.override("en"):
        path = Article.objects.get(slug=content.MANY_THREADS_ARTICLE).get_absolute_url()
    page = open_article(browser, bilingual_site + path)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    box = page.locator("#comment-form label[for=id_text]").evaluate(TEXT_BOX)
    assert box["left"] < 40 and box["right"] > box["width"] / 2, box
