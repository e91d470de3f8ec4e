"""Socket.IO handlers of the live meeting: join, snapshot, the console's actions, speaking.

The same shape as :mod:`.routes`: parse the payload with the HTTP field parsers,
authorise through :func:`readable_meeting` (asked again at every action, so a
participant removed mid-meeting loses the console at once), call the service,
and let :func:`record_change` commit and broadcast. The acknowledgement says
``ok`` with the new revision; the change itself reaches everyone, the sender
included, as a ``meeting_event``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..db import utcnow
from ..errors import InvalidField, NotAuthenticated
from ..http import id_list, int_field, optional_string, string_field
from ..realtime import events as wire
from ..realtime.broadcast import record_change
from ..realtime.dispatch import ANSWER, EventContext, EventTable, Rate
from ..realtime.errors import NotJoined
from ..realtime.presence import PRESENCE, PRESENCE_UPDATES, Connection
from ..state import SESSIONS
from . import live, speakers
from .access import MeetingAccess, readable_meeting
from .live_state import SHARED_PARTS, snapshot, turn_json

table = EventTable()
# A chair leafing through a document turns a few pages a second; more is a stuck key
# or a script, and each turn is a broadcast to every tablet.
PAGE_RATE = Rate(per_second=10, burst=10)
DEVICE_MAX = 40


async def joined_access(db: AsyncSession, context: EventContext) -> MeetingAccess:
    """The meeting this connection joined, as the user may see it now."""
    meeting_id = context.session.get("meeting_id")
    if meeting_id is None:
        raise NotJoined()
    user = await db.get(User, context.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    return await readable_meeting(db, user, meeting_id)


Action = Callable[[AsyncSession, MeetingAccess], Awaitable[list[str]]]


async def run_change(context: EventContext, action: Action) -> ANSWER:
    async with context.app[SESSIONS]() as db:
        access = await joined_access(db, context)
        await live.lock_meeting(db, access.meeting)
        parts = await action(db, access)
        rev = await record_change(context.app, db, access.meeting, parts)
    return {"ok": True, "rev": rev}


def _publish_presence(context: EventContext, meeting_id: int) -> None:
    context.app[PRESENCE_UPDATES].touch(meeting_id)


async def _leave(context: EventContext) -> None:
    meeting_id = context.session.pop("meeting_id", None)
    context.session.pop("participant_id", None)
    if meeting_id is None:
        return
    await context.namespace.leave_room(context.sid, wire.meeting_room(meeting_id))
    await context.namespace.leave_room(context.sid, wire.console_room(meeting_id))
    await context.app[PRESENCE].remove(meeting_id, context.sid)
    _publish_presence(context, meeting_id)


@table.on(wire.JOIN)
async def join(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    meeting_id = int_field(payload, "meeting_id", minimum=1)
    device = optional_string(payload, "device", DEVICE_MAX) or "?"
    async with context.app[SESSIONS]() as db:
        user = await db.get(User, context.user_id)
        if user is None or not user.is_active:
            raise NotAuthenticated()
        access = await readable_meeting(db, user, meeting_id)
        await _leave(context)
        namespace, sid = context.namespace, context.sid
        await namespace.enter_room(sid, wire.meeting_room(access.meeting.id))
        if live.may_run(access):
            await namespace.enter_room(sid, wire.console_room(access.meeting.id))
        context.session["meeting_id"] = access.meeting.id
        context.session["participant_id"] = access.participant.id \
            if access.participant else None
        await context.save_session()
        participant = access.participant
        await context.app[PRESENCE].add(access.meeting.id, Connection(
            sid=sid, user_id=user.id, name=user.full_name,
            participant_id=participant.id if participant else None, device=device,
            since=utcnow().isoformat()))
        state = await snapshot(db, access, context.app[SHARED_PARTS])
    _publish_presence(context, access.meeting.id)
    return {"ok": True, "snapshot": state}


@table.on(wire.SNAPSHOT)
async def take_snapshot(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    async with context.app[SESSIONS]() as db:
        return {"ok": True, "snapshot": await snapshot(db, await joined_access(db, context),
                                                       context.app[SHARED_PARTS])}


@table.on(wire.LEAVE)
async def leave(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    await _leave(context)
    await context.save_session()
    return {"ok": True}


@table.on_disconnect
async def disconnected(context: EventContext) -> None:
    await _leave(context)


@table.on(wire.START_MEETING)
async def start_meeting(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    return await run_change(context, live.start_meeting)


@table.on(wire.END_MEETING)
async def end_meeting(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    return await run_change(context, live.end_meeting)


@table.on(wire.GO_TO_ITEM)
async def go_to_item(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    item_id = int_field(payload, "item_id", minimum=1) or 0
    return await run_change(context, lambda db, a: live.go_to_item(db, a, item_id))


@table.on(wire.CONCLUDE_ITEM)
async def conclude_item(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    item_id = int_field(payload, "item_id", minimum=1) or 0
    conclusion = string_field(payload, "conclusion", live.CONCLUSION_MAX)
    return await run_change(context, lambda db, a: live.conclude_item(db, a, item_id, conclusion))


@table.on(wire.PRESENT)
async def present(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    document_id = int_field(payload, "document_id", minimum=1) or 0
    page = int_field(payload, "page", minimum=1, required=False, default=1) or 1
    return await run_change(context, lambda db, a: live.present(db, a, document_id, page))


@table.on(wire.TURN_PAGE, rate=PAGE_RATE)
async def turn_page(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    page = int_field(payload, "page", minimum=1) or 0
    return await run_change(context, lambda db, a: live.turn_page(db, a, page))


@table.on(wire.STOP_PRESENTING)
async def stop_presenting(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    return await run_change(context, live.stop_presenting)


@table.on(wire.REQUEST_TO_SPEAK)
async def request_to_speak(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    participant_id = int_field(payload, "participant_id", minimum=1, required=False)
    async with context.app[SESSIONS]() as db:
        access = await joined_access(db, context)
        await live.lock_meeting(db, access.meeting)
        turn, parts = await speakers.request_to_speak(db, access, participant_id)
        rev = await record_change(context.app, db, access.meeting, parts)
        return {"ok": True, "rev": rev, "turn": turn_json(turn, access.meeting)}


@table.on(wire.WITHDRAW_REQUEST)
async def withdraw_request(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    turn_id = int_field(payload, "turn_id", minimum=1) or 0
    return await run_change(context, lambda db, a: speakers.withdraw_request(db, a, turn_id))


@table.on(wire.DECLINE_REQUEST)
async def decline_request(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    turn_id = int_field(payload, "turn_id", minimum=1) or 0
    return await run_change(context, lambda db, a: speakers.decline_request(db, a, turn_id))


@table.on(wire.REORDER_QUEUE)
async def reorder_queue(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    turn_ids = id_list(payload, "turn_ids")
    return await run_change(context, lambda db, a: speakers.reorder_queue(db, a, turn_ids))


@table.on(wire.GIVE_FLOOR)
async def give_floor(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    turn_id = int_field(payload, "turn_id", minimum=1, required=False)
    participant_id = int_field(payload, "participant_id", minimum=1, required=False)
    if (turn_id is None) == (participant_id is None):
        raise InvalidField(field="turn_id", reason_key="error.field_required")
    limit = int_field(payload, "limit_seconds", minimum=speakers.LIMIT_MIN,
                      maximum=speakers.LIMIT_MAX, required=False)
    return await run_change(context, lambda db, a: speakers.give_floor(
        db, a, turn_id=turn_id, participant_id=participant_id, limit_seconds=limit))


@table.on(wire.END_TURN)
async def end_turn(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    return await run_change(context, speakers.end_turn)
