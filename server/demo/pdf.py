"""The demo documents as A4 PDFs, drawn with reportlab.

PDFs are made here rather than kept in the repository: no binaries in Git, and
they exercise what real documents need (an embedded serif font with every
Vietnamese letter, several pages, a table). They are built with ``invariant``
set, so the bytes, and therefore the SHA-256 names in the document store, are
the same on every load. Rendering blocks, so the loader runs it in threads, and
:func:`render_pdf` caches its result because the tests load the demo many times
in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..fonts import register_serif, render_lock
from .documents import DemoDocument, Figures, Heading


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


@cache
def render_pdf(document: DemoDocument) -> RenderedPdf:
    """The document as an A4 PDF (blocking; cached, as the tests load the demo many times)."""
    with render_lock:
        return _render(document)


def _render(document: DemoDocument) -> RenderedPdf:
    family = register_serif()
    styles = _styles(family)
    buffer = BytesIO()
    # Margins and sizes after Nghị định 30/2020/NĐ-CP; the initial font is set so that
    # no unembedded Helvetica is referenced by the page set-up.
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
        bottomMargin=20 * mm, title=document.title, author="UBND tỉnh Lâm Sơn (dữ liệu mẫu)",
        creator="Phòng Họp", lang="vi-VN", invariant=True, initialFontName=family,
        initialFontSize=13)
    story = [_heading_block(document, styles), *_title_block(document, styles),
             *_body(document, styles, pdf.width), _closing(document, styles)]

    def number_page(canvas: Canvas, _doc: object) -> None:
        canvas.setFont(family, 13)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(canvas.getPageNumber()))

    pdf.build(story, onLaterPages=number_page)
    return RenderedPdf(buffer.getvalue(), pdf.page)


def _styles(family: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=family, fontSize=13, leading=17,
                          alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=6)
    return {
        "body": base,
        "heading": ParagraphStyle("heading", base, firstLineIndent=10 * mm, spaceBefore=4),
        "centre": ParagraphStyle("centre", base, alignment=TA_CENTER, firstLineIndent=0,
                                 spaceAfter=0, leading=16),
        "small": ParagraphStyle("small", base, fontSize=11, leading=13, firstLineIndent=0,
                                spaceAfter=0, alignment=0),
        "cell": ParagraphStyle("cell", base, fontSize=11, leading=13, firstLineIndent=0,
                               spaceAfter=0, alignment=0),
        "figure": ParagraphStyle("figure", base, fontSize=11, leading=13, firstLineIndent=0,
                                 spaceAfter=0, alignment=TA_CENTER),
        "caption": ParagraphStyle("caption", base, fontSize=12, firstLineIndent=0,
                                  alignment=TA_RIGHT, keepWithNext=1),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _heading_block(document: DemoDocument, styles: dict[str, ParagraphStyle]) -> Table:
    centre = styles["centre"]
    left = [_p("UBND TỈNH LÂM SƠN", centre), _p(f"<b>{escape(document.agency)}</b>", centre),
            _rule(), _p(escape(document.number), centre)]
    right = [_p("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", ParagraphStyle(
                 "motto", centre, fontSize=12)),
             _p("<b><u>Độc lập - Tự do - Hạnh phúc</u></b>", centre), Spacer(0, 6),
             _p(f"<i>{escape(document.dated)}</i>", centre)]
    return _table([[left, right]], [62 * mm, 103 * mm], centre.fontName,
                  ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                  ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                  # Flowables in a cell follow the cell's alignment, not their own hAlign.
                  ("ALIGN", (0, 0), (-1, -1), "CENTER"))


def _table(rows: list[list[Any]], widths: list[float], family: str, *commands: tuple[Any, ...],
           repeat_rows: int = 0) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=repeat_rows)
    # Without a font of its own the table style names Helvetica, which then lands in
    # the PDF unembedded even though every cell is a Paragraph in our font.
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), family), *commands]))
    return table


def _title_block(document: DemoDocument, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    centre = styles["centre"]
    blocks: list[Flowable] = [
        Spacer(0, 10 * mm),
        _p(f"<b>{escape(document.kind)}</b>", ParagraphStyle("kind", centre, fontSize=14)),
        _p(f"<b>{escape(document.subject)}</b>", centre), Spacer(0, 6 * mm)]
    if document.addressee:
        blocks += [_p(f"Kính gửi: {escape(document.addressee)}", centre), Spacer(0, 4 * mm)]
    return blocks


def _body(
    document: DemoDocument, styles: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    story: list[Flowable] = []
    for block in document.body:
        if isinstance(block, Figures):
            story += _figures_table(block, styles, width)
        elif isinstance(block, Heading):
            story.append(_p(f"<b>{escape(block)}</b>", styles["heading"]))
        else:
            story.append(_p(escape(block), styles["body"]))
    return story


def _figures_table(
    figures: Figures, styles: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    columns = len(figures.header)
    other = min(28 * mm, width * 0.66 / (columns - 1))
    header = [_p(f"<b>{escape(h)}</b>", styles["figure"]) for h in figures.header]
    rows: list[list[Paragraph]] = [header]
    for i, row in enumerate(figures.rows):
        wrap = "<b>{}</b>" if i in figures.bold_rows else "{}"
        rows.append([_p(wrap.format(escape(cell)), styles["cell" if c == 0 else "figure"])
                     for c, cell in enumerate(row)])
    table = _table(rows, [width - other * (columns - 1)] + [other] * (columns - 1),
                   styles["cell"].fontName,
                   ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), repeat_rows=1)
    caption = _p(f"<i>{escape(figures.caption)}</i>", styles["caption"])
    return [caption, table, Spacer(0, 4 * mm)]


def _closing(document: DemoDocument, styles: dict[str, ParagraphStyle]) -> Table:
    small, centre = styles["small"], styles["centre"]
    copies = [_p("<b><i>Nơi nhận:</i></b>", small),
              *(_p(f"- {escape(line)}", ParagraphStyle("copy", small, fontSize=10))
                for line in document.copies_to)]
    signature = [_p("<b>GIÁM ĐỐC</b>", centre), Spacer(0, 4 * mm), _p("<i>(Đã ký)</i>", centre),
                 Spacer(0, 10 * mm), _p(f"<b>{escape(document.signer)}</b>", centre)]
    return _table([[copies, signature]], [85 * mm, 80 * mm], centre.fontName,
                  ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 8 * mm))


def _rule() -> HRFlowable:
    """The short line under the issuing agency's name (Nghị định 30/2020, Phụ lục I)."""
    return HRFlowable(width="40%", thickness=0.6, color=colors.black, spaceBefore=1,
                      spaceAfter=3, hAlign="CENTER")
