"""Comment text as the desk shows it: the scanner's spans marked, edits shown as a diff.

Reader text is untrusted. Both functions split it into segments, escape every segment and
only then join them with the markup they add, so no part of the text is ever trusted as HTML.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _valid_spans(reasons: Iterable[dict], length: int) -> list[tuple[int, int, str]]:
    spans = []
    for reason in reasons or []:
        if not isinstance(reason, dict):
            continue
        label = str(reason.get("code") or "flagged")
        for span in reason.get("spans") or []:
            try:
                start, end = int(span[0]), int(span[1])
            except (TypeError, ValueError, IndexError):
                continue
            start, end = max(0, start), min(length, end)
            if start < end:
                spans.append((start, end, label))
    return spans


def highlight_spans(text: str, reasons: Iterable[dict]) -> SafeString:
    """The text with a <mark> around every stretch a scanner flagged, named in its title."""
    spans = _valid_spans(reasons, len(text))
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    parts: list[str] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        segment = text[start:end]
        labels = sorted({label for s, e, label in spans if s <= start and end <= e})
        if labels:
            parts.append(format_html('<mark title="{}">{}</mark>', ", ".join(labels), segment))
        else:
            parts.append(escape(segment))
    return mark_safe("".join(parts))  # noqa: S308 - every segment above is escaped


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def text_diff(before: str, after: str) -> tuple[SafeString, SafeString]:
    """Before and after, word by word: removed words in <del>, added words in <ins>."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    old_html: list[str] = []
    new_html: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = escape("".join(old[a1:a2])), escape("".join(new[b1:b2]))
        if op == "equal":
            old_html.append(removed)
            new_html.append(added)
            continue
        if removed:
            old_html.append(f"<del>{removed}</del>")
        if added:
            new_html.append(f"<ins>{added}</ins>")
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))  # noqa: S308
