"""The serif font every PDF we make is set in: Times-compatible, with all Vietnamese letters.

reportlab's bundled Type 1 fonts (Times-Roman, Helvetica) cover Latin-1 only, so
"ạ", "ơ", "ữ" or "Đ" come out as black boxes or vanish, and they are never
embedded, so a reader's substitute font decides how a document looks. We use a
TrueType font from the system instead and embed it (reportlab embeds a subset of
every TTFont). Nghị định 30/2020/NĐ-CP asks for Times New Roman; Liberation Serif
2 and Tinos are metric-compatible with it (same widths, so the same line breaks)
and cover Vietnamese; DejaVu Serif covers Vietnamese too, with other widths, and
is the last resort. Each candidate's character map is checked, so a font without
every Vietnamese letter (an old Liberation 1.x, say) is passed over.

The demo's documents use it now; the minutes (mẫu 1.9) will too.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TRUETYPE = Path("/usr/share/fonts/truetype")


class FontMissing(RuntimeError):
    """No usable serif font is installed; ``str()`` is the one line to show the operator."""

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy phông chữ có đủ chữ tiếng Việt; hãy cài gói fonts-liberation2 "
            "(apt install fonts-liberation2). / No serif font with every Vietnamese letter "
            "was found; install the Debian package fonts-liberation2."
        )


@dataclass(frozen=True)
class SerifFont:
    family: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path

    @property
    def faces(self) -> tuple[Path, Path, Path, Path]:
        return (self.regular, self.bold, self.italic, self.bold_italic)


def _candidate(family: str, folder: str, regular: str, stem: str) -> SerifFont:
    base = TRUETYPE / folder
    return SerifFont(
        family=family,
        regular=base / regular,
        bold=base / f"{stem}-Bold.ttf",
        italic=base / f"{stem}-Italic.ttf",
        bold_italic=base / f"{stem}-BoldItalic.ttf",
    )


# In order of preference: Times-compatible widths first.
CANDIDATES = (
    _candidate("LiberationSerif", "liberation2", "LiberationSerif-Regular.ttf", "LiberationSerif"),
    _candidate("LiberationSerif", "liberation", "LiberationSerif-Regular.ttf", "LiberationSerif"),
    _candidate("Tinos", "croscore", "Tinos-Regular.ttf", "Tinos"),
    _candidate("DejaVuSerif", "dejavu", "DejaVuSerif.ttf", "DejaVuSerif"),
)


def vietnamese_letters() -> frozenset[str]:
    """Every letter of Vietnamese, both cases, as NFC code points."""
    tones = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    vowels = "aăâeêioôơuưy"
    letters = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    letters |= set("bcdđghklmnpqrstvx")
    return frozenset(letters | {c.upper() for c in letters})


def _covers_vietnamese(path: Path) -> bool:
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        mapped = TTFontFile(str(path)).charToGlyph
    except Exception:
        # A damaged or unreadable file is as good as a missing one.
        return False
    return all(ord(letter) in mapped for letter in vietnamese_letters())


def _usable(font: SerifFont) -> bool:
    return all(face.is_file() for face in font.faces) and all(
        _covers_vietnamese(face) for face in font.faces)


@cache
def find_serif() -> SerifFont:
    """The first installed candidate with every Vietnamese letter, or :class:`FontMissing`."""
    for font in CANDIDATES:
        if _usable(font):
            return font
    raise FontMissing()


_register_lock = threading.Lock()

# reportlab subsets an embedded TrueType font through one parser position shared by
# every document using the registered font, so two PDFs built at once in executor
# threads can garble each other's font (an IndexError, or other bytes). Every build
# with the serif font holds this lock; building is CPU-bound under the GIL anyway.
render_lock = threading.Lock()


@cache
def _register(font: SerifFont) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = (font.family, f"{font.family}-Bold", f"{font.family}-Italic",
             f"{font.family}-BoldItalic")
    for name, path in zip(names, font.faces, strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        font.family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])
    return font.family


def register_serif() -> str:
    """Register the serif family with reportlab (once) and return its name for styles.

    ``<b>`` and ``<i>`` in paragraphs then select the matching face. Safe to call
    from several executor threads at once.
    """
    with _register_lock:
        return _register(find_serif())
