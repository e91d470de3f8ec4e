"""The minutes as a PDF in the form of Nghị định 30/2020/NĐ-CP, Phụ lục I, mẫu 1.9
("Biên bản"), and where on it the signatures go.

:func:`render_minutes` is pure and blocking (the caller runs it in an executor): a
:class:`MinutesDocument` in, the PDF and the signature boxes out. The layout is the
decree's: A4; the agencies on the left and Quốc hiệu with Tiêu ngữ on the right,
each with its rule; "Số: …/BB-…"; "BIÊN BẢN" and the meeting's name; the body at
13 pt, justified, first lines indented; page numbers top centre from page 2; the
closing line, THƯ KÝ on the left and CHỦ TỌA on the right, kept on one page with
the closing line; "Nơi nhận:" below them on the left, as the form places it.

The signature boxes are not computed from constants: each is an empty flowable
that records where it was drawn (page and absolute position), so they follow the
layout whatever the body's length. The signer puts each visible signature field
there; the seal's box covers the chair's left third, as the decree's appendix
shows the red seal over the signature.

Text is user input. Everything is escaped before it reaches reportlab's paragraph
markup, and only the editor's ``**bold**`` and ``*italic*`` become tags, each run
wrapped on its own so that crossed markers can never make unbalanced markup. Text
is NFC and hyphenation is off, so ``pdftotext`` gives back what was written.
The output is ``invariant`` (no creation date, a fixed ID): the bytes depend on
the document only, so a version renders to the same PDF every time; the times
that count are the signatures'.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph

from ..fonts import register_serif, render_lock
from .document import (
    Block,
    Box,
    Heading,
    MinutesDocument,
    Paragraph,
    RenderedMinutes,
    Signature,
    SignerRole,
    VoteTable,
)

# Margins of the text area, inside the decree's ranges (top and bottom 20–25 mm, left
# 30–35 mm, right 15–20 mm) with 2 mm to spare, so that accents above capitals and
# descenders stay within the minimum.
TOP, BOTTOM, LEFT, RIGHT = 22 * mm, 22 * mm, 32 * mm, 17 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
TITLE = "BIÊN BẢN"
RECIPIENTS = "Nơi nhận:"

SIGNATURE_HEIGHT = 30 * mm     # the empty space for the handwritten signature's image
SIGNATURE_WIDTH = 70 * mm
# Left to right: the secretary, then the chair (mẫu 1.9).
_COLUMN_ORDER = {SignerRole.SECRETARY: 0, SignerRole.CHAIR: 1, SignerRole.SEAL: 2}


def render_minutes(doc: MinutesDocument) -> RenderedMinutes:
    """The minutes as an A4 PDF in the decree's layout, with its signature boxes."""
    family = register_serif()
    # reportlab's font subsetting is shared by every document using the font.
    with render_lock:
        return _render(doc, family)


def _render(doc: MinutesDocument, family: str) -> RenderedMinutes:
    styles = _styles(family)
    boxes: dict[SignerRole, Box] = {}
    buffer = BytesIO()
    template = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP,
        bottomMargin=BOTTOM, title=_clean(doc.meeting_name), author=_clean(doc.agency),
        subject="Biên bản", creator="Phòng Họp", lang="vi", invariant=True,
        # Without these the page set-up names Helvetica, which then appears unembedded.
        initialFontName=family, initialFontSize=13)
    frame = Frame(LEFT, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def number_page(canvas: Canvas, _doc: object) -> None:
        page = canvas.getPageNumber()
        if page > 1:
            canvas.setFont(family, 13)
            canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 13 * mm, str(page))

    template.addPageTemplates([PageTemplate("minutes", [frame], onPage=number_page)])
    story = [
        _header(doc, styles, family),
        Spacer(0, 8 * mm),
        RLParagraph(TITLE, styles["title"]),
        RLParagraph(escape(_clean(doc.meeting_name)), styles["title"]),
        Spacer(0, 6 * mm),
        *(flowable for block in doc.blocks for flowable in _block(block, styles, family)),
        KeepTogether([
            RLParagraph(_inline(doc.closing), styles["body"]),
            Spacer(0, 2 * mm),
            _signatures(doc.signatures, styles, family, boxes.__setitem__),
            *_recipients(doc.recipients, styles, family),
        ]),
    ]
    template.build(story)
    if SignerRole.CHAIR in boxes:
        boxes[SignerRole.SEAL] = _seal_box(boxes[SignerRole.CHAIR])
    return RenderedMinutes(pdf=buffer.getvalue(), pages=template.page, boxes=boxes)


