"""HTTP handlers of a meeting's participants: add, change, remove, roll call, check-in."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth.identity import require_user
from ..http import (
    bool_field,
    enum_field,
    int_field,
    json_body,
    json_response,
    optional_string,
    path_id,
)
from ..realtime.broadcast import record_change
from ..state import SESSIONS
from . import participants as people
from .access import editable_meeting, readable_meeting
from .models import Attendance, MeetingRole
from .serialise import participant_json, quorum_json

routes = web.RouteTableDef()
BASE = "/api/v1/meetings/{meeting_id}/participants"


async def _answer(db: Any, meeting: Any, status: int = 200, **extra: Any) -> web.Response:
    everyone = await people.participants_of(db, meeting.id)
    by_id = {p.id: p for p in everyone}
    return json_response({
        **extra,
        "participants": [participant_json(meeting, p, p.user, by_id) for p in everyone],
        "quorum": quorum_json(people.quorum(meeting, everyone)),
    }, status=status)


@routes.get(BASE)
async def api_participants(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        return await _answer(db, access.meeting)


@routes.post(BASE)
async def api_add_participant(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    fields = {
        "user_id": int_field(body, "user_id", minimum=1),
        "role": enum_field(body, "role", MeetingRole, MeetingRole.DELEGATE),
        "voting_right": bool_field(body, "voting_right", False),
        "seat": int_field(body, "seat", minimum=1, maximum=10_000, required=False),
        "room_id": int_field(body, "room_id", minimum=1, required=False),
    }
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        added = await people.add_participant(db, access, **fields)
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting, status=201, added=[added.id])


@routes.post(BASE + "/units")
async def api_add_unit(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    fields = {
        "unit_id": int_field(body, "unit_id", minimum=1),
        "role": enum_field(body, "role", MeetingRole, MeetingRole.DELEGATE),
        "voting_right": bool_field(body, "voting_right", False),
        "room_id": int_field(body, "room_id", minimum=1, required=False),
    }
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        added = await people.add_unit(db, access, **fields)
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting, status=201, added=[p.id for p in added])


@routes.post(BASE + "/substitutes")
async def api_add_substitute(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    fields = {
        "member_id": int_field(body, "member_id", minimum=1),
        "user_id": int_field(body, "user_id", minimum=1),
        "room_id": int_field(body, "room_id", minimum=1, required=False),
    }
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        added = await people.add_substitute(db, access, **fields)
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting, status=201, added=[added.id])


@routes.patch(BASE + "/{participant_id}")
async def api_update_participant(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    parsers = {
        "role": lambda: enum_field(body, "role", MeetingRole),
        "voting_right": lambda: bool_field(body, "voting_right", False),
        "seat": lambda: int_field(body, "seat", minimum=1, maximum=10_000, required=False),
        "room_id": lambda: int_field(body, "room_id", minimum=1, required=False),
    }
    changes = {name: parse() for name, parse in parsers.items() if name in body}
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await people.update_participant(
            db, access, path_id(request, "participant_id"), changes)
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting)


@routes.delete(BASE + "/{participant_id}")
async def api_remove_participant(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await people.remove_participant(db, access, path_id(request, "participant_id"))
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting)


@routes.post(BASE + "/{participant_id}/attendance")
async def api_set_attendance(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    attendance = enum_field(body, "attendance", Attendance)
    reason = optional_string(body, "absence_reason", 500)
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await people.set_attendance(
            db, access, path_id(request, "participant_id"), attendance, reason)
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting)


@routes.post("/api/v1/meetings/{meeting_id}/check-in")
async def api_check_in(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        await people.check_in(db, access)
        await record_change(request.app, db, access.meeting, ["attendance"])
        return await _answer(db, access.meeting)
