"""What a signature looks like on the page: drawn with reportlab, placed by pyHanko.

Nghị định 30/2020/NĐ-CP, Phụ lục I: a digital signature shows the signer's
handwritten signature image (blue, transparent PNG) with the name and title, and
the organisation's seal (red) overlapping the left third of the chair's
signature; the time is shown in ISO 8601 with Vietnam's offset, +07:00.

pyHanko can write the text of a stamp itself, but 0.38 misplaces letters with
fonts of 2048 units per em (Liberation Serif, Tinos, DejaVu, i.e. every serif
with all Vietnamese letters), so the appearance is a one-page PDF drawn here
with the same embedded serif as the minutes, and pyHanko imports that page as
the field's appearance stream (a form XObject). Nothing is painted behind the
text, so the seal, drawn over the chair's signature, leaves it visible.
"""

from __future__ import annotations

import binascii
import io
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle

from ..fonts import register_serif, render_lock
from .document import SignerRole

VIETNAM = timezone(timedelta(hours=7), "ICT")
SEAL_RED = (0.78, 0.06, 0.06)
INK = (0.05, 0.05, 0.25)


@dataclass(frozen=True)
class Appearance:
    """What is shown in a signer's box (the certificate says who signed; this shows it)."""

    name: str                       # "Nguyễn Văn An", or the organisation for the seal
    title: str = ""                 # "Chủ tịch UBND tỉnh"
    image_png: bytes | None = field(default=None, repr=False)  # signature or seal, transparent
    signed_at: datetime | None = None   # default: the moment of signing


def vietnam_time(moment: datetime) -> str:
    """``2025-03-14T10:42:05+07:00``: the form shown on the page and in reports."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def _fit(text: str, font: str, largest: float, width: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = stringWidth(text, font, 1.0)
    return min(largest, width / natural) if natural else largest


def draw(appearance: Appearance, role: SignerRole, width: float, height: float,
         moment: datetime) -> bytes:
    """A one-page PDF of ``width`` × ``height`` points with the signature's appearance."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    family = register_serif()
    colour = SEAL_RED if role is SignerRole.SEAL else INK
    lines = [(unicodedata.normalize("NFC", appearance.name), f"{family}-Bold", 10.0)]
    if appearance.title:
        lines.append((unicodedata.normalize("NFC", appearance.title), family, 8.0))
    lines.append((f"Ký số: {vietnam_time(moment)}", family, 7.0))
    margin = 2.0
    usable = width - 2 * margin
    sizes = [_fit(text, font, largest, usable) for text, font, largest in lines]
    text_height = sum(size * 1.2 for size in sizes)
    out = io.BytesIO()
    with render_lock:
        # The initial font is named in every page's stream: ours, or a Helvetica that
        # is never embedded would be listed in the file.
        canvas = Canvas(out, pagesize=(width, height), pageCompression=1,
                        initialFontName=family)
        canvas.setTitle("Signature appearance")
        if appearance.image_png:
            image_height = max(0.0, height - text_height - 2 * margin)
            if image_height > 4:
                canvas.drawImage(ImageReader(io.BytesIO(appearance.image_png)), margin,
                                 margin + text_height, usable, image_height, mask="auto",
                                 preserveAspectRatio=True, anchor="c")
        canvas.setFillColorRGB(*colour)
        y = margin + text_height
        if role is SignerRole.SEAL and not appearance.image_png:
            # Text alone in the middle of the seal's box: over the chair's signature,
            # as the seal is, rather than over the chair's printed lines.
            y = (height + text_height) / 2
        for (text, font, _largest), size in zip(lines, sizes, strict=True):
            y -= size * 1.2
            canvas.setFont(font, size)
            canvas.drawCentredString(width / 2, y + size * 0.25, text)
        canvas.showPage()
        canvas.save()
    return out.getvalue()


class _ImportedPage(content.PdfContent):
    """The first page of a PDF in memory, as a form XObject (pyHanko's own reads a file)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        name = b"/Appearance" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


def stamp_style(page: bytes) -> StaticStampStyle:
    """A pyHanko stamp style showing ``page`` exactly over the field, no border."""
    return StaticStampStyle(
        background=_ImportedPage(page), border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0)))
