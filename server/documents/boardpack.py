"""The board pack: one PDF of a meeting's papers, for reading (or printing) in one go.

It opens with a cover in Vietnamese (organiser, title, number, time, place and
the list of documents), then every document the caller may read, in agenda
order, with a bookmark per agenda item and per document, and page labels, so a
viewer shows "3-12" (document 3, its page 12) as the chair says it aloud.
Confidential documents are never included: they exist only as stamped copies.

Building takes seconds for hundreds of pages, so it is done once per plan and
kept: the plan (cover facts, agenda numbers, each document's title and version
hash) is hashed, and a :class:`BoardPack` row with that hash points to the
merged file in the store. Callers with the same readable set share one pack; a
new version, title or agenda change makes a new plan and a new pack. The build
runs in an executor; concurrent requests for the same plan wait for one build.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..errors import NotFound
from ..fonts import register_serif, render_lock
from ..i18n import translate
from ..meetings.access import MeetingAccess, readable_meeting
from ..meetings.service import remote_rooms
from ..pages import VIETNAM, WEEKDAYS
from .errors import NothingToPack
from .filenames import clean_filename
from .manifest import readable_sections
from .models import BoardPack, DocumentAccess
from .store import DocumentStore


@dataclass(frozen=True)
class PackDocument:
    number: int  # running number in the pack: its pages are labelled "<number>-1", ...
    document_id: int
    title: str
    sha256: str
    pages: int


@dataclass(frozen=True)
class PackSection:
    number: str  # agenda number ("2.1"), "" for the general documents
    title: str
    depth: int
    documents: tuple[PackDocument, ...]


@dataclass(frozen=True)
class PackPlan:
    meeting_id: int
    organiser: str
    title: str
    code: str
    starts_at: str
    place: str
    remote_rooms: tuple[str, ...]
    sections: tuple[PackSection, ...]

    @property
    def key(self) -> str:
        canonical = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def documents(self) -> list[PackDocument]:
        return [d for s in self.sections for d in s.documents]

    @property
    def filename(self) -> str:
        name = (self.code or self.title).replace("/", "-").replace("\\", "-")
        return clean_filename(f"Bộ tài liệu {name}.pdf")


async def plan_for(db: AsyncSession, access: MeetingAccess) -> PackPlan:
    """What the caller's pack holds: their readable, non-confidential documents."""
    meeting = access.meeting
    sections: list[PackSection] = []
    number = 0
    for section in await readable_sections(db, access):
        documents = []
        for document in section.documents:
            if document.access == DocumentAccess.CONFIDENTIAL:
                continue
            number += 1
            current = document.current
            documents.append(PackDocument(number, document.id, document.title,
                                          current.sha256, current.pages))
        sections.append(PackSection(section.number, section.title, section.depth,
                                    tuple(documents)))
    rooms = tuple(r.name for r in await remote_rooms(db, meeting.id))
    return PackPlan(
        meeting_id=meeting.id, organiser=meeting.organiser.name, title=meeting.title,
        code=meeting.code, starts_at=meeting.starts_at.astimezone(UTC).isoformat(),
        place=meeting.hall.name if meeting.hall else "", remote_rooms=rooms,
        sections=tuple(_kept(sections)))


def _kept(sections: list[PackSection]) -> list[PackSection]:
    """Agenda items with documents, and the items above them (for the bookmark tree)."""
    kept: list[PackSection] = []
    for section in reversed(sections):
        if section.documents or section.number and any(
                k.number.startswith(f"{section.number}.") for k in kept):
            kept.append(section)
    return list(reversed(kept))


# --- building (blocking) ------------------------------------------------------------------


def _local(iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(VIETNAM)
    return translate("vi", "time.datetime", time=f"{moment:%H:%M}", date=f"{moment:%d/%m/%Y}",
                     weekday=translate("vi", f"weekday.{WEEKDAYS[moment.weekday()]}"))


def _cover(plan: PackPlan) -> bytes:
    family = register_serif()
    base = ParagraphStyle("base", fontName=family, fontSize=13, leading=17)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    big = ParagraphStyle("big", parent=center, fontName=f"{family}-Bold", fontSize=16,
                         leading=21, spaceBefore=6, spaceAfter=6)
    item = ParagraphStyle("item", parent=base, fontName=f"{family}-Bold", spaceBefore=6)
    entry = ParagraphStyle("entry", parent=base, fontSize=12, leading=15, leftIndent=8 * mm)

    def t(key: str, **params: object) -> str:
        return escape(translate("vi", f"documents.pack.{key}", **params))

    story = [Paragraph(escape(plan.organiser.upper()), center), Spacer(1, 14 * mm),
             Paragraph(t("heading"), big), Paragraph(escape(plan.title), big)]
    if plan.code:
        story.append(Paragraph(t("code", code=plan.code), center))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(t("time", time=_local(plan.starts_at)), base))
    if plan.place:
        story.append(Paragraph(t("place", place=plan.place), base))
    if plan.remote_rooms:
        story.append(Paragraph(t("remote", rooms=", ".join(plan.remote_rooms)), base))
    story += [Spacer(1, 8 * mm), Paragraph(t("contents"), big)]
    for section in plan.sections:
        heading = (f"{section.number}. {section.title}" if section.number
                   else translate("vi", "documents.pack.general"))
        story.append(Paragraph(escape(heading), ParagraphStyle(
            f"item{section.depth}", parent=item, leftIndent=section.depth * 6 * mm)))
        for d in section.documents:
            story.append(Paragraph(t("entry", number=d.number, title=d.title, pages=d.pages,
                                     label=f"{d.number}-1"), entry))
    total = sum(d.pages for d in plan.documents)
    made = _local(datetime.now(UTC).isoformat())
    story += [Spacer(1, 8 * mm), Paragraph(
        t("made", time=made, count=len(plan.documents), pages=total), base)]
    buffer = BytesIO()
    with render_lock:
        SimpleDocTemplate(buffer, pagesize=A4, title=plan.title, leftMargin=25 * mm,
                          rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm
                          ).build(story)
    return buffer.getvalue()


