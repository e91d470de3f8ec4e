"""Participants of a meeting: who, in what role, where; attendance, substitutes, quorum.

Quorum (tỷ lệ có mặt) is members with a voting right who are present, over all
members with a voting right. A substitute (người dự thay) who is present counts
for the absent member they stand in for when the meeting lets substitutes vote;
each member counts once either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..db import utcnow
from .access import MeetingAccess
from .errors import (
    AlreadyParticipant,
    InvalidSubstitute,
    NotCheckedInable,
    OneChair,
    RoomNotInMeeting,
    SeatOutOfRange,
    SeatTaken,
    UnknownReference,
)
from .models import Attendance, Meeting, MeetingRole, MeetingStatus, Participant, Room, Unit
from .service import ensure_editable, remote_rooms

PRESENT = frozenset({Attendance.PRESENT_HALL, Attendance.PRESENT_REMOTE})
CHECK_IN_OPEN = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.LIVE})


@dataclass(frozen=True)
class Quorum:
    present: int
    members: int

    @property
    def share(self) -> float:
        return self.present / self.members if self.members else 0.0


def quorum(meeting: Meeting, participants: list[Participant]) -> Quorum:
    members = [p for p in participants if p.voting_right and p.substitute_for_id is None]
    stand_ins = {p.substitute_for_id for p in participants
                 if p.substitute_for_id is not None and p.attendance in PRESENT}
    present = sum(1 for m in members if m.attendance in PRESENT
                  or (meeting.substitutes_may_vote and m.attendance == Attendance.ABSENT
                      and m.id in stand_ins))
    return Quorum(present=present, members=len(members))


def may_vote(meeting: Meeting, participant: Participant, by_id: dict[int, Participant]) -> bool:
    """The right to vote now: a present member, or a present substitute where allowed."""
    if participant.attendance not in PRESENT:
        return False
    if participant.substitute_for_id is None:
        return participant.voting_right
    member = by_id.get(participant.substitute_for_id)
    return (meeting.substitutes_may_vote and member is not None and member.voting_right
            and member.attendance == Attendance.ABSENT)


async def participants_of(db: AsyncSession, meeting_id: int) -> list[Participant]:
    return list(await db.scalars(
        select(Participant).where(Participant.meeting_id == meeting_id)
        .order_by(Participant.seat.is_(None), Participant.seat, Participant.id)))


async def participant_in(db: AsyncSession, meeting_id: int, participant_id: int) -> Participant:
    participant = await db.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting_id:
        raise UnknownReference(what_key="meetings.what_participant", id=participant_id)
    return participant


async def _check_place(
    db: AsyncSession, meeting: Meeting, participant_id: int | None,
    seat: int | None, room_id: int | None,
) -> None:
    if seat is not None:
        hall = await db.get(Room, meeting.hall_room_id) if meeting.hall_room_id else None
        seats = hall.seats if hall else 0
        if not 1 <= seat <= seats:
            raise SeatOutOfRange(seats=seats)
        taken = await db.scalar(select(Participant.id).where(
            Participant.meeting_id == meeting.id, Participant.seat == seat,
            Participant.id != (participant_id or 0)))
        if taken is not None:
            raise SeatTaken(seat=seat)
    if room_id is not None and room_id != meeting.hall_room_id \
            and room_id not in {r.id for r in await remote_rooms(db, meeting.id)}:
        raise RoomNotInMeeting()


async def _check_chair(
    db: AsyncSession, meeting_id: int, role: MeetingRole, participant_id: int | None
) -> None:
    if role != MeetingRole.CHAIR:
        return
    other = await db.scalar(select(Participant.id).where(
        Participant.meeting_id == meeting_id, Participant.role == MeetingRole.CHAIR,
        Participant.id != (participant_id or 0)))
    if other is not None:
        raise OneChair()


async def add_participant(
    db: AsyncSession, access: MeetingAccess, *, user_id: int, role: MeetingRole,
    voting_right: bool = False, seat: int | None = None, room_id: int | None = None,
) -> Participant:
    meeting = access.meeting
    ensure_editable(meeting)
    user = await db.get(User, user_id)
    if user is None or not user.is_active:
        raise UnknownReference(what_key="meetings.what_user", id=user_id)
    if await db.scalar(select(Participant.id).where(
            Participant.meeting_id == meeting.id, Participant.user_id == user_id)):
        raise AlreadyParticipant()
    await _check_place(db, meeting, None, seat, room_id)
    await _check_chair(db, meeting.id, role, None)
    participant = Participant(meeting_id=meeting.id, user_id=user_id, role=role,
                              voting_right=voting_right, seat=seat, room_id=room_id)
    db.add(participant)
    await db.flush()
    return participant


async def add_unit(
    db: AsyncSession, access: MeetingAccess, *, unit_id: int, role: MeetingRole,
    voting_right: bool, room_id: int | None = None,
) -> list[Participant]:
    """Every active user of a unit (a district's delegation); those already in are kept."""
    meeting = access.meeting
    ensure_editable(meeting)
    if await db.get(Unit, unit_id) is None:
        raise UnknownReference(what_key="meetings.what_unit", id=unit_id)
    await _check_place(db, meeting, None, None, room_id)
    present = set(await db.scalars(
        select(Participant.user_id).where(Participant.meeting_id == meeting.id)))
    users = await db.scalars(select(User).where(
        User.unit_id == unit_id, User.is_active.is_(True)).order_by(User.full_name))
    added = [Participant(meeting_id=meeting.id, user_id=u.id, role=role,
                         voting_right=voting_right, room_id=room_id)
             for u in users if u.id not in present]
    db.add_all(added)
    await db.flush()
    return added


PARTICIPANT_FIELDS = frozenset({"role", "voting_right", "seat", "room_id"})


async def update_participant(
    db: AsyncSession, access: MeetingAccess, participant_id: int, changes: dict[str, Any]
) -> Participant:
    meeting = access.meeting
    ensure_editable(meeting)
    participant = await participant_in(db, meeting.id, participant_id)
    await _check_place(db, meeting, participant.id, changes.get("seat"), changes.get("room_id"))
    await _check_chair(db, meeting.id, changes.get("role", participant.role), participant.id)
    for name, value in changes.items():
        if name not in PARTICIPANT_FIELDS:
            raise ValueError(name)  # programming error: routes pass only known fields
        setattr(participant, name, value)
    await db.flush()
    return participant


async def remove_participant(db: AsyncSession, access: MeetingAccess, participant_id: int) -> None:
    ensure_editable(access.meeting)
    participant = await participant_in(db, access.meeting.id, participant_id)
    await db.delete(participant)
    await db.flush()


async def set_attendance(
    db: AsyncSession, access: MeetingAccess, participant_id: int, attendance: Attendance,
    reason: str = "",
) -> Participant:
    """The secretary's roll call: present in the hall, from a room, or absent with a reason."""
    participant = await participant_in(db, access.meeting.id, participant_id)
    return await _record(db, access.meeting, participant, attendance, reason, access.user)


async def check_in(db: AsyncSession, access: MeetingAccess) -> Participant:
    """The delegate's own check-in from the tablet: where they are follows from their room."""
    participant = access.participant
    if participant is None:
        raise UnknownReference(what_key="meetings.what_participant", id=0)
    room_id = participant.room_id
    remote = room_id is not None and room_id != access.meeting.hall_room_id
    attendance = Attendance.PRESENT_REMOTE if remote else Attendance.PRESENT_HALL
    return await _record(db, access.meeting, participant, attendance, "", access.user)


async def _record(
    db: AsyncSession, meeting: Meeting, participant: Participant, attendance: Attendance,
    reason: str, by: User,
) -> Participant:
    if meeting.status not in CHECK_IN_OPEN:
        raise NotCheckedInable()
    participant.attendance = attendance
    participant.absence_reason = reason.strip() if attendance == Attendance.ABSENT else ""
    participant.checked_in_at = utcnow() if attendance in PRESENT else None
    participant.checked_in_by_id = by.id if attendance in PRESENT else None
    await db.flush()
    return participant


async def add_substitute(
    db: AsyncSession, access: MeetingAccess, *, member_id: int, user_id: int,
    room_id: int | None = None,
) -> Participant:
    """Name who stands in (dự thay) for an absent member; they inherit the member's vote
    only where the meeting allows it (see :func:`may_vote`)."""
    meeting = access.meeting
    ensure_editable(meeting)
    member = await participant_in(db, meeting.id, member_id)
    if not member.voting_right or member.substitute_for_id is not None \
            or member.attendance != Attendance.ABSENT:
        raise InvalidSubstitute()
    taken = await db.scalar(select(Participant.id).where(
        Participant.meeting_id == meeting.id, Participant.substitute_for_id == member.id))
    if taken is not None:
        raise InvalidSubstitute()
    substitute = await add_participant(db, access, user_id=user_id, role=MeetingRole.DELEGATE,
                                       room_id=room_id)
    substitute.substitute_for_id = member.id
    await db.flush()
    return substitute
