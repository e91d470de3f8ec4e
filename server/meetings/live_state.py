"""The live state of a meeting as clients hold it: the snapshot and its parts.

A snapshot is what a tablet needs to show the meeting as it is now; each part
(status, item, presentation, floor, attendance) is also the ``data`` of the
event that replaces it, built by the same function, so an event and a snapshot
can never disagree. Nothing here is per reader except ``me``: the presentation
names the document by id only, and every tablet finds the title in its own
manifest (a document a reader may not open does not reveal its title).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..documents.models import DocumentVersion
from ..minutes.models import Minutes, MinutesStatus
from ..voting.serialise import polls_part
from ..voting.service import voted_in
from .access import MeetingAccess
from .agenda import agenda_tree, numbered_items
from .live import may_run
from .models import Meeting, Participant, SpeakingTurn
from .participants import may_vote, participants_of, quorum
from .serialise import quorum_json
from .speakers import queue_of, speaker_of


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def turn_json(turn: SpeakingTurn, meeting: Meeting) -> dict[str, Any]:
    participant = turn.participant
    user = participant.user
    room = participant.room_id
    remote = room is not None and room != meeting.hall_room_id
    deadline = (turn.started_at + timedelta(seconds=turn.limit_seconds)
                if turn.started_at and turn.limit_seconds else None)
    return {
        "id": turn.id,
        "participant_id": participant.id,
        "name": user.full_name,
        "title": user.title,
        "unit": user.unit.name if user.unit else None,
        "seat": participant.seat,
        "remote": remote,
        "agenda_item_id": turn.agenda_item_id,
        "status": turn.status.value,
        "requested_at": iso(turn.requested_at),
        "started_at": iso(turn.started_at),
        "ended_at": iso(turn.ended_at),
        "limit_seconds": turn.limit_seconds,
        "deadline": iso(deadline),
    }


async def status_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    return {"status": meeting.status.value, "started_at": iso(meeting.started_at),
            "ended_at": iso(meeting.ended_at), "record_video": meeting.record_video}


async def item_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    agenda = [{
        "id": node.item.id, "number": number, "depth": depth, "title": node.item.title,
        "presenter": node.item.presenter, "planned_minutes": node.item.planned_minutes,
        "status": node.item.status.value, "started_at": iso(node.item.started_at),
        "ended_at": iso(node.item.ended_at), "conclusion": node.item.conclusion,
    } for number, depth, node in numbered_items(await agenda_tree(db, meeting.id))]
    return {"current_item_id": meeting.current_item_id, "agenda": agenda}


async def presentation_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    if meeting.presented_document_id is None:
        return {"presentation": None}
    pages = await db.scalar(select(DocumentVersion.pages).where(
        DocumentVersion.document_id == meeting.presented_document_id,
        DocumentVersion.number == meeting.presented_version))
    return {"presentation": {
        "document_id": meeting.presented_document_id, "version": meeting.presented_version,
        "page": meeting.presented_page, "pages": pages, "since": iso(meeting.presented_since)}}


async def floor_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    speaker = await speaker_of(db, meeting.id)
    return {"speaker": turn_json(speaker, meeting) if speaker else None,
            "queue": [turn_json(t, meeting) for t in await queue_of(db, meeting.id)]}


async def attendance_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    return {"quorum": quorum_json(quorum(meeting, await participants_of(db, meeting.id)))}


async def minutes_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    """Whether the signed minutes are published, and where: what every participant sees."""
    published = await db.scalar(select(Minutes.published_at).where(
        Minutes.meeting_id == meeting.id, Minutes.status == MinutesStatus.PUBLISHED))
    return {"minutes": {"published_at": iso(published),
                        "url": f"/api/v1/meetings/{meeting.id}/minutes.pdf"}
            if published else None}


async def documents_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    return {}


Part = Callable[[AsyncSession, Meeting], Awaitable[dict[str, Any]]]
PARTS: dict[str, Part] = {
    "status": status_part,
    "item": item_part,
    "presentation": presentation_part,
    "floor": floor_part,
    "attendance": attendance_part,
    "documents": documents_part,
    "polls": polls_part,
    "minutes": minutes_part,
}
SNAPSHOT_PARTS = ("item", "presentation", "floor", "attendance", "polls", "minutes")


def me_json(access: MeetingAccess) -> dict[str, Any]:
    me = access.participant
    remote = me is not None and me.room_id is not None and me.room_id != access.meeting.hall_room_id
    return {"participant_id": me.id if me else None, "role": me.role.value if me else None,
            "may_chair": may_run(access), "room_id": me.room_id if me else None,
            "remote": remote}


async def _my_vote(db: AsyncSession, access: MeetingAccess) -> dict[str, Any]:
    """Whether the caller may vote as of this snapshot, and the polls they voted in."""
    me = access.participant
    if me is None:
        return {"voting_right": False, "may_vote": False, "voted": []}
    await db.refresh(me)
    member = await db.get(Participant, me.substitute_for_id) if me.substitute_for_id else None
    people = {p.id: p for p in (me, member) if p is not None}
    return {"voting_right": me.voting_right, "may_vote": may_vote(access.meeting, me, people),
            "voted": await voted_in(db, me.id, access.meeting.id)}


class SharedParts:
    """The parts of the snapshot that are the same for everyone, built once per revision.

    A hall of tablets joining at once (or reconnecting after the Wi-Fi came back) would
    otherwise build the same agenda, queue, quorum over every participant and tallies
    once per tablet: the live bench saw 500 joins take 19 s. The revision rises with
    every change these parts show, so a cached copy is right until the next one.
    """

    def __init__(self) -> None:
        self._latest: dict[int, tuple[int, dict[str, Any]]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def of(self, db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
        hit = self._latest.get(meeting.id)
        if hit is not None and hit[0] == meeting.revision:
            return hit[1]
        async with self._locks.setdefault(meeting.id, asyncio.Lock()):
            hit = self._latest.get(meeting.id)
            if hit is not None and hit[0] == meeting.revision:
                return hit[1]
            parts = await build_parts(db, meeting)
            self._latest[meeting.id] = (meeting.revision, parts)
            return parts


async def build_parts(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for name in SNAPSHOT_PARTS:
        parts.update(await PARTS[name](db, meeting))
    return parts


async def snapshot(db: AsyncSession, access: MeetingAccess,
                   shared: SharedParts | None = None) -> dict[str, Any]:
    meeting = access.meeting
    await db.refresh(meeting)  # the revision and live columns as committed now
    state: dict[str, Any] = {
        "rev": meeting.revision,
        "server_time": utcnow().isoformat(),
        "meeting": {"id": meeting.id, "title": meeting.title, **await status_part(db, meeting)},
        "me": {**me_json(access), **await _my_vote(db, access)},
    }
    state.update(await shared.of(db, meeting) if shared else await build_parts(db, meeting))
    return state


SHARED_PARTS = web.AppKey("shared_parts", SharedParts)


async def events_for(
    db: AsyncSession, meeting: Meeting, parts: list[str], revisions: list[int]
) -> list[dict[str, Any]]:
    """The events of one change, one per part, each with its revision."""
    at = utcnow().isoformat()
    return [{"rev": rev, "type": part, "data": await PARTS[part](db, meeting), "at": at}
            for part, rev in zip(parts, revisions, strict=True)]
