"""Display names: cleaned like comment names, unique per site whatever their case, and never
one that passes for the newsroom's staff or the paper itself."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

from broadsheet.core.text import has_visible_characters, without_bidi_controls

MAX_LENGTH = 60
MIN_LENGTH = 2
# Words that make a name read as the paper speaking; the site's own names are added at check.
RESERVED_WORDS = ("moderator", "moderation", "admin", "administrator", "staff", "editor",
                  "newsroom", "official", "broadsheet")
_INVISIBLE = frozenset({"Cf", "Cc"})


def clean_display_name(raw: str) -> str:
    """Bidi controls and zero-width characters removed, runs of space collapsed."""
    text = without_bidi_controls(raw)
    text = "".join(char for char in text if unicodedata.category(char) not in _INVISIBLE)
    return " ".join(text.split())


def name_key(name: str) -> str:
    """The form two names are compared in: compatibility-folded, caseless, letters and digits
    only, so "Ed.itor", "EDITOR" and "ｅｄｉｔｏｒ" are one name."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(char for char in folded if char.isalnum())


def validate_display_name(name: str, *, protected: list[str]) -> None:
    """Raise ValidationError, in the reader's terms, for a name they cannot have. PROTECTED
    are the names of staff and of the paper."""
    if not name or not has_visible_characters(name):
        raise ValidationError("Enter the name to show with your comments.")
    if len(name) < MIN_LENGTH or len(name) > MAX_LENGTH:
        raise ValidationError(
            f"Choose a name between {MIN_LENGTH} and {MAX_LENGTH} characters long."
        )
    key = name_key(name)
    if not key:
        raise ValidationError("Use at least one letter or digit in your name.")
    for word in RESERVED_WORDS:
        if word in key:
            raise ValidationError(
                f"Names containing “{word}” are kept for the newsroom, so readers are not "
                "misled. Choose another name."
            )
    for other in protected:
        other_key = name_key(other)
        if other_key and (other_key == key or (len(other_key) >= 4 and other_key in key)):
            raise ValidationError(
                "That name belongs to the paper or one of its staff. Choose another name."
            )
