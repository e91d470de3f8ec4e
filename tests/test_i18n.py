"""The message catalogs: Vietnamese and English say the same things."""

from __future__ import annotations

import re
import unicodedata

from server.i18n import CATALOGS, catalog, translate
from server.settings import ROOT


def test_both_catalogs_have_the_same_keys_apart_from_english_singulars() -> None:
    english = {k for k in catalog("en") if not k.endswith("_one")}
    assert set(catalog("vi")) == english


def test_both_catalogs_use_the_same_placeholders() -> None:
    for key, text in catalog("vi").items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(
            re.findall(r"\{(\w+)\}", catalog("en")[key])), key


def test_the_catalog_files_are_written_in_nfc() -> None:
    for path in CATALOGS.glob("*.toml"):
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")), path.name


def test_english_singular_and_plural() -> None:
    assert translate("en", "home.documents", count=1) == "1 document"
    assert translate("en", "home.documents", count=4) == "4 documents"
    assert translate("vi", "home.documents", count=1) == "1 tài liệu"


def test_every_key_used_in_code_and_templates_exists() -> None:
    used: set[str] = set()
    for path in [*ROOT.joinpath("web", "templates").rglob("*.html"),
                 *ROOT.joinpath("server").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""_\(\s*['"]([a-z_]+\.[a-z_.]+)['"]""", text))
        used |= set(re.findall(r"""message_key = ['"]([a-z_]+\.[a-z_.]+)['"]""", text))
        used |= set(re.findall(r"""translate\([^,]+,\s*['"]([a-z_]+\.[a-z_.]+)['"]""", text))
    assert used, "no keys found: the pattern is wrong"
    assert sorted(used - set(catalog("vi"))) == []
