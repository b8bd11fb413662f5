"""On a phone (390 px wide) the article page still reads like a newspaper page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.demo import content
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """docs/screenshots only when asked for (BROADSHEET_SCREENSHOTS=1); a normal run keeps
    its pictures out of the working tree."""
    if os.environ.get("BROADSHEET_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / name
    return tmp_path / name


def test_a_comment_head_with_a_verified_label_keeps_to_two_lines_at_390_px(
    browser: Browser, demo_site: str, tmp_path: Path
) -> None:
    verified = Comment.objects.filter(
        status=Comment.Status.APPROVED, user__profile__verified_label__gt=""
    ).select_related("article__section").first()
    assert verified is not None, "the demo has a comment from its verified engagement team"
    page = browser.new_context(viewport=PHONE, device_scale_factor=2).new_page()
    page.goto(demo_site + verified.article.get_absolute_url() + f"#c{verified.pk}")
    head = page.locator(f"#c{verified.pk} .comment-head")
    lines = head.evaluate(
        "el => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)"
    )
    head.screenshot(path=str(screenshot_path("comment-head-390px.png", tmp_path)))
    assert lines <= 2.1, f"the comment head takes {lines:.1f} lines at 390 px"
    # The page itself never scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    ("viewport", "scale", "chosen"),
    [(PHONE, 1, "-480w.webp"), (PHONE, 2, "-960w.webp"), ({"width": 1280, "height": 900}, 1,
                                                          "-960w.webp")],
)
def test_the_lead_picture_fits_the_screen_and_the_browser_picks_a_copy_to_match(
    browser: Browser, demo_site: str, tmp_path: Path, viewport: dict, scale: int, chosen: str
) -> None:
    article = Article.objects.get(slug=content.MANY_THREADS_ARTICLE)
    page = browser.new_context(viewport=viewport, device_scale_factor=scale).new_page()
    page.goto(demo_site + article.get_absolute_url())
    picture = page.locator("figure.lead-image img")
    picture.evaluate("img => img.decode()")
    shown = picture.evaluate(
        "img => ({src: img.currentSrc, width: img.getBoundingClientRect().width,"
        " natural: img.naturalWidth})"
    )
    assert shown["src"].endswith(chosen), shown
    assert shown["natural"] > 0, "the copy was served"
    assert shown["width"] <= viewport["width"]
    expect(page.locator("figure.lead-image figcaption")).to_contain_text("Teal Line bus")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    name = f"article-{viewport['width']}px@{scale}x.png"
    page.screenshot(path=str(screenshot_path(name, tmp_path)), full_page=False)
