"""An editor sees the article body drawn as the page will show it while typing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, expect

from tests.conftest import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_body_preview_follows_the_editor_typing(browser: Browser, live_server, section):
    get_user_model().objects.create_superuser("editor", "e@newsroom.example", "editor-pw")
    article = make_article(section)
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: pytest.fail(f"Script error on {page.url}: {error}"))
    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/article/{article.pk}/change/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pw")
    page.click("input[type=submit]")
    preview = page.locator("#article-preview")
    expect(preview.locator("em")).to_have_text("ground staff")
    page.fill("#id_body", "Floods **closed** the road.\n\n<script>window.hacked = 1</script>")
    expect(preview.locator("strong")).to_have_text("closed")
    assert page.evaluate("window.hacked") is None
    assert preview.locator("script").count() == 0
