"""Comment times read in the site's time zone, relative in the text, exact on hover."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tests.conftest import make_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["UTC", "Asia/Karachi", "America/St_Johns"])
def test_a_comment_time_is_exact_on_hover_in_the_sites_time_zone(client, article, settings, zone):
    settings.TIME_ZONE = zone
    comment = make_comment(article, minutes_ago=200)
    with timezone.override(zone):
        local = timezone.localtime(comment.submitted_at)
        title = f"{date_format(local, 'j F Y, H:i')} {local.tzname()}"
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<time datetime="{local.isoformat()}" title="{title}">3 hours ago</time>' in html
