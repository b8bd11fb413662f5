"""The site's {% translate %} (core/templatetags/broadsheet.py) draws what Django's draws."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import translation

from tests.test_languages import _translation_functions_follow_use_i18n  # noqa: F401

CASES = [
    '{% translate "Share:" %}',
    '{% translate "By" context "byline" %}',
    "{% translate ', ' context 'list separator' %}",
    '{% translate "Related stories" %}',
    '{% translate "100% <b>sure</b> %% & more" %}',
    '{% translate "Share:" as label %}[{{ label }}]',
    '{% translate "Share:" noop %}',
    '{% translate "Share:"|upper %}',
    "{% translate message %}",
    '{% translate "By" context where %}',
]


def _draw(libraries: str, case: str) -> str:
    template = engines["django"].from_string(f"{{% load {libraries} %}}{case}")
    return template.render({"message": "Tom & <Jerry>", "where": "byline"})


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", ["en", "ur"])
def test_it_draws_what_djangos_translate_tag_draws(settings, case, language):
    settings.USE_I18N = True
    settings.LANGUAGES = [("en", "English"), ("ur", "اردو")]
    with translation.override(language):
        assert _draw("i18n broadsheet", case) == _draw("i18n", case)


def test_it_translates_into_the_language_of_the_request_that_draws_it(settings):
    settings.USE_I18N = True
    settings.LANGUAGES = [("en", "English"), ("ur", "اردو")]
    template = engines["django"].from_string(
        '{% load i18n broadsheet %}{% translate "Related stories" %}'
    )
    with translation.override("en"):
        english = template.render({})
    with translation.override("ur"):
        urdu = template.render({})
    assert english == "Related stories"
    assert urdu != english and urdu
