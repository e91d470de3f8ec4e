"""Rules of a meeting in progress: start and end it, move through the agenda, present
a document at a page, conclude an item.

Each function changes the record and returns the parts of the live state it
changed (``"status"``, ``"item"``, ``"presentation"``, ``"floor"``); the caller
raises the meeting's revision once per part, in the same transaction, with
:func:`next_revision`, and broadcasts after the commit (:mod:`.live_state` builds
what is sent). The console is run by the chair, a co-chair or the secretary, who
sits beside the chair and often drives the screen for them.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..audit.service import append as audit
from ..db import utcnow
from ..documents.access import readable_document
from ..documents.models import DocumentVersion
from ..errors import Forbidden
from .access import MeetingAccess
from .agenda import item_in
from .errors import InvalidTransition, MeetingNotLive, NotPresenting, PageOutOfRange
from .models import AgendaStatus, Meeting, MeetingRole, MeetingStatus, SpeakingTurn, TurnStatus
from .service import TRANSITIONS, nfc

RUNNER_ROLES = frozenset({MeetingRole.CHAIR, MeetingRole.CO_CHAIR, MeetingRole.SECRETARY})
CONCLUSION_MAX = 4000

Parts = list[str]


def may_run(access: MeetingAccess) -> bool:
    return access.participant is not None and access.participant.role in RUNNER_ROLES


def ensure_runner(access: MeetingAccess) -> None:
    if not may_run(access):
        raise Forbidden()


def ensure_live(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.LIVE:
        raise MeetingNotLive()


def running(access: MeetingAccess) -> Meeting:
    """The meeting, if it is live and the caller runs it."""
    ensure_runner(access)
    ensure_live(access.meeting)
    return access.meeting


async def lock_meeting(db: AsyncSession, meeting: Meeting) -> None:
    """Put this transaction first in the meeting's line before reading its live state.

    A no-op write: on PostgreSQL it takes the meeting's row lock, on SQLite the write
    lock (waiting its turn rather than failing on a stale read). Two consoles giving
    the floor at once, or one delegate asking from two devices, then happen one after
    the other, each seeing what the other did."""
    await db.execute(update(Meeting).where(Meeting.id == meeting.id)
                     .values(revision=Meeting.revision)
                     .execution_options(synchronize_session=False))
    await db.refresh(meeting)


async def next_revision(db: AsyncSession, meeting_id: int) -> int:
    """The meeting's revision plus one. The row lock it takes on PostgreSQL (and the
    write lock on SQLite) also puts concurrent changes of one meeting in a line."""
    result = await db.execute(
        update(Meeting).where(Meeting.id == meeting_id)
        .values(revision=Meeting.revision + 1).returning(Meeting.revision)
        .execution_options(synchronize_session=False))
    return int(result.scalar_one())


def _move(meeting: Meeting, target: MeetingStatus) -> None:
    if target not in TRANSITIONS[meeting.status]:
        raise InvalidTransition(current_key=f"meeting_status.{meeting.status.value}",
                                target_key=f"meeting_status.{target.value}")
    meeting.status = target


async def start_meeting(db: AsyncSession, access: MeetingAccess) -> Parts:
    ensure_runner(access)
    meeting = access.meeting
    _move(meeting, MeetingStatus.LIVE)
    meeting.started_at = utcnow()
    await db.flush()
    await audit(db, action="meeting_started", actor=access.user, meeting_id=meeting.id,
                data={"title": meeting.title})
    return ["status"]


async def end_meeting(db: AsyncSession, access: MeetingAccess) -> Parts:
    """The end closes what is open: the item's time, the presentation, the turn
    being spoken (kept as spoken) and the requests still waiting (declined)."""
    ensure_runner(access)
    meeting = access.meeting
    _move(meeting, MeetingStatus.ENDED)
    now = utcnow()
    meeting.ended_at = now
    if meeting.current_item_id is not None:
        item = await item_in(db, meeting.id, meeting.current_item_id)
        item.ended_at = item.ended_at or now
    _clear_presentation(meeting)
    open_turns = await db.scalars(select(SpeakingTurn).where(
        SpeakingTurn.meeting_id == meeting.id,
        SpeakingTurn.status.in_((TurnStatus.QUEUED, TurnStatus.SPEAKING))))
    for turn in open_turns:
        if turn.status == TurnStatus.SPEAKING:
            turn.status, turn.ended_at = TurnStatus.DONE, now
        else:
            turn.status = TurnStatus.DECLINED
    await db.flush()
    await audit(db, action="meeting_ended", actor=access.user, meeting_id=meeting.id,
                data={"title": meeting.title})
    return ["status", "item", "presentation", "floor"]


async def go_to_item(db: AsyncSession, access: MeetingAccess, item_id: int) -> Parts:
    """Take up an agenda item: its clock starts, the item before it stops."""
    meeting = running(access)
    item = await item_in(db, meeting.id, item_id)
    now = utcnow()
    if meeting.current_item_id is not None and meeting.current_item_id != item.id:
        previous = await item_in(db, meeting.id, meeting.current_item_id)
        previous.ended_at = previous.ended_at or now
    if meeting.current_item_id != item.id or item.status != AgendaStatus.IN_PROGRESS:
        item.status, item.started_at, item.ended_at = AgendaStatus.IN_PROGRESS, now, None
    meeting.current_item_id = item.id
    await db.flush()
    return ["item"]


async def conclude_item(
    db: AsyncSession, access: MeetingAccess, item_id: int, conclusion: str
) -> Parts:
    """Mark an item done with its conclusion (kết luận), which the minutes will quote."""
    meeting = running(access)
    item = await item_in(db, meeting.id, item_id)
    now = utcnow()
    item.status, item.conclusion = AgendaStatus.DONE, nfc(conclusion)
    item.started_at = item.started_at or now
    item.ended_at = item.ended_at or now
    await db.flush()
    await audit(db, action="item_concluded", actor=access.user, meeting_id=meeting.id,
                data={"item_id": item.id, "title": item.title, "conclusion": item.conclusion})
    return ["item"]


async def present(
    db: AsyncSession, access: MeetingAccess, document_id: int, page: int
) -> Parts:
    """Show a document at a page on every tablet that follows the chair."""
    meeting = running(access)
    grant = await readable_document(db, access.user, document_id)
    if grant.document.meeting_id != meeting.id:
        raise Forbidden()
    version = grant.document.current
    _check_page(page, version.pages)
    meeting.presented_document_id, meeting.presented_version = grant.document.id, version.number
    meeting.presented_page, meeting.presented_since = page, utcnow()
    await db.flush()
    return ["presentation"]


async def turn_page(db: AsyncSession, access: MeetingAccess, page: int) -> Parts:
    meeting = running(access)
    if meeting.presented_document_id is None:
        raise NotPresenting()
    pages = await db.scalar(select(DocumentVersion.pages).where(
        DocumentVersion.document_id == meeting.presented_document_id,
        DocumentVersion.number == meeting.presented_version))
    _check_page(page, pages or 0)
    meeting.presented_page = page
    await db.flush()
    return ["presentation"]


async def stop_presenting(db: AsyncSession, access: MeetingAccess) -> Parts:
    _clear_presentation(running(access))
    await db.flush()
    return ["presentation"]


def _clear_presentation(meeting: Meeting) -> None:
    meeting.presented_document_id = meeting.presented_version = None
    meeting.presented_page = meeting.presented_since = None


def _check_page(page: int, pages: int) -> None:
    if not 1 <= page <= pages:
        raise PageOutOfRange(pages=pages)