def _styles(family: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=family, fontSize=13, leading=17, alignment=TA_JUSTIFY,
        firstLineIndent=12.7 * mm, spaceAfter=6,
        # Words are never hyphenated: the extracted text must equal the written one.
        hyphenationLang="", embeddedHyphenation=0, uriWasteReduce=0)
    centre = ParagraphStyle("centre", body, alignment=TA_CENTER, firstLineIndent=0,
                            spaceAfter=0, leading=16)
    # Agency names at 12 pt (the decree allows 12–13): they share the line with Quốc hiệu.
    parent = ParagraphStyle("parent", centre, fontSize=12, leading=15)
    return {
        "body": body,
        "heading": ParagraphStyle("heading", body, fontName=f"{family}-Bold",
                                  spaceBefore=3, keepWithNext=1),
        "caption": ParagraphStyle("caption", body, keepWithNext=1),
        "centre": centre,
        "parent": parent,
        "agency": ParagraphStyle("agency", parent, fontName=f"{family}-Bold"),
        "quoc_hieu": ParagraphStyle("quoc_hieu", centre, fontName=f"{family}-Bold",
                                    fontSize=12),
        "tieu_ngu": ParagraphStyle("tieu_ngu", centre, fontName=f"{family}-Bold"),
        "title": ParagraphStyle("title", centre, fontName=f"{family}-Bold", fontSize=14,
                                leading=18),
        "signer": ParagraphStyle("signer", centre, fontName=f"{family}-Bold"),
        "cell": ParagraphStyle("cell", body, fontSize=12, leading=15, firstLineIndent=0,
                               spaceAfter=0, alignment=TA_LEFT),
        "number": ParagraphStyle("number", body, fontSize=12, leading=15, firstLineIndent=0,
                                 spaceAfter=0, alignment=TA_CENTER),
        "recipients": ParagraphStyle("recipients", body, fontName=f"{family}-BoldItalic",
                                     fontSize=12, leading=14, firstLineIndent=0, spaceAfter=0,
                                     alignment=TA_LEFT),
        "recipient": ParagraphStyle("recipient", body, fontSize=11, leading=13,
                                    firstLineIndent=0, spaceAfter=0, alignment=TA_LEFT),
    }


# --- text ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MARKER = re.compile(r"\*\*|\*")


