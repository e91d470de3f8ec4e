"""What a minutes (biên bản) says, as plain values: the boundary between the record
and the PDF.

:mod:`.draft` builds a :class:`MinutesDocument` from the meeting's record and the
secretary's edits; :mod:`.render` lays it out in the form of Nghị định
30/2020/NĐ-CP, Phụ lục I, mẫu 1.9 and says where the signature boxes are;
:mod:`.signing` creates the signature fields there and signs. Nothing here knows
of the database or of reportlab.

Text is Unicode NFC. A paragraph's text may carry simple formatting, the only
kind the secretary's editor offers: ``**bold**`` and ``*italic*``; everything
else is literal text (no HTML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SignerRole(StrEnum):
    CHAIR = "chair"            # CHỦ TỌA: signs first, certifies the document
    SECRETARY = "secretary"    # THƯ KÝ: signs second
    SEAL = "seal"              # the organisation's seal: last, with a document timestamp


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Heading:
    """A numbered part of the content, e.g. "1. Báo cáo tình hình kinh tế – xã hội"."""

    text: str


@dataclass(frozen=True)
class VoteRow:
    label: str        # "Tán thành", or a candidate's name
    votes: int
    share: str        # "61,9%" of the poll's base, formatted by the draft


@dataclass(frozen=True)
class VoteTable:
    """One poll's result: its title, a row per option, and the sentence that says what
    was decided ("Thông qua với 13/21 thành viên tán thành (61,9%)")."""

    title: str
    rows: list[VoteRow]
    outcome: str


Block = Paragraph | Heading | VoteTable


@dataclass(frozen=True)
class Signature:
    role: SignerRole
    title: str        # "THƯ KÝ", "CHỦ TỌA"
    name: str         # printed under the signature


@dataclass(frozen=True)
class MinutesDocument:
    parent_agency: str     # "UBND TỈNH …" (capitals, regular); "" when none
    agency: str            # the issuing agency (capitals, bold): "VĂN PHÒNG UBND TỈNH …"
    number: str            # "Số: 12/BB-UBND" as printed
    meeting_name: str      # the line under "BIÊN BẢN"
    blocks: list[Block]    # the body, in order (time, place, participants, … the content)
    closing: str           # "Cuộc họp kết thúc vào 11 giờ 30 phút, ngày … /."
    signatures: list[Signature]        # secretary (left) and chair (right)
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:" lines, "Lưu: VT, …" last


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in PDF points from the bottom left (page 1-based)."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RenderedMinutes:
    pdf: bytes
    pages: int
    # Where each signer's visible signature goes (the seal's box overlaps the chair's
    # left third, as the decree's appendix shows the red seal over the signature).
    boxes: dict[SignerRole, Box]
