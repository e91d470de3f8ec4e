"""The user's file name: kept for display, never used as a path.

Files live in the store under their SHA-256; the name a secretary gave the file
("Báo cáo KT-XH tháng 11.pdf") is only shown and sent back in
``Content-Disposition``. It is still cleaned, because it comes from a browser or
a script: NFC (the form everything else is stored in), no control or bidi
override characters (which can disguise "fdp.exe" as "exe.pdf"), no folders
(old browsers send "C:\\Users\\...\\file.pdf", scripts send "../../x"), and at
most 255 bytes of UTF-8, the limit of most file systems when a reader saves it,
cut between characters and keeping the extension.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

MAX_BYTES = 255
FALLBACK_STEM = "tai-lieu"
# Bidirectional controls and invisible joiners: category Cf, removed with Cc.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def clean_filename(raw: str | None, default_extension: str = ".pdf") -> str:
    """A safe display name for ``raw`` (the name the client sent), never empty."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(" " if c in "\t\n\r" else c for c in text
                   if unicodedata.category(c) not in _REMOVED_CATEGORIES or c in "\t\n\r")
    # Only the last part of a path: the file's own name is what the user recognises.
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = " ".join(text.split()).strip(" .")
    stem, extension = split_extension(text)
    if not stem:
        stem, extension = FALLBACK_STEM, extension or default_extension
    return _fit(stem, extension)


def form_filename(raw: str) -> str:
    """The name as typed, from a multipart header: browsers send UTF-8 with ``"`` and line
    breaks percent-escaped, aiohttp and some scripts percent-escape every non-ASCII byte."""
    if re.search(r"%[0-9A-Fa-f]{2}", raw):
        try:
            return unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return raw
    return raw


def split_extension(name: str) -> tuple[str, str]:
    """``("Báo cáo", ".pdf")``; an extension is a dot and 1–5 ASCII letters or digits."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 1 <= len(ext) <= 5 and ext.isascii() and ext.isalnum():
        return stem.rstrip(" ."), f".{ext.lower()}"
    return name, ""


def extension_of(name: str) -> str:
    return split_extension(name)[1]


def with_extension(name: str, extension: str) -> str:
    """``name`` with its extension replaced (the PDF made from "Tờ trình.docx")."""
    stem, _ = split_extension(name)
    return _fit(stem or FALLBACK_STEM, extension)


def _fit(stem: str, extension: str) -> str:
    budget = MAX_BYTES - len(extension.encode())
    return truncate_utf8(stem, budget).rstrip(" .") + extension


def truncate_utf8(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut before a whole character (base and marks)."""
    if len(text.encode()) <= limit:
        return text
    used, end = 0, 0
    for index, char in enumerate(text):
        size = len(char.encode())
        if used + size > limit:
            break
        used += size
        end = index + 1
    # A combining mark belongs to the letter before it: never keep a letter without it.
    while 0 < end < len(text) and unicodedata.combining(text[end]):
        end -= 1
    return text[:end]


def ascii_fallback(name: str) -> str:
    """"Bao cao thang 11.pdf" for clients that ignore ``filename*``."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                   for c in text)


def content_disposition(name: str, disposition: str = "inline") -> str:
    """RFC 6266 with the RFC 5987 ``filename*`` that carries the Vietnamese name."""
    return (f'{disposition}; filename="{ascii_fallback(name)}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")


def url_segment(name: str) -> str:
    """The name as the last segment of a file URL (cosmetic: the hash decides)."""
    return quote(name, safe="")
