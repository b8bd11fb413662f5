"""axe-core, run in the browser, finds nothing serious on the pages readers and moderators use.

axe-core's script comes from the axe-playwright-python package (a dev dependency), never
from the network.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from broadsheet.articles.models import Article
from broadsheet.demo import content
from tests.browser.pages import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}



def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def article_with_reply_form_open(browser: Browser, site: str, scheme: str) -> Page:
    article = Article.objects.get(slug=content.MANY_THREADS_ARTICLE)
    page = new_page(browser, scheme=scheme)
    page.goto(site + article.get_absolute_url())
    first = page.locator("#comment-threads > li.comment").first
    first.get_by_role("link", name="Reply").click()
    expect(first.locator("form.comment-form")).to_be_visible()
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_serious_accessibility_violations(
    browser: Browser, demo_site: str, scheme: str
) -> None:
    home = new_page(browser, scheme=scheme)
    home.goto(demo_site + "/")
    paper = home.evaluate("getComputedStyle(document.body).backgroundColor")
    assert paper == {"light": "rgb(251, 250, 247)", "dark": "rgb(21, 21, 20)"}[scheme]
    assert serious_violations(home) == []
    article = article_with_reply_form_open(browser, demo_site, scheme)
    assert serious_violations(article) == []
    # A main form sent empty comes back with its errors tied to the fields.
    main_form = article.locator("#comment-form")
    main_form.get_by_role("button", name="Post comment").click()
    expect(article.locator("#id_name_error")).to_be_visible()
    assert article.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert serious_violations(article) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_desk_has_no_serious_accessibility_violations(
    browser: Browser, demo_site: str, scheme: str
) -> None:
    desk = new_page(browser, scheme=scheme)
    desk.goto(f"{demo_site}/accounts/login/?next=/desk/")
    assert serious_violations(desk) == []
    desk.locator("#id_username").fill(content.EDITOR_USERNAME)
    desk.locator("#id_password").fill(content.EDITOR_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(f"{demo_site}/desk/")
    expect(desk.locator("article.desk-item").first).to_be_visible()
    assert serious_violations(desk) == []


def test_the_first_tab_reaches_a_skip_link_to_the_story(browser: Browser, demo_site: str) -> None:
    article = Article.objects.get(slug=content.MANY_THREADS_ARTICLE)
    page = new_page(browser)
    page.goto(demo_site + article.get_absolute_url())
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " top: document.activeElement.getBoundingClientRect().top,"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    assert focused["text"] == "Skip to main content"
    assert focused["top"] >= 0, "the skip link shows itself when focused"
    assert focused["outline"] != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    # The next stop is inside the story, not the masthead's links.
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
