"""The shipped translations: the compiled catalogues match their .po sources, and every
interface string has an Urdu translation that keeps its placeholders."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "src" / "broadsheet" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_po(path: Path) -> dict:
    """The catalogue as gettext keeps it: msgid (with "msgctxt\\x04" before it, and
    (msgid, n) for plural forms) -> msgstr; untranslated entries are left out, as msgfmt
    leaves them out of the .mo."""
    entries: dict = {}
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            if line.startswith("#"):
                if line.startswith("#,") and "fuzzy" in line:
                    fields["fuzzy"] = "1"  # msgfmt leaves fuzzy entries out
                continue
            name, _, value = line.partition(" ")
            if line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current = name
                fields[name] = ast.literal_eval(value)
        if "fuzzy" in fields:
            continue
        msgid = fields.get("msgid", "")
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            for name, value in fields.items():
                if name.startswith("msgstr[") and value:
                    entries[(msgid, int(name[7:-1]))] = value
        elif fields.get("msgstr"):
            entries[msgid] = fields["msgstr"]
    return entries


def read_mo(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def strings(catalogue: dict) -> dict:
    """Without the header, which msgfmt rewrites."""
    return {key: value for key, value in catalogue.items() if key != ""}


def test_there_is_an_urdu_catalogue():
    assert LOCALE / "ur" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: path.parts[-3])
def test_the_compiled_catalogue_is_up_to_date_with_its_source(po: Path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    assert strings(read_mo(mo)) == strings(read_po(po)), (
        f"{mo} is older than {po}: run `make messages`"
    )


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_string_is_translated_with_its_placeholders(po: Path):
    entries = po.read_text(encoding="utf-8").split("\n\n", 1)[1]  # after the header
    untranslated = re.findall(r'^msgid "(.*)"\n(?:msgid_plural .*\n)?msgstr(?:\[\d\])? ""$(?!\n")',
                              entries, re.M)
    assert not untranslated
    for key, translated in read_po(po).items():
        source = key[0] if isinstance(key, tuple) else key
        if not source:
            continue
        source = source.split("\x04")[-1]
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(source)), (
            source
        )
