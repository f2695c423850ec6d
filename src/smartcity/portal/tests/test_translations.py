"""The English catalogue is complete and reviewed (no untranslated or fuzzy entry), and the compiled catalogue that
Django serves says what the source says."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    blocks = [block for block in text.split("\n\n") if "msgid" in block][1:]  # the first block is the header
    untranslated = [block for block in blocks if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', block, re.M)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', PO.read_text(encoding="utf-8"), re.M)
    assert len(pairs) > 100
    with translation.override("en"):
        stale = [(vi, en) for vi, en in pairs
                 if "%" not in vi and translation.gettext(vi.replace('\\"', '"')) != en.replace('\\"', '"')]
    assert stale == []
