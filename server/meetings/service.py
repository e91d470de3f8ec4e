"""Rules of a meeting's life: create, edit, publish and the other status changes, copy.

Plain async functions over a database session and an already-checked
:class:`~.access.MeetingAccess`; no HTTP. Participants live in
:mod:`.participants`, the agenda in :mod:`.agenda`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..db import utcnow
from ..documents.models import Document, DocumentReader, DocumentVersion
from ..errors import Forbidden
from .access import MeetingAccess, may_create_meetings
from .errors import EndBeforeStart, InvalidTransition, MeetingFrozen, UnknownReference
from .models import (
    AgendaItem,
    AgendaStatus,
    Attendance,
    Meeting,
    MeetingRole,
    MeetingRoom,
    MeetingStatus,
    Participant,
    Room,
    RoomKind,
    Unit,
)

S = MeetingStatus
TRANSITIONS: dict[MeetingStatus, frozenset[MeetingStatus]] = {
    S.DRAFT: frozenset({S.SCHEDULED}),
    S.SCHEDULED: frozenset({S.DRAFT, S.LIVE}),   # back to draft: unpublish to rework
    S.LIVE: frozenset({S.ENDED}),
    S.ENDED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}
FROZEN = frozenset({S.ENDED, S.ARCHIVED})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def ensure_editable(meeting: Meeting) -> None:
    """The record of an ended meeting is what the minutes are drawn from: it stays put."""
    if meeting.status in FROZEN:
        raise MeetingFrozen()


@dataclass(frozen=True)
class MeetingFields:
    title: str
    organiser_unit_id: int
    starts_at: datetime
    code: str = ""
    ends_at: datetime | None = None
    hall_room_id: int | None = None
    substitutes_may_vote: bool = True
    record_video: bool = False


async def _check_references(
    db: AsyncSession, organiser_unit_id: int | None, hall_room_id: int | None
) -> None:
    if organiser_unit_id is not None and await db.get(Unit, organiser_unit_id) is None:
        raise UnknownReference(what_key="meetings.what_unit", id=organiser_unit_id)
    if hall_room_id is not None:
        room = await db.get(Room, hall_room_id)
        if room is None or room.kind != RoomKind.HALL:
            raise UnknownReference(what_key="meetings.what_room", id=hall_room_id)


def _check_times(starts_at: datetime, ends_at: datetime | None) -> None:
    if ends_at is not None and ends_at <= starts_at:
        raise EndBeforeStart()


async def create_meeting(db: AsyncSession, user: User, fields: MeetingFields) -> Meeting:
    """A draft meeting whose creator is its secretary."""
    if not may_create_meetings(user):
        raise Forbidden()
    await _check_references(db, fields.organiser_unit_id, fields.hall_room_id)
    _check_times(fields.starts_at, fields.ends_at)
    meeting = Meeting(
        title=nfc(fields.title), code=nfc(fields.code), organiser_unit_id=fields.organiser_unit_id,
        hall_room_id=fields.hall_room_id, starts_at=fields.starts_at, ends_at=fields.ends_at,
        substitutes_may_vote=fields.substitutes_may_vote, record_video=fields.record_video,
        status=S.DRAFT)
    db.add(meeting)
    await db.flush()
    db.add(Participant(meeting_id=meeting.id, user_id=user.id, role=MeetingRole.SECRETARY))
    await db.flush()
    await db.refresh(meeting)
    return meeting


EDITABLE_FIELDS = frozenset({"title", "code", "organiser_unit_id", "hall_room_id", "starts_at",
                             "ends_at", "substitutes_may_vote", "record_video"})


async def update_meeting(
    db: AsyncSession, access: MeetingAccess, changes: dict[str, Any]
) -> Meeting:
    meeting = access.meeting
    ensure_editable(meeting)
    await _check_references(db, changes.get("organiser_unit_id"), changes.get("hall_room_id"))
    _check_times(changes.get("starts_at", meeting.starts_at),
                 changes.get("ends_at", meeting.ends_at))
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(name)  # programming error: routes pass only known fields
        setattr(meeting, name, nfc(value) if isinstance(value, str) else value)
    await db.flush()
    await db.refresh(meeting)
    return meeting


async def change_status(db: AsyncSession, access: MeetingAccess, target: MeetingStatus) -> Meeting:
    meeting = access.meeting
    if target not in TRANSITIONS[meeting.status]:
        raise InvalidTransition(current_key=f"meeting_status.{meeting.status.value}",
                                target_key=f"meeting_status.{target.value}")
    meeting.status = target
    if target == S.SCHEDULED and meeting.published_at is None:
        meeting.published_at = utcnow()
    await db.flush()
    return meeting


async def set_remote_rooms(db: AsyncSession, access: MeetingAccess, room_ids: list[int]) -> None:
    ensure_editable(access.meeting)
    for room_id in room_ids:
        room = await db.get(Room, room_id)
        if room is None or room.kind != RoomKind.REMOTE:
            raise UnknownReference(what_key="meetings.what_room", id=room_id)
    meeting_id = access.meeting.id
    await db.execute(delete(MeetingRoom).where(MeetingRoom.meeting_id == meeting_id))
    db.add_all(MeetingRoom(meeting_id=meeting_id, room_id=r) for r in dict.fromkeys(room_ids))
    await db.flush()


async def remote_rooms(db: AsyncSession, meeting_id: int) -> list[Room]:
    return list(await db.scalars(
        select(Room).join(MeetingRoom, MeetingRoom.room_id == Room.id)
        .where(MeetingRoom.meeting_id == meeting_id).order_by(Room.name)))


async def copy_meeting(
    db: AsyncSession, access: MeetingAccess, starts_at: datetime, ends_at: datetime | None
) -> Meeting:
    """A new draft from this one (the weekly giao ban): same rooms, participants (attendance
    cleared), agenda (statuses cleared) and documents (their newest versions, bytes shared)."""
    source = access.meeting
    _check_times(starts_at, ends_at)
    copy = Meeting(
        title=source.title, code="", organiser_unit_id=source.organiser_unit_id,
        hall_room_id=source.hall_room_id, starts_at=starts_at, ends_at=ends_at,
        substitutes_may_vote=source.substitutes_may_vote, record_video=source.record_video,
        previous_id=source.id, status=S.DRAFT)
    db.add(copy)
    await db.flush()
    db.add_all(MeetingRoom(meeting_id=copy.id, room_id=r.id)
               for r in await remote_rooms(db, source.id))
    participants = await _copy_participants(db, source.id, copy.id, access.user)
    items = await _copy_agenda(db, source.id, copy.id)
    await _copy_documents(db, source.id, copy.id, items, participants, access.user)
    await db.flush()
    await db.refresh(copy)
    return copy


async def _copy_participants(
    db: AsyncSession, source_id: int, copy_id: int, user: User
) -> dict[int, Participant]:
    mapping: dict[int, Participant] = {}
    rows = await db.scalars(select(Participant).where(
        Participant.meeting_id == source_id, Participant.substitute_for_id.is_(None)))
    for old in rows:
        mapping[old.id] = Participant(
            meeting_id=copy_id, user_id=old.user_id, role=old.role, room_id=old.room_id,
            seat=old.seat, voting_right=old.voting_right, attendance=Attendance.UNKNOWN)
    if user.id not in {p.user_id for p in mapping.values()}:
        mapping[0] = Participant(meeting_id=copy_id, user_id=user.id, role=MeetingRole.SECRETARY)
    db.add_all(mapping.values())
    await db.flush()
    return mapping


async def _copy_agenda(db: AsyncSession, source_id: int, copy_id: int) -> dict[int, AgendaItem]:
    mapping: dict[int, AgendaItem] = {}
    rows = await db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == source_id)
                            .order_by(AgendaItem.parent_id.is_not(None), AgendaItem.id))
    for old in rows:
        parent = mapping.get(old.parent_id) if old.parent_id else None
        item = AgendaItem(meeting_id=copy_id, parent_id=parent.id if parent else None,
                          position=old.position, title=old.title, presenter=old.presenter,
                          planned_minutes=old.planned_minutes, status=AgendaStatus.PENDING,
                          notes=old.notes)
        db.add(item)
        await db.flush()  # children need their parent's id
        mapping[old.id] = item
    return mapping


async def _copy_documents(
    db: AsyncSession, source_id: int, copy_id: int, items: dict[int, AgendaItem],
    participants: dict[int, Participant], user: User,
) -> None:
    documents = await db.scalars(select(Document).where(Document.meeting_id == source_id))
    for old in documents:
        newest = old.current
        item = items.get(old.agenda_item_id) if old.agenda_item_id else None
        copy = Document(
            meeting_id=copy_id, agenda_item_id=item.id if item else None, title=old.title,
            access=old.access, position=old.position,
            versions=[DocumentVersion(
                number=1, filename=newest.filename, sha256=newest.sha256, size=newest.size,
                pages=newest.pages, source_filename=newest.source_filename,
                source_sha256=newest.source_sha256, uploaded_by_id=user.id)])
        db.add(copy)
        await db.flush()
        readers = await db.scalars(select(DocumentReader.participant_id)
                                   .where(DocumentReader.document_id == old.id))
        db.add_all(DocumentReader(document_id=copy.id, participant_id=participants[p].id)
                   for p in readers if p in participants)


async def count_documents(db: AsyncSession, meeting_id: int) -> int:
    return int(await db.scalar(
        select(func.count()).select_from(Document).where(Document.meeting_id == meeting_id)) or 0)
