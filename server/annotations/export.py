"""A delegate's own annotated copy: their marks drawn into a copy of the paper as PDF annotations.

Issue 4, part 6: "a delegate can download their own annotated copy as a PDF". The marks
stay annotations (``/Highlight``, ``/Ink``, ``/Text``) rather than being flattened into the
page content, so any reader's comment list shows them with their author and time, the page
text extracts exactly as before, and the delegate can still edit or delete a mark in their
own viewer.

Coordinates arrive as PDF.js's ``viewport.convertToPdfPoint`` returns them: points in the
user space of the unrotated page. That is the space annotation ``/Rect``, ``/QuadPoints``
and ``/InkList`` are written in, so nothing is transformed here, whatever the page's
``/Rotate`` or however its MediaBox is offset; viewers turn annotations with the page.

Every mark gets an appearance stream (``/AP``) of its own. Poppler 22 draws all three kinds
without one, but the PDF standard leaves that to the reader, and some readers (on tablets
especially) draw only what an appearance says; with one, a mark looks the same everywhere. The
highlight's appearance multiplies its colour with the page (``/BM /Multiply``), so text
under it stays black, as a highlighter pen does.

The copy is written as an incremental update: the source's bytes come first, unchanged, and
the annotations are appended after them. A digitally signed paper so keeps a signature that
is intact and valid over the revision that was signed (a full rewrite would break it); a
validator reports the annotations as changes made after signing. The content-addressed
source file is only ever read.

Marks on pages the document does not have, or whose geometry cannot be read, are left out
without complaint (the service validates marks when they are saved); a colour that is not
``#rgb`` or ``#rrggbb`` falls back to the kind's default. Blocking: run in an executor.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Highlight, Text
from pypdf.constants import AnnotationFlag
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)

log = logging.getLogger(__name__)

Kind = Literal["highlight", "ink", "note"]
Colour = tuple[float, float, float]
Box = tuple[float, float, float, float]

DEFAULT_COLOURS: dict[str, str] = {"highlight": "#ffd400", "ink": "#d0021b", "note": "#ffd400"}
DEFAULT_INK_WIDTH = 2.0
MAX_INK_WIDTH = 48.0
NOTE_SIZE = 20.0  # the sticky note's icon, in points, as Acrobat draws it

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True)
class Mark:
    """One annotation as the service stores it; ``page`` counts from 1."""

    page: int
    kind: Kind
    data: Mapping[str, Any] = field(hash=False)
    author: str
    created: datetime  # aware

    def __post_init__(self) -> None:
        if self.created.tzinfo is None or self.created.utcoffset() is None:
            raise ValueError("Mark.created must be timezone-aware")


def annotated_pdf(source: Path | bytes, annotations: Sequence[Mark]) -> bytes:
    """A copy of the PDF at ``source`` with ``annotations`` added (blocking: run in an executor)."""
    reader = PdfReader(source if isinstance(source, Path) else BytesIO(source))
    writer = PdfWriter(reader, incremental=True)
    pages = len(writer.pages)
    for mark in annotations:
        if not 1 <= mark.page <= pages:
            continue
        try:
            built = _build(mark)
        except (TypeError, ValueError, KeyError, IndexError) as error:
            log.warning("annotation on page %s (%s) left out of the copy: %r",
                        mark.page, mark.kind, error)
            continue
        if built is None:
            continue
        annotation, appearance = built
        # Streams must be indirect objects; pypdf has no public call that makes one.
        annotation[NameObject("/AP")] = DictionaryObject(
            {NameObject("/N"): writer._add_object(appearance)}
        )
        writer.add_annotation(mark.page - 1, annotation)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _build(mark: Mark) -> tuple[DictionaryObject, DecodedStreamObject] | None:
    if mark.kind == "highlight":
        built = _highlight(mark.data)
    elif mark.kind == "ink":
        built = _ink(mark.data)
    elif mark.kind == "note":
        built = _note(mark.data)
    else:
        return None
    annotation, _ = built
    stamp = _pdf_date(mark.created)
    annotation[NameObject("/Type")] = NameObject("/Annot")
    annotation[NameObject("/T")] = TextStringObject(_nfc(mark.author))
    annotation[NameObject("/M")] = TextStringObject(stamp)
    annotation[NameObject("/CreationDate")] = TextStringObject(stamp)
    return built


def _highlight(data: Mapping[str, Any]) -> tuple[DictionaryObject, DecodedStreamObject]:
    rects = [_rect(r) for r in data["rects"]]
    if not rects:
        raise ValueError("a highlight needs at least one rectangle")
    colour = _colour(data.get("color"), "highlight")
    # Acrobat's order, which every viewer follows: top left, top right, bottom left, bottom right.
    quads: list[float] = []
    for x1, y1, x2, y2 in rects:
        quads += [x1, y2, x2, y2, x1, y1, x2, y1]
    box = _bounds(rects)
    annotation = Highlight(
        rect=box, quad_points=ArrayObject(FloatObject(v) for v in quads),
        highlight_color=_hex(colour),
    )
    text = data.get("text")
    if isinstance(text, str) and text:
        annotation[NameObject("/Contents")] = TextStringObject(_nfc(text))
    annotation.flags = AnnotationFlag.PRINT
    ops = [f"{_rg(colour)} rg"]
    ops += [f"{_n(x1)} {_n(y1)} {_n(x2 - x1)} {_n(y2 - y1)} re" for x1, y1, x2, y2 in rects]
    ops.append("f")
    blend = DictionaryObject({
        NameObject("/Type"): NameObject("/ExtGState"),
        NameObject("/BM"): NameObject("/Multiply"),
    })
    return annotation, _form(box, ["/GS0 gs", *ops], {"/ExtGState": {"/GS0": blend}})


def _ink(data: Mapping[str, Any]) -> tuple[DictionaryObject, DecodedStreamObject]:
    strokes = [[_point(p) for p in stroke] for stroke in data["strokes"]]
    strokes = [s for s in strokes if s]
    if not strokes:
        raise ValueError("an ink mark needs at least one point")
    colour = _colour(data.get("color"), "ink")
    width = _width(data.get("width"))
    points = [p for s in strokes for p in s]
    half = width / 2 + 1
    box = (min(x for x, _ in points) - half, min(y for _, y in points) - half,
           max(x for x, _ in points) + half, max(y for _, y in points) + half)
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Ink"),
        NameObject("/Rect"): RectangleObject(box),
        NameObject("/InkList"): ArrayObject(
            ArrayObject(FloatObject(v) for p in s for v in p) for s in strokes
        ),
        NameObject("/C"): _array(colour),
        NameObject("/BS"): DictionaryObject({
            NameObject("/Type"): NameObject("/Border"),
            NameObject("/W"): FloatObject(width),
            NameObject("/S"): NameObject("/S"),
        }),
        NameObject("/F"): NumberObject(AnnotationFlag.PRINT),
    })
    # Round caps and joins, so a one-point stroke (a tap) still shows as a dot.
    ops = [f"{_rg(colour)} RG", f"{_n(width)} w", "1 J", "1 j"]
    for stroke in strokes:
        (x0, y0), rest = stroke[0], stroke[1:] or stroke[:1]
        ops.append(f"{_n(x0)} {_n(y0)} m")
        ops += [f"{_n(x)} {_n(y)} l" for x, y in rest]
        ops.append("S")
    return annotation, _form(box, ops, {})


def _note(data: Mapping[str, Any]) -> tuple[DictionaryObject, DecodedStreamObject]:
    x, y = _point((data["x"], data["y"]))
    text = data["text"]
    if not isinstance(text, str):
        raise TypeError("a note's text must be a string")
    colour = _colour(data.get("color"), "note")
    # The point is where the delegate clicked: the icon hangs from it, as in PDF.js.
    box = (x, y - NOTE_SIZE, x + NOTE_SIZE, y)
    annotation = Text(rect=box, text=_nfc(text))
    # pypdf's Text writes its flags under /Flags; viewers read /F.
    del annotation[NameObject("/Flags")]
    annotation[NameObject("/Name")] = NameObject("/Comment")
    annotation[NameObject("/C")] = _array(colour)
    annotation.flags = AnnotationFlag.PRINT | AnnotationFlag.NO_ZOOM | AnnotationFlag.NO_ROTATE
    s = NOTE_SIZE
    ops = [
        # A square sheet in the note's colour with a dark edge, and three lines of "text".
        f"{_rg(colour)} rg 0.25 0.25 0.25 RG 1 w",
        f"{_n(x + 1.5)} {_n(y - s + 1.5)} {_n(s - 3)} {_n(s - 3)} re B",
        "0.5 w",
    ]
    for i in range(3):
        ly = y - 6 - 4 * i
        ops.append(f"{_n(x + 5)} {_n(ly)} m {_n(x + s - 5)} {_n(ly)} l S")
    return annotation, _form(box, ops, {})


def _form(box: Box, ops: Iterable[str],
          resources: Mapping[str, Mapping[str, DictionaryObject]]) -> DecodedStreamObject:
    """A form XObject in the same space as the annotation's /Rect (identity /Matrix)."""
    stream = DecodedStreamObject()
    stream.set_data(("\n".join(ops) + "\n").encode("ascii"))
    stream[NameObject("/Type")] = NameObject("/XObject")
    stream[NameObject("/Subtype")] = NameObject("/Form")
    stream[NameObject("/BBox")] = RectangleObject(box)
    stream[NameObject("/Resources")] = DictionaryObject({
        NameObject(kind): DictionaryObject({NameObject(k): v for k, v in entries.items()})
        for kind, entries in resources.items()
    })
    return stream


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _point(value: Sequence[Any]) -> tuple[float, float]:
    x, y = value
    return _number(x), _number(y)


def _rect(value: Sequence[Any]) -> Box:
    x1, y1, x2, y2 = (_number(v) for v in value)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _bounds(rects: Sequence[Box]) -> Box:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


def _width(value: Any) -> float:
    try:
        width = _number(value)
    except (TypeError, ValueError):
        return DEFAULT_INK_WIDTH
    return min(width, MAX_INK_WIDTH) if width > 0 else DEFAULT_INK_WIDTH


def _colour(value: Any, kind: str) -> Colour:
    text = value if isinstance(value, str) and _HEX.fullmatch(value) else DEFAULT_COLOURS[kind]
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def _hex(colour: Colour) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colour)


def _array(colour: Colour) -> ArrayObject:
    return ArrayObject(FloatObject(round(c, 4)) for c in colour)


def _rg(colour: Colour) -> str:
    return " ".join(_n(c) for c in colour)


def _n(value: float) -> str:
    """A number as a content stream wants it: no exponent, no needless zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _pdf_date(moment: datetime) -> str:
    """``D:YYYYMMDDHHmmSS+HH'mm'``, in the moment's own offset (PDF 32000-1, 7.9.4)."""
    offset = moment.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{hours:02d}'{rest:02d}'"
