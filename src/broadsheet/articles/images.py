"""Uploaded pictures: checking an upload, making its smaller copies once, and the HTML that
lets each browser pick the copy that fits its screen."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from broadsheet.articles.models import Image

# Widths of the copies offered in srcset: a phone, a desktop column, a high-density screen.
RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMAT = "WEBP"
RENDITION_MIME = "image/webp"
# How wide the story column shows a picture, so the browser can choose before layout.
STORY_SIZES = "(min-width: 46rem) 44rem, 100vw"


_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def check_upload(upload) -> None:
    """Raise ValidationError, in the editor's terms, unless UPLOAD is a picture we can use.

    The stored name takes the extension of the format found inside, whatever the file was
    called, so the file is never served as anything but a picture.
    """
    limit = settings.BROADSHEET_IMAGE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {upload.size / 1_000_000:.1f} MB; pictures may be at most "
            f"{limit / 1_000_000:.0f} MB. Export a smaller copy and upload that."
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit; ours is stricter.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(upload) as picture:
                picture_format, (width, height) = picture.format, picture.size
                if width * height > settings.BROADSHEET_IMAGE_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                picture.verify()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ValidationError(
            "The picture is too large in pixels to open safely. Export a smaller copy "
            "(at most 40 megapixels) and upload that."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "This file is not a picture we can read. Upload a JPEG, PNG or WebP image."
        ) from None
    finally:
        upload.seek(0)
    if picture_format not in _EXTENSIONS:
        raise ValidationError(
            f"{picture_format} pictures are not accepted. Upload a JPEG, PNG or WebP image."
        )
    stem = PurePosixPath(upload.name or "picture").stem or "picture"
    upload.name = f"{stem}.{_EXTENSIONS[picture_format]}"


def _too_many_pixels(width: int, height: int) -> ValidationError:
    limit = settings.BROADSHEET_IMAGE_MAX_PIXELS
    return ValidationError(
        f"The picture is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels); "
        f"the limit is {limit / 1e6:.0f} megapixels. Export a smaller copy and upload that."
    )


def make_renditions(image: Image) -> list[dict]:
    """Write IMAGE's width-limited copies to storage and return their descriptions.

    Made once, when the picture is uploaded; never wider than the original.
    """
    with image.file.open("rb") as source_file, PILImage.open(source_file) as source:
        source.load()
        picture = ImageOps.exif_transpose(source)
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    widths = sorted({min(width, picture.width) for width in RENDITION_WIDTHS})
    stem = PurePosixPath(image.file.name).stem
    renditions = []
    for width in widths:
        height = max(1, round(picture.height * width / picture.width))
        copy = picture if width == picture.width else picture.resize(
            (width, height), PILImage.Resampling.LANCZOS
        )
        buffer = BytesIO()
        copy.save(buffer, RENDITION_FORMAT, quality=80, method=4)
        name = default_storage.save(
            f"images/renditions/{stem}-{width}w.webp", ContentFile(buffer.getvalue())
        )
        renditions.append(
            {"width": width, "height": height, "name": name, "size": len(buffer.getvalue())}
        )
    return renditions


@dataclass(frozen=True)
class Picture:
    """What a page needs to show an uploaded image."""

    src: str
    srcset: str
    width: int
    height: int
    alt: str
    caption: str
    credit: str
    largest_url: str
    largest_size: int
    urls: tuple[str, ...]

    def img_tag(self, *, sizes: str = STORY_SIZES, lazy: bool = False) -> SafeString:
        return format_html(
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}>',
            self.src, self.srcset, sizes, self.width, self.height, self.alt,
            mark_safe(' loading="lazy" decoding="async"') if lazy else "",
        )


def picture_for(image: Image | None, *, alt: str | None = None) -> Picture | None:
    """The Picture for IMAGE, or None when it has no copies to offer (or there is no image)."""
    if image is None or not image.renditions:
        return None
    copies = image.renditions
    urls = tuple(default_storage.url(copy["name"]) for copy in copies)
    # The default src: the desktop column's copy, for browsers that ignore srcset.
    default = next((i for i, c in enumerate(copies) if c["width"] >= 960), len(copies) - 1)
    return Picture(
        src=urls[default],
        srcset=", ".join(f"{url} {copy['width']}w" for url, copy in zip(urls, copies, strict=True)),
        width=copies[default]["width"],
        height=copies[default]["height"],
        alt=image.alt_text if alt is None else alt,
        caption=image.caption,
        credit=image.credit,
        largest_url=urls[-1],
        largest_size=copies[-1]["size"],
        urls=urls,
    )


def _picture_key(image_id: int) -> str:
    return f"article-picture:{image_id}"


def cached_picture(image_id: int | None) -> Picture | None:
    """The Picture of the image with this id, kept in the cache until the image is saved."""
    if image_id is None:
        return None
    picture = cache.get(_picture_key(image_id))
    if picture is None:
        picture = picture_for(Image.objects.filter(pk=image_id).first())
        if picture is not None:
            cache.set(_picture_key(image_id), picture, 3600)
    return picture


def forget_picture(image_id: int) -> None:
    cache.delete(_picture_key(image_id))


def absolute_url(url: str, base: str) -> str:
    """URL made absolute against BASE ("https://host"); storage URLs may already be absolute."""
    return urljoin(base + "/", url)


_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def responsive_body_images(body_html: str) -> str:
    """Give each <img> in sanitised body HTML that shows an uploaded picture its srcset.

    Runs after nh3 has cleaned the HTML; an image from anywhere else is left as it was.
    """
    tags = _IMG_TAG.findall(body_html)
    if not tags:
        return body_html
    media_url = settings.MEDIA_URL
    wanted: dict[str, str] = {}
    for tag in tags:
        src = dict(_ATTRIBUTE.findall(tag)).get("src", "")
        if src.startswith(media_url):
            wanted[tag] = unquote(src.removeprefix(media_url).replace("&amp;", "&"))
    if not wanted:
        return body_html
    images = {image.file.name: image for image in Image.objects.filter(file__in=wanted.values())}

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        image = images.get(wanted.get(tag, ""))
        if image is None:
            return tag
        given_alt = dict(_ATTRIBUTE.findall(tag)).get("alt")
        alt = _unescape_attribute(given_alt) if given_alt else None
        picture = picture_for(image, alt=alt)
        return picture.img_tag(lazy=True) if picture else tag

    return _IMG_TAG.sub(replace, body_html)


def _unescape_attribute(value: str) -> str:
    # nh3 escapes attribute values; format_html escapes them again when the tag is rebuilt.
    return (
        value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
        .replace("&#39;", "'").replace("&amp;", "&")
    )


def body_image_markdown(image: Image) -> str:
    """The Markdown an editor pastes into a body to show IMAGE."""
    alt = image.alt_text.replace("[", "(").replace("]", ")")
    return f"![{alt}]({image.file.url})"
