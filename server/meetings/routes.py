"""HTTP handlers of meetings: the list, one meeting, its life cycle, rooms and copies."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth.identity import page_user, require_user
from ..http import (
    bool_field,
    datetime_field,
    enum_field,
    id_list,
    int_field,
    json_body,
    json_response,
    optional_string,
    path_id,
    string_field,
)
from ..realtime.broadcast import record_change
from ..state import SESSIONS
from . import listing, service
from .access import MeetingAccess, editable_meeting, readable_meeting
from .agenda import agenda_tree
from .models import MeetingStatus
from .participants import participants_of, quorum
from .serialise import (
    access_json,
    agenda_json,
    meeting_json,
    participant_json,
    quorum_json,
    room_json,
)

routes = web.RouteTableDef()
TITLE_MAX, CODE_MAX = 300, 60


def my_meeting_json(item: listing.MyMeeting) -> dict[str, object]:
    return {**meeting_json(item.meeting), "my_role": item.role.value,
            "agenda_items": item.agenda_items, "documents": item.documents}


async def detail_json(db: Any, access: MeetingAccess) -> dict[str, Any]:
    meeting = access.meeting
    people = await participants_of(db, meeting.id)
    by_id = {p.id: p for p in people}
    return {
        "meeting": meeting_json(meeting),
        "me": access_json(access),
        "remote_rooms": [room_json(r) for r in await service.remote_rooms(db, meeting.id)],
        "participants": [participant_json(meeting, p, p.user, by_id) for p in people],
        "quorum": quorum_json(quorum(meeting, people)),
        "agenda": agenda_json(await agenda_tree(db, meeting.id)),
    }


@routes.get("/api/v1/meetings")
async def api_meetings(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        items = await listing.meetings_of(db, user.id)
    return json_response({"meetings": [my_meeting_json(i) for i in items]})


def _fields(body: dict[str, Any]) -> service.MeetingFields:
    return service.MeetingFields(
        title=string_field(body, "title", TITLE_MAX),
        code=optional_string(body, "code", CODE_MAX),
        organiser_unit_id=int_field(body, "organiser_unit_id", minimum=1) or 0,
        hall_room_id=int_field(body, "hall_room_id", minimum=1, required=False),
        starts_at=datetime_field(body, "starts_at"),  # type: ignore[arg-type]
        ends_at=datetime_field(body, "ends_at", required=False),
        substitutes_may_vote=bool_field(body, "substitutes_may_vote", True),
        record_video=bool_field(body, "record_video", False),
    )


@routes.post("/api/v1/meetings")
async def api_create_meeting(request: web.Request) -> web.Response:
    user = require_user(request)
    fields = _fields(await json_body(request))
    async with request.app[SESSIONS]() as db:
        meeting = await service.create_meeting(db, user, fields)
        await db.commit()
        access = await readable_meeting(db, user, meeting.id)
        return json_response(await detail_json(db, access), status=201)


@routes.get("/api/v1/meetings/{meeting_id}")
async def api_meeting(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        return json_response(await detail_json(db, access))


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    parsers = {
        "title": lambda: string_field(body, "title", TITLE_MAX),
        "code": lambda: optional_string(body, "code", CODE_MAX),
        "organiser_unit_id": lambda: int_field(body, "organiser_unit_id", minimum=1),
        "hall_room_id": lambda: int_field(body, "hall_room_id", minimum=1, required=False),
        "starts_at": lambda: datetime_field(body, "starts_at"),
        "ends_at": lambda: datetime_field(body, "ends_at", required=False),
        "substitutes_may_vote": lambda: bool_field(body, "substitutes_may_vote", True),
        "record_video": lambda: bool_field(body, "record_video", False),
    }
    return {name: parse() for name, parse in parsers.items() if name in body}


@routes.patch("/api/v1/meetings/{meeting_id}")
async def api_update_meeting(request: web.Request) -> web.Response:
    user = require_user(request)
    changes = _changes(await json_body(request))
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        recorded = access.meeting.record_video
        await service.update_meeting(db, access, changes)
        # Whether the meeting is recorded is part of its live status: every tablet shows it.
        await record_change(request.app, db, access.meeting,
                            ["status"] if access.meeting.record_video != recorded else [])
        return json_response(await detail_json(db, access))


@routes.post("/api/v1/meetings/{meeting_id}/status")
async def api_change_status(request: web.Request) -> web.Response:
    user = require_user(request)
    target = enum_field(await json_body(request), "status", MeetingStatus)
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        meeting = await service.change_status(db, access, target)
        await record_change(request.app, db, meeting, ["status"])
        return json_response({"meeting": meeting_json(meeting)})


@routes.put("/api/v1/meetings/{meeting_id}/rooms")
async def api_set_rooms(request: web.Request) -> web.Response:
    user = require_user(request)
    room_ids = id_list(await json_body(request), "room_ids")
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await service.set_remote_rooms(db, access, room_ids)
        await db.commit()
        rooms = await service.remote_rooms(db, access.meeting.id)
        return json_response({"remote_rooms": [room_json(r) for r in rooms]})


@routes.post("/api/v1/meetings/{meeting_id}/copy")
async def api_copy_meeting(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    starts_at = datetime_field(body, "starts_at")
    ends_at = datetime_field(body, "ends_at", required=False)
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        copy = await service.copy_meeting(db, access, starts_at, ends_at)  # type: ignore[arg-type]
        await db.commit()
        return json_response(await detail_json(db, await readable_meeting(db, user, copy.id)),
                             status=201)


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    from ..pages import render

    user = page_user(request)
    async with request.app[SESSIONS]() as db:
        items = await listing.meetings_of(db, user.id)
    return await render(request, "home.html", meetings=items)
