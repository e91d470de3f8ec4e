"""Message catalogs: every user-facing string comes from ``server/locales/<lang>.toml``.

Vietnamese is the first language, English the second. A key missing from a
catalog falls back to Vietnamese, then to the key itself, so a gap shows up in
the page instead of crashing it; ``tests/test_i18n.py`` keeps the catalogs in
step. Text is normalised to NFC, the form the rest of the system stores.
"""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from pathlib import Path

from aiohttp import web

from .settings import LOCALES

CATALOGS = Path(__file__).resolve().parent / "locales"
FALLBACK = "vi"


@cache
def catalog(locale: str) -> dict[str, str]:
    with (CATALOGS / f"{locale}.toml").open("rb") as f:
        return _flatten(tomllib.load(f))


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = unicodedata.normalize("NFC", str(value))
    return flat


def translate(locale: str, key: str, **params: object) -> str:
    """The text of ``key``; with ``count=1`` the catalog's ``<key>_one`` where it has one
    (English needs it, Vietnamese does not inflect)."""
    if params.get("count") == 1 and f"{key}_one" in catalog(locale):
        key = f"{key}_one"
    text = catalog(locale).get(key) or catalog(FALLBACK).get(key) or key
    return text.format(**params) if params else text


def pick_locale(request: web.Request, user_locale: str | None, default: str) -> str:
    """The ``lang`` cookie (the switch on every page) wins, then the user's own choice."""
    for candidate in (request.cookies.get("lang"), user_locale):
        if candidate in LOCALES:
            return candidate
    return default
