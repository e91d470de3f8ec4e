"""Speaking requests (đăng ký phát biểu) and turns: the queue, the floor, the log.

A delegate asks from their tablet; a remote room's account may ask for one of
the delegates in its room (the district's hall has one tablet at the camera).
The chair orders the queue, gives the floor (with an optional time limit),
declines, ends the turn. Every turn keeps its request, start and end times:
the minutes name who spoke, and the statistics show who has not spoken yet.
The database's partial unique indexes hold one open request per participant and
one speaker per meeting, whatever two tablets or two consoles do at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..errors import Forbidden
from .access import MeetingAccess
from .errors import (
    InvalidQueueOrder,
    MeetingNotLive,
    NoSpeaker,
    NotYourRoom,
    TurnNotOpen,
    UnknownReference,
)
from .live import Parts, ensure_runner, may_run, running
from .models import Meeting, MeetingStatus, Participant, SpeakingTurn, TurnStatus
from .participants import participant_in

OPEN = (TurnStatus.QUEUED, TurnStatus.SPEAKING)
# Requests may be made as soon as the meeting is published, before it begins.
REQUESTS_OPEN = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.LIVE})
LIMIT_MIN, LIMIT_MAX = 10, 3600


async def queue_of(db: AsyncSession, meeting_id: int) -> list[SpeakingTurn]:
    return list(await db.scalars(
        select(SpeakingTurn).where(SpeakingTurn.meeting_id == meeting_id,
                                   SpeakingTurn.status == TurnStatus.QUEUED)
        .order_by(SpeakingTurn.position, SpeakingTurn.id)))


async def speaker_of(db: AsyncSession, meeting_id: int) -> SpeakingTurn | None:
    return await db.scalar(select(SpeakingTurn).where(
        SpeakingTurn.meeting_id == meeting_id, SpeakingTurn.status == TurnStatus.SPEAKING))


async def turns_of(db: AsyncSession, meeting_id: int) -> list[SpeakingTurn]:
    return list(await db.scalars(
        select(SpeakingTurn).where(SpeakingTurn.meeting_id == meeting_id)
        .order_by(SpeakingTurn.requested_at, SpeakingTurn.id)))


async def _turn_in(db: AsyncSession, meeting_id: int, turn_id: int) -> SpeakingTurn:
    turn = await db.get(SpeakingTurn, turn_id)
    if turn is None or turn.meeting_id != meeting_id:
        raise UnknownReference(what_key="meetings.what_turn", id=turn_id)
    return turn


async def _open_turn(db: AsyncSession, meeting_id: int, participant_id: int) -> SpeakingTurn | None:
    return await db.scalar(select(SpeakingTurn).where(
        SpeakingTurn.meeting_id == meeting_id, SpeakingTurn.participant_id == participant_id,
        SpeakingTurn.status.in_(OPEN)))


async def _speaker_for(
    db: AsyncSession, access: MeetingAccess, participant_id: int | None
) -> Participant:
    """Who the request is for: the caller, or a delegate in the caller's remote room."""
    me = access.participant
    if me is None:
        raise Forbidden()
    if participant_id is None or participant_id == me.id:
        return me
    target = await participant_in(db, access.meeting.id, participant_id)
    if may_run(access):
        return target
    remote = me.room_id is not None and me.room_id != access.meeting.hall_room_id
    if not remote or target.room_id != me.room_id:
        raise NotYourRoom()
    return target


async def _next_position(db: AsyncSession, meeting_id: int) -> int:
    last = await db.scalar(select(func.max(SpeakingTurn.position)).where(
        SpeakingTurn.meeting_id == meeting_id, SpeakingTurn.status == TurnStatus.QUEUED))
    return int(last or 0) + 1


async def request_to_speak(
    db: AsyncSession, access: MeetingAccess, participant_id: int | None = None
) -> tuple[SpeakingTurn, Parts]:
    """A place at the end of the queue; asking again while waiting is the same request."""
    meeting = access.meeting
    if meeting.status not in REQUESTS_OPEN:
        raise MeetingNotLive()
    speaker = await _speaker_for(db, access, participant_id)
    existing = await _open_turn(db, meeting.id, speaker.id)
    if existing is not None:
        return existing, []
    turn = SpeakingTurn(
        meeting_id=meeting.id, participant_id=speaker.id, agenda_item_id=meeting.current_item_id,
        requested_by_id=access.user.id, status=TurnStatus.QUEUED,
        position=await _next_position(db, meeting.id), requested_at=utcnow())
    db.add(turn)
    await db.flush()
    return turn, ["floor"]


