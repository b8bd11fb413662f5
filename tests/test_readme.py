"""The README stays short enough to read in one go, and everything it points at exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_the_readme_is_at_most_10_kb():
    assert len(README.read_bytes()) <= 10 * 1024


def test_every_file_the_readme_links_to_exists():
    targets = re.findall(r"\]\(([^)#]+)\)", README.read_text(encoding="utf-8"))
    assert targets
    missing = [t for t in targets if "://" not in t and not (ROOT / t).exists()]
    assert missing == []


def test_the_readme_names_the_prerequisites_and_the_api():
    text = README.read_text(encoding="utf-8")
    for needed in ("Python 3.11", "`make`", "chromium", "/api/v1/docs", "api_token",
                   "BROADSHEET_LANGUAGES"):
        assert needed in text, needed