def _clean(text: str) -> str:
    """NFC, with line ends as "\\n", tabs as spaces and no other control characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text.replace("\t", " "))


def _inline(text: str) -> str:
    """Paragraph markup for the editor's text: ``**bold**`` and ``*italic*``, all else literal.

    A marker counts when it can open (a non-space follows) or close (a non-space
    precedes) and has a partner of the same kind; any other asterisk is printed.
    Each run of text is escaped and wrapped in its own tags, so the markup is
    always balanced however the markers cross.
    """
    text = _clean(text)
    markers = list(_MARKER.finditer(text))
    paired: set[int] = set()
    for kind in ("**", "*"):
        opened: int | None = None
        for i, m in enumerate(markers):
            if m.group() != kind:
                continue
            can_open = m.end() < len(text) and not text[m.end()].isspace()
            can_close = m.start() > 0 and not text[m.start() - 1].isspace()
            if opened is not None and can_close:
                paired |= {opened, i}
                opened = None
            elif can_open:
                opened = i
    out: list[str] = []
    bold = italic = False
    position = 0

    def emit(run: str) -> None:
        if not run:
            return
        run = escape(run).replace("\n", "<br/>")
        if italic:
            run = f"<i>{run}</i>"
        if bold:
            run = f"<b>{run}</b>"
        out.append(run)

    for i, m in enumerate(markers):
        if i not in paired:
            continue
        emit(text[position:m.start()])
        position = m.end()
        if m.group() == "**":
            bold = not bold
        else:
            italic = not italic
    emit(text[position:])
    return "".join(out)


def _plain(text: str, style: ParagraphStyle) -> RLParagraph:
    return RLParagraph(escape(_clean(text)).replace("\n", "<br/>"), style)


# --- header -------------------------------------------------------------------------

def _header(doc: MinutesDocument, styles: dict[str, ParagraphStyle], family: str) -> Table:
    """Agencies and "Số" on the left, Quốc hiệu and Tiêu ngữ on the right, with their rules."""
    quoc_hieu, tieu_ngu = styles["quoc_hieu"], styles["tieu_ngu"]
    # The right column is as wide as Quốc hiệu needs on one line; the left has the rest.
    right_width = stringWidth(QUOC_HIEU, quoc_hieu.fontName, quoc_hieu.fontSize) + 4 * mm
    left_width = TEXT_WIDTH - right_width
    left: list[Flowable] = []
    if doc.parent_agency.strip():
        left.append(_plain(doc.parent_agency.upper(), styles["parent"]))
    left += [_plain(doc.agency.upper(), styles["agency"]), _rule("33%")]
    motto_width = stringWidth(TIEU_NGU, tieu_ngu.fontName, tieu_ngu.fontSize)
    right = [RLParagraph(QUOC_HIEU, quoc_hieu), RLParagraph(TIEU_NGU, tieu_ngu),
             _rule(motto_width)]
    number = _plain(doc.number, ParagraphStyle("number", styles["centre"], spaceBefore=3))
    return _table([[left, right], [number, ""]], [left_width, right_width], family,
                  ("VALIGN", (0, 0), (-1, -1), "TOP"),
                  ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                  ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                  ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0))


def _rule(width: float | str) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color=colors.black, spaceBefore=1,
                      spaceAfter=2, hAlign="CENTER")


def _table(rows: list[list[Any]], widths: list[float], family: str,
           *commands: tuple[Any, ...], repeat_rows: int = 0) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=repeat_rows)
    # A table style without a font of its own names Helvetica, which then lands in the
    # PDF unembedded even though every cell is a paragraph in our font.
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), family), *commands]))
    return table


# --- body ---------------------------------------------------------------------------

def _block(block: Block, styles: dict[str, ParagraphStyle], family: str) -> list[Flowable]:
    if isinstance(block, Paragraph):
        return [RLParagraph(_inline(block.text), styles["body"])]
    if isinstance(block, Heading):
        return [_plain(block.text, styles["heading"])]
    if isinstance(block, VoteTable):
        return [KeepTogether(_vote_table(block, styles, family))]
    raise TypeError(f"not a block of the minutes: {block!r}")


def _vote_table(vote: VoteTable, styles: dict[str, ParagraphStyle],
                family: str) -> list[Flowable]:
    cell, number = styles["cell"], styles["number"]
    bold_cell = ParagraphStyle("bold_cell", cell, fontName=f"{family}-Bold")
    bold_number = ParagraphStyle("bold_number", number, fontName=f"{family}-Bold")
    rows: list[list[Any]] = [[_plain("Phương án", bold_cell), _plain("Số phiếu", bold_number),
                              _plain("Tỷ lệ", bold_number)]]
    rows += [[_plain(row.label, cell), _plain(str(row.votes), number), _plain(row.share, number)]
             for row in vote.rows]
    width = min(TEXT_WIDTH, 130 * mm)
    table = _table(rows, [width - 50 * mm, 25 * mm, 25 * mm], family,
                   ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), repeat_rows=1)
    return [_plain(vote.title, styles["caption"]), table, Spacer(0, 6),
            RLParagraph(_inline(vote.outcome), styles["body"])]


# --- signatures and recipients ------------------------------------------------------

class _SignatureSpace(Flowable):
    """An empty space for a signature that reports where it was drawn."""

    def __init__(self, role: SignerRole, width: float, height: float,
                 record: Callable[[SignerRole, Box], None]) -> None:
        super().__init__()
        self.role, self.width, self.height, self.record = role, width, height, record

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.record(self.role, Box(page=self.canv.getPageNumber(), x1=x, y1=y,
                                   x2=x + self.width, y2=y + self.height))


def _signatures(signatures: list[Signature], styles: dict[str, ParagraphStyle], family: str,
                record: Callable[[SignerRole, Box], None]) -> Table:
    """One row of signature blocks (title, space, name): a table row is never split."""
    ordered = sorted(signatures, key=lambda s: _COLUMN_ORDER.get(s.role, len(_COLUMN_ORDER)))
    columns = max(len(ordered), 2)
    width = TEXT_WIDTH / columns
    cells: list[Any] = [
        [_plain(s.title.upper(), styles["signer"]),
         _SignatureSpace(s.role, min(SIGNATURE_WIDTH, width - 8 * mm), SIGNATURE_HEIGHT, record),
         _plain(s.name, styles["signer"])]
        for s in ordered]
    # A lone chair still signs on the right.
    if len(ordered) == 1 and ordered[0].role == SignerRole.CHAIR:
        cells.insert(0, "")
    cells += [""] * (columns - len(cells))
    return _table([cells], [width] * columns, family,
                  ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                  ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                  ("TOPPADDING", (0, 0), (-1, -1), 4 * mm))


def _seal_box(chair: Box) -> Box:
    """A square as tall as the chair's box, covering its left third and reaching left."""
    side = chair.y2 - chair.y1
    right = chair.x1 + (chair.x2 - chair.x1) / 3
    return Box(page=chair.page, x1=right - side, y1=chair.y1, x2=right, y2=chair.y2)


def _recipients(lines: list[str], styles: dict[str, ParagraphStyle],
                family: str) -> list[Flowable]:
    """"Nơi nhận:" and its entries, at the bottom left under the signatures (mẫu 1.9)."""
    if not lines:
        return []
    entries: list[Flowable] = [RLParagraph(RECIPIENTS, styles["recipients"])]
    for line in lines:
        line = _clean(line).strip()
        entries.append(_plain(line if line.startswith("-") else f"- {line}",
                              styles["recipient"]))
    column = _table([[entries]], [TEXT_WIDTH / 2], family,
                    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0))
    column.hAlign = "LEFT"
    return [Spacer(0, 4 * mm), column]
