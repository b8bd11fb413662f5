"""Editors and pictures for the articles tests."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage


@pytest.fixture
def editor_client(client):
    editor = get_user_model().objects.create_superuser("editor", "e@newsroom.example", "pw")
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a folder of this test's own, never the developer's data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture_upload(
    width: int = 2400, height: int = 1600, *, name: str = "flood.jpg", image_format: str = "JPEG",
    mode: str = "RGB",
) -> SimpleUploadedFile:
    buffer = BytesIO()
    PILImage.new(mode, (width, height), "steelblue" if mode == "RGB" else 0).save(
        buffer, image_format
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def upload_image(editor_client, upload=None, **fields):
    """Upload through the admin as an editor would; the response of the add form."""
    data = {"alt_text": "Water up to the wheel arches on University Road",
            "caption": "University Road after the storm.", "credit": "Photo: Staff", **fields}
    data["file"] = upload or picture_upload()
    return editor_client.post("/admin/articles/image/add/", data)