async def withdraw_request(db: AsyncSession, access: MeetingAccess, turn_id: int) -> Parts:
    turn = await _turn_in(db, access.meeting.id, turn_id)
    mine = access.participant is not None and (
        turn.participant_id == access.participant.id or turn.requested_by_id == access.user.id)
    if not mine and not may_run(access):
        raise Forbidden()
    if turn.status != TurnStatus.QUEUED:
        raise TurnNotOpen()
    turn.status = TurnStatus.WITHDRAWN
    await db.flush()
    return ["floor"]


async def decline_request(db: AsyncSession, access: MeetingAccess, turn_id: int) -> Parts:
    ensure_runner(access)
    turn = await _turn_in(db, access.meeting.id, turn_id)
    if turn.status != TurnStatus.QUEUED:
        raise TurnNotOpen()
    turn.status = TurnStatus.DECLINED
    await db.flush()
    return ["floor"]


async def reorder_queue(db: AsyncSession, access: MeetingAccess, turn_ids: list[int]) -> Parts:
    """The whole queue in its new order: a partial list is refused, so that a console
    that missed a new request cannot push it out of the line by accident."""
    ensure_runner(access)
    queue = await queue_of(db, access.meeting.id)
    if len(turn_ids) != len(set(turn_ids)) or set(turn_ids) != {t.id for t in queue}:
        raise InvalidQueueOrder()
    by_id = {t.id: t for t in queue}
    for position, turn_id in enumerate(turn_ids, start=1):
        by_id[turn_id].position = position
    await db.flush()
    return ["floor"]


async def give_floor(
    db: AsyncSession, access: MeetingAccess, *, turn_id: int | None = None,
    participant_id: int | None = None, limit_seconds: int | None = None,
) -> Parts:
    """Give the floor to a waiting request, or to a participant directly; whoever had it
    finishes their turn."""
    meeting = running(access)
    if turn_id is not None:
        turn = await _turn_in(db, meeting.id, turn_id)
        if turn.status != TurnStatus.QUEUED:
            raise TurnNotOpen()
    else:
        target = await participant_in(db, meeting.id, participant_id or 0)
        turn = await _open_turn(db, meeting.id, target.id) or SpeakingTurn(
            meeting_id=meeting.id, participant_id=target.id, requested_by_id=access.user.id,
            requested_at=utcnow(), status=TurnStatus.QUEUED)
        if turn.status == TurnStatus.SPEAKING:
            turn.limit_seconds = limit_seconds
            await db.flush()
            return ["floor"]
        db.add(turn)
    await _finish_current(db, meeting)
    turn.status, turn.started_at = TurnStatus.SPEAKING, utcnow()
    turn.limit_seconds = limit_seconds
    turn.agenda_item_id = meeting.current_item_id or turn.agenda_item_id
    await db.flush()
    return ["floor"]


async def end_turn(db: AsyncSession, access: MeetingAccess) -> Parts:
    if not await _finish_current(db, running(access)):
        raise NoSpeaker()
    return ["floor"]


async def _finish_current(db: AsyncSession, meeting: Meeting) -> bool:
    current = await speaker_of(db, meeting.id)
    if current is None:
        return False
    current.status, current.ended_at = TurnStatus.DONE, utcnow()
    # Flushed now: the one-speaker index must see the old turn ended before the new starts.
    await db.flush()
    return True


@dataclass(frozen=True)
class SpeakerTotal:
    participant: Participant
    turns: int
    seconds: int


@dataclass(frozen=True)
class UnitTotal:
    unit: str
    participants: int
    silent: int   # members of the unit in the meeting who have not spoken
    turns: int
    seconds: int


def spoken_seconds(turn: SpeakingTurn) -> int:
    if turn.started_at is None:
        return 0
    end = turn.ended_at or utcnow()
    return max(0, round((end - turn.started_at).total_seconds()))


def totals(
    participants: list[Participant], turns: list[SpeakingTurn]
) -> tuple[list[SpeakerTotal], list[UnitTotal]]:
    """Turns and seconds spoken per participant and per unit; done and current turns count."""
    spoken = [t for t in turns if t.status in (TurnStatus.DONE, TurnStatus.SPEAKING)]
    people = [SpeakerTotal(p, sum(1 for t in spoken if t.participant_id == p.id),
                           sum(spoken_seconds(t) for t in spoken if t.participant_id == p.id))
              for p in participants]
    units: dict[str, list[SpeakerTotal]] = {}
    for total in people:
        unit = total.participant.user.unit
        units.setdefault(unit.name if unit else "", []).append(total)
    return people, [
        UnitTotal(name, len(members), sum(1 for m in members if m.turns == 0),
                  sum(m.turns for m in members), sum(m.seconds for m in members))
        for name, members in units.items()]
