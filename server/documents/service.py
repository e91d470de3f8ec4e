"""The rules of documents: create, version, change, delete, name readers.

Plain async functions over a session and checked values; they know nothing of
HTTP or of files (the bytes are in the store before these run). An ended or
archived meeting's documents stay as they were, like the rest of its record.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import EllipsisType

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..meetings.access import MeetingAccess
from ..meetings.errors import UnknownReference
from ..meetings.models import AgendaItem, Participant
from ..meetings.service import ensure_editable, nfc
from .access import DocumentGrant
from .errors import ReaderNotParticipant
from .models import Document, DocumentAccess, DocumentReader, DocumentVersion


@dataclass(frozen=True)
class NewVersion:
    """A checked file already in the store."""

    filename: str
    sha256: str
    size: int
    pages: int
    source_filename: str = ""
    source_sha256: str | None = None


async def _check_item(db: AsyncSession, meeting_id: int, item_id: int | None) -> None:
    if item_id is None:
        return
    item = await db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise UnknownReference(what_key="meetings.what_agenda_item", id=item_id)


async def _next_position(db: AsyncSession, meeting_id: int, item_id: int | None) -> int:
    where = (Document.agenda_item_id.is_(None) if item_id is None
             else Document.agenda_item_id == item_id)
    last = await db.scalar(select(func.max(Document.position))
                           .where(Document.meeting_id == meeting_id, where))
    return (last or 0) + 1


def _version(number: int, new: NewVersion, user: User) -> DocumentVersion:
    return DocumentVersion(
        number=number, filename=new.filename, sha256=new.sha256, size=new.size,
        pages=new.pages, source_filename=new.source_filename,
        source_sha256=new.source_sha256, uploaded_by_id=user.id)


async def create_document(
    db: AsyncSession, access: MeetingAccess, *, title: str, agenda_item_id: int | None,
    kind: DocumentAccess, first: NewVersion,
) -> Document:
    ensure_editable(access.meeting)
    meeting_id = access.meeting.id
    await _check_item(db, meeting_id, agenda_item_id)
    document = Document(
        meeting_id=meeting_id, agenda_item_id=agenda_item_id, title=nfc(title),
        access=kind, position=await _next_position(db, meeting_id, agenda_item_id),
        versions=[_version(1, first, access.user)])
    db.add(document)
    await db.flush()
    return document


async def add_version(db: AsyncSession, grant: DocumentGrant, new: NewVersion) -> DocumentVersion:
    """A new current version; the earlier ones stay readable at their own URLs."""
    ensure_editable(grant.meeting.meeting)
    document = grant.document
    version = _version(document.current.number + 1, new, grant.meeting.user)
    document.versions.append(version)
    await db.flush()
    return version


@dataclass(frozen=True)
class Changes:
    """Fields of a PATCH; ``...`` (Ellipsis) means "not sent"."""

    title: str | None = None
    agenda_item_id: int | None | EllipsisType = ...
    access: DocumentAccess | None = None
    position: int | None = None


async def update_document(db: AsyncSession, grant: DocumentGrant, changes: Changes) -> Document:
    ensure_editable(grant.meeting.meeting)
    document = grant.document
    if changes.title is not None:
        document.title = nfc(changes.title)
    if changes.agenda_item_id is not ...:
        item_id = changes.agenda_item_id
        await _check_item(db, document.meeting_id, item_id)
        if item_id != document.agenda_item_id:
            document.agenda_item_id = item_id
            if changes.position is None:
                document.position = await _next_position(db, document.meeting_id, item_id)
    if changes.access is not None:
        document.access = changes.access
    if changes.position is not None:
        document.position = changes.position
    await db.flush()
    return document


async def delete_document(db: AsyncSession, grant: DocumentGrant) -> None:
    """The rows go; the bytes stay in the store, where other versions or meetings (copies
    of a weekly meeting) may share them."""
    ensure_editable(grant.meeting.meeting)
    await db.delete(grant.document)
    await db.flush()


async def readers_of(db: AsyncSession, document_id: int) -> list[int]:
    return list(await db.scalars(
        select(DocumentReader.participant_id).where(DocumentReader.document_id == document_id)
        .order_by(DocumentReader.participant_id)))


async def set_readers(db: AsyncSession, grant: DocumentGrant, participant_ids: list[int]) -> None:
    """Replace the named readers; every one must be a participant of the same meeting."""
    ensure_editable(grant.meeting.meeting)
    wanted = set(participant_ids)
    found = set(await db.scalars(select(Participant.id).where(
        Participant.meeting_id == grant.document.meeting_id, Participant.id.in_(wanted))))
    missing = sorted(wanted - found)
    if missing:
        raise ReaderNotParticipant(ids=", ".join(map(str, missing)))
    await db.execute(delete(DocumentReader)
                     .where(DocumentReader.document_id == grant.document.id))
    db.add_all(DocumentReader(document_id=grant.document.id, participant_id=p)
               for p in sorted(wanted))
    await db.flush()


async def documents_of(db: AsyncSession, meeting_id: int) -> list[Document]:
    return list(await db.scalars(
        select(Document).where(Document.meeting_id == meeting_id)
        .order_by(Document.agenda_item_id.is_(None), Document.position, Document.id)))
