"""Editors upload pictures; pages, link previews and feeds offer copies that fit the screen."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from broadsheet.articles.models import Article, Image
from tests.articles.conftest import picture_upload, upload_image
from tests.conftest import make_article
from tests.test_settings import _environment

pytestmark = pytest.mark.django_db


def test_an_uploaded_picture_gets_width_limited_webp_copies_once(editor_client, media_root):
    response = upload_image(editor_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get()
    assert (image.width, image.height) == (2400, 1600)
    assert [copy["width"] for copy in image.renditions] == [480, 960, 1600]
    for copy in image.renditions:
        stored = media_root / copy["name"]
        with PILImage.open(stored) as rendition:
            assert rendition.format == "WEBP"
            assert rendition.size == (copy["width"], copy["height"])
    # Saving the caption again keeps the copies it has.
    names = [copy["name"] for copy in image.renditions]
    editor_client.post(f"/admin/articles/image/{image.pk}/change/", {
        "alt_text": image.alt_text, "caption": "New caption", "credit": image.credit,
    })
    image.refresh_from_db()
    assert image.caption == "New caption"
    assert [copy["name"] for copy in image.renditions] == names


def test_a_small_picture_is_never_enlarged(editor_client):
    upload_image(editor_client, picture_upload(600, 400, name="small.png", image_format="PNG"))
    assert [copy["width"] for copy in Image.objects.get().renditions] == [480, 600]


def test_alt_text_is_required(editor_client):
    response = upload_image(editor_client, alt_text="")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Image.objects.exists()


def test_a_file_that_is_not_a_picture_gets_a_clear_error(editor_client):
    fake = SimpleUploadedFile("notes.jpg", b"Minutes of the editorial meeting", "image/jpeg")
    response = upload_image(editor_client, fake)
    assert response.status_code == 200
    assert "This file is not a picture we can read" in response.content.decode()
    assert not Image.objects.exists()


def test_a_file_over_the_size_limit_gets_a_clear_error(editor_client, settings):
    settings.BROADSHEET_IMAGE_MAX_BYTES = 1000
    response = upload_image(editor_client)
    assert response.status_code == 200
    assert "pictures may be at most" in response.content.decode()
    assert not Image.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(editor_client):
    # 100 megapixels in a few kilobytes: more than Pillow's own limit.
    bomb = picture_upload(10_000, 10_000, name="bomb.png", image_format="PNG", mode="1")
    assert bomb.size < 100_000
    response = upload_image(editor_client, bomb)
    assert response.status_code == 200
    assert "too large in pixels" in response.content.decode()
    assert not Image.objects.exists()


def test_a_picture_over_the_site_pixel_limit_gets_a_clear_error(editor_client, settings):
    settings.BROADSHEET_IMAGE_MAX_PIXELS = 1_000_000
    response = upload_image(editor_client)
    assert response.status_code == 200
    assert "the limit is 1 megapixels" in response.content.decode()


@pytest.fixture
def pictured_article(editor_client, section) -> Article:
    upload_image(editor_client)
    article = make_article(section, lead_image=Image.objects.get())
    return article


def test_the_article_page_shows_the_lead_picture_responsive_with_caption_and_credit(
    client, pictured_article
):
    html = client.get(pictured_article.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="lead-image">.*?</figure>', html, re.S).group(0)
    assert 'alt="Water up to the wheel arches on University Road"' in figure
    assert re.search(r'srcset="/media/\S+-480w\.webp 480w, /media/\S+-960w\.webp 960w, '
                     r'/media/\S+-1600w\.webp 1600w"', figure)
    assert 'sizes="' in figure and 'width="960"' in figure and 'height="640"' in figure
    assert "University Road after the storm." in figure
    assert '<span class="credit">Photo: Staff</span>' in figure
    og = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og.startswith("http://testserver/media/") and og.endswith("-1600w.webp")
    json_ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html).group(1))
    assert len(json_ld["image"]) == 3 and json_ld["image"][-1].endswith("-1600w.webp")


def test_the_picture_files_are_served_in_development(client, pictured_article):
    copy = pictured_article.lead_image.renditions[0]["name"]
    response = client.get(f"/media/{copy}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert client.get("/media/images/../../settings.py").status_code == 404


def test_the_feeds_carry_the_lead_picture(client, pictured_article):
    rss = client.get("/feeds/latest.rss").content.decode()
    enclosure = re.search(r'<enclosure [^>]*>', rss).group(0)
    assert 'type="image/webp"' in enclosure and "-1600w.webp" in enclosure
    assert 'url="http' in enclosure
    atom = client.get("/feeds/latest.atom").content.decode()
    assert re.search(r'<link [^>]*rel="enclosure"[^>]*-1600w\.webp', atom) or re.search(
        r'<link [^>]*-1600w\.webp[^>]*rel="enclosure"', atom)


def test_an_uploaded_picture_in_the_body_is_made_responsive_and_others_are_left_alone(
    client, editor_client, section
):
    upload_image(editor_client)
    image = Image.objects.get()
    article = make_article(section, body=(
        "The water rose quickly.\n\n"
        f'![Cars stranded <script>alert(1)</script>]({image.file.url})\n\n'
        "![A chart](https://charts.example.com/rain.png)\n\n"
        '<img src="x" onerror="alert(2)">'
    ))
    html = client.get(article.get_absolute_url()).content.decode()
    body = re.search(r'<div class="body">(.*?)</div>', html, re.S).group(1)
    uploaded = re.search(r'<img [^>]*srcset="[^"]*-480w\.webp 480w[^>]*>', body).group(0)
    assert 'loading="lazy"' in uploaded
    assert "<script>" not in body and "onerror" not in body
    assert 'alt="Cars stranded' in uploaded
    assert "<img alt=\"A chart\" src=\"https://charts.example.com/rain.png\">" in body


def test_an_editor_sets_the_lead_picture_on_the_article_form(editor_client, section):
    upload_image(editor_client)
    image = Image.objects.get()
    response = editor_client.post("/admin/articles/article/add/", {
        "headline": "Storm floods University Road", "slug": "storm-floods-university-road",
        "deck": "", "section": section.pk, "dateline": "KARACHI", "body": "Water rose.",
        "lead_image": image.pk, "status": "published",
        "published_at_0": "2026-01-05", "published_at_1": "10:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(slug="storm-floods-university-road").lead_image == image


STORAGE_PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='broadsheet.settings';"
    "django.setup();"
    "from django.core.files.storage import storages; s = storages['default'];"
    "print(type(s).__name__, s.bucket_name, s.url('images/renditions/flood-480w.webp'))"
)


def test_pictures_go_to_an_s3_compatible_bucket_when_one_is_configured(tmp_path):
    environment = _environment({
        "BROADSHEET_DEV": "1",
        "BROADSHEET_S3_BUCKET": "tribune-pictures",
        "BROADSHEET_S3_ENDPOINT_URL": "https://objects.example.net",
        "BROADSHEET_S3_CUSTOM_DOMAIN": "pictures.example.net",
        "BROADSHEET_S3_ACCESS_KEY_ID": "id", "BROADSHEET_S3_SECRET_ACCESS_KEY": "secret",
    }, tmp_path)
    result = subprocess.run([sys.executable, "-c", STORAGE_PROBE], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage", "tribune-pictures",
        "https://pictures.example.net/media/images/renditions/flood-480w.webp",
    ]


def test_deleting_a_picture_removes_its_files_and_its_place_on_the_page(
    client, editor_client, pictured_article, media_root, django_capture_on_commit_callbacks
):
    image = pictured_article.lead_image
    files = [media_root / image.file.name] + [media_root / c["name"] for c in image.renditions]
    assert all(path.exists() for path in files)
    assert 'class="lead-image"' in client.get(pictured_article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not any(path.exists() for path in files)
    pictured_article.refresh_from_db()
    assert pictured_article.lead_image is None
    html = client.get(pictured_article.get_absolute_url()).content.decode()
    assert 'class="lead-image"' not in html and "og:image" not in html


def test_a_picture_is_stored_under_the_extension_of_its_real_format(editor_client, client):
    disguised = picture_upload(800, 600, name="front-page.html", image_format="PNG")
    upload_image(editor_client, disguised)
    image = Image.objects.get()
    assert image.file.name.endswith("/front-page.png")
    assert client.get(image.file.url)["Content-Type"] == "image/png"


def test_a_format_we_do_not_offer_is_refused_by_name(editor_client):
    response = upload_image(editor_client, picture_upload(64, 64, name="scan.tiff",
                                                          image_format="TIFF"))
    assert "TIFF pictures are not accepted" in response.content.decode()
    assert not Image.objects.exists()
