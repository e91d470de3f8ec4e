"""Who may read a document: the meeting's rule first, then the document's own.

Every decision starts from :func:`readable_meeting` / :func:`editable_meeting`,
so a stranger gets 404 for a document, its file URL and its meeting alike. Then:

- ``meeting``: every participant (and whoever edits the meeting) reads it;
- ``named``: the participants named as its readers, and the meeting's editors;
- ``confidential``: the same people, but only ever as a copy stamped with the
  reader's name (see :mod:`.stamping`); its original bytes are served to no one.

The meeting's editors (its secretary, admins) read named and confidential
documents too: they upload them and choose their readers, so hiding the
content from them would protect nothing. A participant who is not named gets
404, the same answer as for a document that does not exist, so the title of a
paper they may not see does not leak either.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..errors import Forbidden, NotFound
from ..meetings.access import MeetingAccess, readable_meeting
from .models import Document, DocumentAccess, DocumentReader


@dataclass(frozen=True)
class DocumentGrant:
    document: Document
    meeting: MeetingAccess

    @property
    def stamped_only(self) -> bool:
        return self.document.access == DocumentAccess.CONFIDENTIAL


async def named_documents(db: AsyncSession, access: MeetingAccess) -> set[int]:
    """Ids of the meeting's documents that name the caller as a reader."""
    if access.participant is None:
        return set()
    return set(await db.scalars(
        select(DocumentReader.document_id).join(Document)
        .where(Document.meeting_id == access.meeting.id,
               DocumentReader.participant_id == access.participant.id)))


def may_read(access: MeetingAccess, document: Document, named: set[int]) -> bool:
    if access.can_edit or document.access == DocumentAccess.MEETING:
        return True
    return document.id in named


async def readable_document(db: AsyncSession, user: User, document_id: object) -> DocumentGrant:
    """The document if ``user`` may read it; :class:`NotFound` for anyone else and bad ids."""
    if not isinstance(document_id, int) or isinstance(document_id, bool) or document_id <= 0:
        raise NotFound()
    document = await db.get(Document, document_id)
    if document is None:
        raise NotFound()
    access = await readable_meeting(db, user, document.meeting_id)
    if not may_read(access, document, await named_documents(db, access)):
        raise NotFound()
    return DocumentGrant(document=document, meeting=access)


async def editable_document(db: AsyncSession, user: User, document_id: object) -> DocumentGrant:
    """The document if ``user`` may change it; a reader who may not gets :class:`Forbidden`."""
    grant = await readable_document(db, user, document_id)
    if not grant.meeting.can_edit:
        raise Forbidden()
    return grant
