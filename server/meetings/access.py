"""Who may see and who may change a meeting: the one rule every area asks.

A participant reads their meeting; its secretary (and any admin) edits it;
drafts are seen only by those who edit them and by the chair. Everyone else
gets :class:`NotFound`, never :class:`Forbidden`, so that a stranger cannot
even learn that a meeting exists. Documents, files, attendance and (later)
votes all go through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..errors import Forbidden, NotFound
from .models import Meeting, MeetingRole, MeetingStatus, Participant

EDITOR_ROLES = frozenset({MeetingRole.SECRETARY})
DRAFT_READER_ROLES = frozenset({MeetingRole.SECRETARY, MeetingRole.CHAIR})


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    user: User
    participant: Participant | None  # None for an admin who does not take part

    @property
    def can_edit(self) -> bool:
        return self.user.is_admin or (
            self.participant is not None and self.participant.role in EDITOR_ROLES)


def may_create_meetings(user: User) -> bool:
    return user.is_admin or user.is_secretary


async def readable_meeting(db: AsyncSession, user: User, meeting_id: object) -> MeetingAccess:
    """The meeting if ``user`` may read it; :class:`NotFound` otherwise (also for bad ids)."""
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) or meeting_id <= 0:
        raise NotFound()
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    participant = await db.scalar(select(Participant).where(
        Participant.meeting_id == meeting_id, Participant.user_id == user.id))
    access = MeetingAccess(meeting=meeting, user=user, participant=participant)
    if participant is None and not user.is_admin:
        raise NotFound()
    if meeting.status == MeetingStatus.DRAFT and not access.can_edit and (
            participant is None or participant.role not in DRAFT_READER_ROLES):
        raise NotFound()
    return access


async def editable_meeting(db: AsyncSession, user: User, meeting_id: object) -> MeetingAccess:
    """The meeting if ``user`` may change it; a reader who may not gets :class:`Forbidden`."""
    access = await readable_meeting(db, user, meeting_id)
    if not access.can_edit:
        raise Forbidden()
    return access
