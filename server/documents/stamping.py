"""Confidential copies: every page stamped with who downloaded it, and when.

A confidential paper (tài liệu mật) is never served as uploaded. Each download
is a fresh copy whose every page carries the reader's full name, unit and the
time of download in Vietnam time, twice: large and faint across the page, where
cropping it out ruins the page, and as one plain line at the foot, which stays
readable on a photocopy and is what a text extractor finds. A leaked copy thus
names its reader. The copy is made per reader and per request and never
cached or shared, so two readers can never receive each other's copy.

The stamp is drawn with reportlab (the embedded serif font has every Vietnamese
letter) on one overlay page per distinct page size, and merged under pypdf onto
each page after moving any ``/Rotate`` into the content, so the stamp reads
upright as the page is shown. reportlab's font subsetting is not thread-safe,
so drawing holds :data:`render_lock`; merging does not need it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..fonts import register_serif, render_lock
from ..i18n import translate
from ..pages import VIETNAM, WEEKDAYS

FOOT_SIZE = 7.5
MARGIN = 14


@dataclass(frozen=True)
class Stamp:
    full_name: str
    unit: str
    at: datetime  # aware; shown in Vietnam time

    def when(self) -> str:
        local = self.at.astimezone(VIETNAM)
        return translate("vi", "time.datetime", time=f"{local:%H:%M:%S}",
                         date=f"{local:%d/%m/%Y}",
                         weekday=translate("vi", f"weekday.{WEEKDAYS[local.weekday()]}"))

    def line(self) -> str:
        return translate("vi", "documents.stamp.line", name=self.full_name,
                         unit=self.unit or translate("vi", "documents.stamp.no_unit"),
                         time=self.when())


def _overlay(sizes: list[tuple[float, float]], stamp: Stamp) -> bytes:
    """One page per size, each with the stamp laid out for that size."""
    family = register_serif()
    bold = f"{family}-Bold"
    buffer = BytesIO()
    with render_lock:
        canvas = Canvas(buffer, pagesize=sizes[0], invariant=True)
        for width, height in sizes:
            canvas.setPageSize((width, height))
            _draw(canvas, width, height, stamp, family, bold)
            canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _draw(c: Canvas, width: float, height: float, stamp: Stamp, family: str,
          bold: str) -> None:
    line = stamp.line()
    size = FOOT_SIZE
    while size > 4 and stringWidth(line, family, size) > width - 2 * MARGIN:
        size -= 0.5
    c.setFillColor(colors.Color(0.55, 0.05, 0.05), alpha=0.85)
    c.setFont(family, size)
    c.drawCentredString(width / 2, MARGIN * 0.6, line)
    c.drawCentredString(width / 2, height - MARGIN, line)
    # Across the page, faint: the name and the time, as large as the diagonal allows.
    diagonal = (width ** 2 + height ** 2) ** 0.5
    big = f"{stamp.full_name} · {stamp.at.astimezone(VIETNAM):%d/%m/%Y %H:%M}"
    big_size = min(44.0, 0.6 * diagonal / max(1.0, stringWidth(big, bold, 1)))
    c.saveState()
    c.setFillColor(colors.Color(0.6, 0.1, 0.1), alpha=0.13)
    c.translate(width / 2, height / 2)
    c.rotate(_angle(width, height))
    c.setFont(bold, big_size)
    c.drawCentredString(0, -big_size / 3, big)
    c.restoreState()


def _angle(width: float, height: float) -> float:
    return math.degrees(math.atan2(height, width))


def stamp_pdf(source: Path | bytes, stamp: Stamp) -> bytes:
    """A stamped copy of the PDF at ``source`` for one reader (blocking: run in an executor)."""
    reader = PdfReader(source if isinstance(source, Path) else BytesIO(source))
    writer = PdfWriter(clone_from=reader)
    boxes = []
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.cropbox
        boxes.append((float(box.left), float(box.bottom), float(box.width), float(box.height)))
    sizes = sorted({(round(w, 2), round(h, 2)) for _, _, w, h in boxes})
    overlay = PdfReader(BytesIO(_overlay(sizes, stamp)))
    by_size = dict(zip(sizes, overlay.pages, strict=True))
    for page, (left, bottom, width, height) in zip(writer.pages, boxes, strict=True):
        layer = by_size[(round(width, 2), round(height, 2))]
        page.merge_transformed_page(layer, Transformation().translate(left, bottom))
    writer.add_metadata({"/Subject": stamp.line()})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