def build_pack(plan: PackPlan, store: DocumentStore) -> tuple[bytes, int]:
    """The merged PDF and its page count (blocking: run in an executor)."""
    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(_cover(plan))))
    cover_pages = len(writer.pages)
    writer.set_page_label(0, cover_pages - 1, style="/r")
    writer.add_outline_item(title=translate("vi", "documents.pack.cover"), page_number=0)
    sections = {s.number: s for s in plan.sections}
    marks: dict[str, Any] = {}

    def mark(number: str, page: int) -> Any:
        # Created when its first page exists, parents first, so the tree keeps agenda order.
        if number not in marks:
            parent_number = number.rpartition(".")[0]
            parent = mark(parent_number, page) if parent_number else None
            title = (f"{number}. {sections[number].title}" if number
                     else translate("vi", "documents.pack.general"))
            marks[number] = writer.add_outline_item(title=title, page_number=page, parent=parent)
        return marks[number]

    for section in plan.sections:
        for d in section.documents:
            start = len(writer.pages)
            writer.append(PdfReader(store.path_for(d.sha256)), import_outline=False)
            writer.set_page_label(start, len(writer.pages) - 1, style="/D",
                                  prefix=f"{d.number}-")
            writer.add_outline_item(title=d.title, page_number=start,
                                    parent=mark(section.number, start))
    writer.add_metadata({"/Title": plan.title})
    writer.page_mode = "/UseOutlines"
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


# --- finding or building ------------------------------------------------------------------

_building: dict[tuple[int, str], asyncio.Lock] = {}


async def board_pack_for(
    db: AsyncSession, access: MeetingAccess, store: DocumentStore
) -> tuple[BoardPack, PackPlan]:
    """The caller's pack, built now if no one has built this plan before."""
    plan = await plan_for(db, access)
    if not plan.documents:
        raise NothingToPack()
    found = await _find(db, plan)
    if found is not None:
        return found, plan
    lock = _building.setdefault((plan.meeting_id, plan.key), asyncio.Lock())
    try:
        async with lock:
            found = await _find(db, plan)
            if found is not None:
                return found, plan
            loop = asyncio.get_running_loop()
            data, pages = await loop.run_in_executor(None, build_pack, plan, store)
            sha256 = await loop.run_in_executor(None, store.put, data)
            pack = BoardPack(meeting_id=plan.meeting_id, manifest_hash=plan.key,
                             sha256=sha256, size=len(data), pages=pages)
            db.add(pack)
            try:
                await db.commit()
            except IntegrityError:
                # Another server process built the same plan at the same moment.
                await db.rollback()
                found = await _find(db, plan)
                if found is None:
                    raise
                return found, plan
            return pack, plan
    finally:
        if not lock.locked():
            _building.pop((plan.meeting_id, plan.key), None)


async def _find(db: AsyncSession, plan: PackPlan) -> BoardPack | None:
    return await db.scalar(select(BoardPack).where(
        BoardPack.meeting_id == plan.meeting_id, BoardPack.manifest_hash == plan.key))


@dataclass(frozen=True)
class PackFile:
    sha256: str
    filename: str


async def pack_file(db: AsyncSession, user: User, meeting_id: int, pack_hash: str) -> PackFile:
    """The pack at ``pack_hash`` if it is the caller's current pack; 404 otherwise, so a
    pack can never show a document to someone who may not read it (any more)."""
    access = await readable_meeting(db, user, meeting_id)
    plan = await plan_for(db, access)
    if plan.key != pack_hash:
        raise NotFound()
    pack = await _find(db, plan)
    if pack is None:
        raise NotFound()
    return PackFile(pack.sha256, plan.filename)
