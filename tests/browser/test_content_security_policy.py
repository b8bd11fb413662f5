"""With the Content-Security-Policy on, nothing the site's pages do in a browser is blocked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.demo import content

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def _watched(browser: Browser, violations: list[str]) -> Page:
    """A fresh page that records every CSP violation and console error it meets."""
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: script error: {error}"))
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if message.type == "error" else None)
    # Listened for from the first script on, so a violation while loading is caught too.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return page


def test_the_pages_work_under_the_policy_without_a_single_violation(
    browser: Browser, demo_site: str
) -> None:
    violations: list[str] = []
    article = Article.objects.get(slug=content.MANY_THREADS_ARTICLE)
    parent = Comment.objects.filter(article=article, depth=0, status="approved").first()

    reader = _watched(browser, violations)
    response = reader.goto(demo_site + article.get_absolute_url())
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert reader.evaluate("typeof window.htmx") == "object"
    reader.locator(f"#c{parent.pk}").get_by_role("link", name="Reply").click()
    slot = reader.locator(f"#reply-slot-{parent.pk}")
    expect(slot.locator("form.comment-form")).to_be_visible()
    slot.get_by_role("button", name="Cancel").click()  # its handler lives in site.js now
    expect(slot.locator("form.comment-form")).to_have_count(0)
    reader.goto(demo_site + "/")

    desk = _watched(browser, violations)
    desk.goto(f"{demo_site}/accounts/login/?next=/desk/")
    desk.locator("#id_username").fill(content.EDITOR_USERNAME)
    desk.locator("#id_password").fill(content.EDITOR_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(f"{demo_site}/desk/")
    expect(desk.locator("article.desk-item").first).to_be_visible()
    desk.get_by_role("link", name="Activity").click()
    expect(desk.locator(".desk-seg.is-approved").first).to_be_visible()

    docs = _watched(browser, violations)
    requested: list[str] = []
    docs.on("request", lambda request: requested.append(request.url))
    docs.goto(f"{demo_site}/api/v1/docs")
    expect(docs.locator(".swagger-ui .info .title")).to_contain_text("Broadsheet API")

    assert violations == []
    assert [url for url in requested if not url.startswith(demo_site)] == []
