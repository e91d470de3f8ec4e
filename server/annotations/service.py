"""Rules of annotations: who sees which, how a batch from a tablet is taken in, and
how notes follow a document to its next version.

A note is seen by its owner (on every device), and, when shared, by those who
may read the document too: everyone in the meeting, or the participants named.
Sharing never opens a document to someone it is closed to. A tablet sends what
it wrote as a batch (offline it piles up); each change is checked on its own, so
one bad note does not cost the others, and each is an upsert by the tablet's
``uid``, so a batch sent twice after a lost answer is stored once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..documents.access import may_read, named_documents
from ..documents.models import Document, DocumentAccess, DocumentReader, DocumentVersion
from ..errors import DomainError, InvalidField
from ..meetings.access import EDITOR_ROLES, MeetingAccess
from ..meetings.models import Participant
from .errors import AnnotationNotYours, PageNotInDocument, UnknownDocument
from .models import Annotation, AnnotationKind, AnnotationReader, Visibility
from .shapes import clean_data

MAX_CHANGES = 500


@dataclass(frozen=True)
class AnnotationChange:
    """One entry of a sync batch, its fields parsed but not yet checked against the record."""

    uid: str
    document_id: int
    version: int
    page: int
    kind: AnnotationKind
    data: Any
    visibility: Visibility
    readers: list[int]
    deleted: bool


@dataclass(frozen=True)
class Outcome:
    uid: str
    annotation: Annotation | None = None
    readers: tuple[int, ...] = ()
    error: DomainError | None = None
    viewers: frozenset[int] = frozenset()
    # Users who saw it before this change and may no longer: they are told it is gone.
    lost_viewers: frozenset[int] = frozenset()


async def readers_of(db: AsyncSession, annotation_ids: list[int]) -> dict[int, list[int]]:
    rows = await db.execute(select(AnnotationReader.annotation_id, AnnotationReader.participant_id)
                            .where(AnnotationReader.annotation_id.in_(annotation_ids)))
    readers: dict[int, list[int]] = {}
    for annotation_id, participant_id in rows:
        readers.setdefault(annotation_id, []).append(participant_id)
    return readers


async def visible_annotations(
    db: AsyncSession, access: MeetingAccess
) -> tuple[list[Annotation], dict[int, list[int]]]:
    """Every live annotation of the meeting the caller may see, with the named readers."""
    named = await named_documents(db, access)
    documents = {d.id: d for d in await db.scalars(
        select(Document).where(Document.meeting_id == access.meeting.id))}
    rows = list(await db.scalars(
        select(Annotation).where(Annotation.meeting_id == access.meeting.id,
                                 Annotation.deleted.is_(False))
        .order_by(Annotation.document_id, Annotation.page, Annotation.id)))
    readers = await readers_of(db, [a.id for a in rows if a.visibility == Visibility.NAMED])
    me = access.participant.id if access.participant else None
    seen = [a for a in rows if a.document_id in documents
            and may_read(access, documents[a.document_id], named)
            and _sees(a, access.user.id, me, readers.get(a.id, []))]
    return seen, readers


def _sees(annotation: Annotation, user_id: int, participant_id: int | None,
          readers: list[int]) -> bool:
    if annotation.owner_id == user_id or annotation.visibility == Visibility.MEETING:
        return True
    return annotation.visibility == Visibility.NAMED and participant_id in readers


async def apply_changes(
    db: AsyncSession, access: MeetingAccess, changes: list[AnnotationChange | DomainError]
) -> list[Outcome]:
    """Take in a batch; an entry that failed to parse arrives as its error and stays one."""
    named = await named_documents(db, access)
    outcomes = []
    for change in changes:
        if isinstance(change, DomainError):
            outcomes.append(Outcome(uid="", error=change))
            continue
        try:
            outcomes.append(await _apply(db, access, named, change))
        except DomainError as error:
            outcomes.append(Outcome(uid=change.uid, error=error))
    await db.flush()
    return outcomes


async def _apply(
    db: AsyncSession, access: MeetingAccess, named: set[int], change: AnnotationChange
) -> Outcome:
    document = await db.get(Document, change.document_id)
    if document is None or document.meeting_id != access.meeting.id \
            or not may_read(access, document, named):
        raise UnknownDocument(id=change.document_id)
    version = next((v for v in document.versions if v.number == change.version), None)
    if version is None:
        raise UnknownDocument(id=change.document_id)
    if not 1 <= change.page <= version.pages:
        raise PageNotInDocument(pages=version.pages)
    data = clean_data(change.kind, change.data)
    readers = await _valid_readers(db, access, change)
    annotation = await db.scalar(select(Annotation).where(
        Annotation.owner_id == access.user.id, Annotation.uid == change.uid))
    before: frozenset[int] = frozenset()
    if annotation is None:
        annotation = Annotation(uid=change.uid, meeting_id=access.meeting.id,
                                owner_id=access.user.id, created_at=utcnow())
        db.add(annotation)
    elif annotation.meeting_id != access.meeting.id or annotation.document_id != document.id:
        raise AnnotationNotYours()
    else:
        before = await viewers(db, annotation, document,
                               (await readers_of(db, [annotation.id])).get(annotation.id, []))
    annotation.document_id, annotation.version, annotation.page = document.id, version.number, \
        change.page
    annotation.kind, annotation.data, annotation.visibility = change.kind, data, change.visibility
    annotation.deleted, annotation.updated_at = change.deleted, utcnow()
    await db.flush()
    await db.execute(delete(AnnotationReader)
                     .where(AnnotationReader.annotation_id == annotation.id))
    db.add_all(AnnotationReader(annotation_id=annotation.id, participant_id=p) for p in readers)
    after = frozenset() if change.deleted else await viewers(db, annotation, document, readers)
    return Outcome(uid=change.uid, annotation=annotation, readers=tuple(readers),
                   viewers=after, lost_viewers=before - after - {access.user.id})


async def _valid_readers(
    db: AsyncSession, access: MeetingAccess, change: AnnotationChange
) -> list[int]:
    if change.visibility != Visibility.NAMED:
        return []
    known = set(await db.scalars(select(Participant.id).where(
        Participant.meeting_id == access.meeting.id, Participant.id.in_(change.readers))))
    if known != set(change.readers) or not known:
        raise InvalidField(field="readers", reason_key="annotations.bad_readers")
    return sorted(known)


async def viewers(
    db: AsyncSession, annotation: Annotation, document: Document, readers: list[int]
) -> frozenset[int]:
    """User ids who see ``annotation`` now (the owner included)."""
    if annotation.deleted:
        return frozenset()
    if annotation.visibility == Visibility.PRIVATE:
        return frozenset({annotation.owner_id})
    people = list(await db.scalars(select(Participant).where(
        Participant.meeting_id == annotation.meeting_id)))
    if document.access != DocumentAccess.MEETING:
        named = set(await db.scalars(select(DocumentReader.participant_id).where(
            DocumentReader.document_id == document.id)))
        people = [p for p in people if p.id in named or p.role in EDITOR_ROLES]
    if annotation.visibility == Visibility.NAMED:
        people = [p for p in people if p.id in readers]
    return frozenset({annotation.owner_id, *(p.user_id for p in people)})


async def own_marks(db: AsyncSession, user_id: int, document_id: int,
                    version: int) -> list[Annotation]:
    return list(await db.scalars(select(Annotation).where(
        Annotation.owner_id == user_id, Annotation.document_id == document_id,
        Annotation.version == version, Annotation.deleted.is_(False))
        .order_by(Annotation.page, Annotation.id)))


async def carry_to_version(db: AsyncSession, document: Document, new: DocumentVersion) -> int:
    """Copy the notes of the version before ``new`` onto it, where their page still exists;
    the number carried. Each copy is a new annotation that remembers where it came from."""
    previous = new.number - 1
    rows = list(await db.scalars(select(Annotation).where(
        Annotation.document_id == document.id, Annotation.version == previous,
        Annotation.deleted.is_(False), Annotation.page <= new.pages)))
    readers = await readers_of(db, [a.id for a in rows])
    now = utcnow()
    for old in rows:
        copy = Annotation(
            uid=str(uuid.uuid4()), meeting_id=old.meeting_id, document_id=document.id,
            version=new.number, page=old.page, kind=old.kind, data=old.data,
            visibility=old.visibility, owner_id=old.owner_id, carried_from_id=old.id,
            created_at=now, updated_at=now)
        db.add(copy)
        await db.flush()
        db.add_all(AnnotationReader(annotation_id=copy.id, participant_id=p)
                   for p in readers.get(old.id, []))
    await db.flush()
    return len(rows)
