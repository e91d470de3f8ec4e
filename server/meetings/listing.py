"""Which meetings a person takes part in: the home page and ``GET /api/v1/meetings``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..documents.models import Document
from .models import AgendaItem, Meeting, MeetingRole, MeetingStatus, Participant


@dataclass(frozen=True)
class MyMeeting:
    meeting: Meeting
    role: MeetingRole
    agenda_items: int
    documents: int


async def meetings_of(db: AsyncSession, user_id: int) -> list[MyMeeting]:
    """The meetings the user takes part in (drafts only for their chair and secretary),
    soonest first."""
    agenda = (select(func.count()).where(AgendaItem.meeting_id == Meeting.id)
              .correlate(Meeting).scalar_subquery())
    documents = (select(func.count()).where(Document.meeting_id == Meeting.id)
                 .correlate(Meeting).scalar_subquery())
    rows = await db.execute(
        select(Meeting, Participant.role, agenda, documents)
        .join(Participant, Participant.meeting_id == Meeting.id)
        .where(Participant.user_id == user_id)
        .where((Meeting.status != MeetingStatus.DRAFT)
               | Participant.role.in_([MeetingRole.CHAIR, MeetingRole.SECRETARY]))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [MyMeeting(meeting=m, role=r, agenda_items=a, documents=d) for m, r, a, d in rows]
