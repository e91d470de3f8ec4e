"""HTTP handlers of polls: list, define and change drafts, read one (docs/voting.md).

Steps that everyone sees at once (open, close, publish) and ballots go through
Socket.IO (:mod:`.events`); preparing a poll is a form like the others.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth.identity import require_user
from ..errors import InvalidField, NotFound
from ..http import (
    bool_field,
    enum_field,
    int_field,
    json_body,
    json_response,
    path_id,
    string_field,
)
from ..meetings.access import readable_meeting
from ..meetings.live import may_run
from ..realtime.broadcast import record_change
from ..state import SESSIONS
from . import service
from .models import Majority, PollKind, ShareBase
from .serialise import poll_answer, poll_json

routes = web.RouteTableDef()


def _fields(body: dict[str, Any]) -> service.PollFields:
    options = body.get("options", [])
    if not isinstance(options, list) or len(options) > 100 \
            or not all(isinstance(o, str) for o in options):
        raise InvalidField(field="options", reason_key="error.field_list")
    return service.PollFields(
        title=string_field(body, "title", service.TITLE_MAX),
        kind=enum_field(body, "kind", PollKind),
        options=options,
        secret=bool_field(body, "secret", False),
        max_selections=int_field(body, "max_selections", minimum=1, maximum=100,
                                 required=False, default=1) or 1,
        allow_change=bool_field(body, "allow_change", False),
        majority=enum_field(body, "majority", Majority, Majority.MORE_THAN_HALF),
        numerator=int_field(body, "numerator", minimum=1, maximum=100, required=False,
                            default=1) or 1,
        denominator=int_field(body, "denominator", minimum=1, maximum=100, required=False,
                              default=2) or 2,
        base=enum_field(body, "base", ShareBase, ShareBase.MEMBERS),
        quorum_numerator=int_field(body, "quorum_numerator", minimum=1, maximum=100,
                                   required=False, default=2) or 2,
        quorum_denominator=int_field(body, "quorum_denominator", minimum=1, maximum=100,
                                     required=False, default=3) or 3,
        duration_seconds=int_field(body, "duration_seconds", minimum=service.DURATION_MIN,
                                   maximum=service.DURATION_MAX, required=False),
        agenda_item_id=int_field(body, "agenda_item_id", minimum=1, required=False),
    )


@routes.get("/api/v1/meetings/{meeting_id}/polls")
async def api_polls(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        polls = await service.polls_of(db, access.meeting.id, drafts=may_run(access))
        return json_response({"polls": [await poll_answer(db, p) for p in polls]})


@routes.post("/api/v1/meetings/{meeting_id}/polls")
async def api_create_poll(request: web.Request) -> web.Response:
    user = require_user(request)
    fields = _fields(await json_body(request))
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        poll = await service.create_poll(db, access, fields)
        await db.commit()
        return json_response({"poll": poll_json(poll)}, status=201)


async def _poll_access(db: Any, request: web.Request) -> tuple[Any, int]:
    user = require_user(request)
    poll_id = path_id(request, "poll_id")
    access = await readable_meeting(db, user, await service.meeting_of_poll(db, poll_id))
    return access, poll_id


@routes.get("/api/v1/polls/{poll_id}")
async def api_poll(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as db:
        access, poll_id = await _poll_access(db, request)
        poll = await service.poll_in(db, access.meeting.id, poll_id)
        if poll.status.value == "draft" and not may_run(access):
            raise NotFound()
        return json_response({"poll": await poll_answer(db, poll)})


@routes.patch("/api/v1/polls/{poll_id}")
async def api_update_poll(request: web.Request) -> web.Response:
    fields = _fields(await json_body(request))
    async with request.app[SESSIONS]() as db:
        access, poll_id = await _poll_access(db, request)
        poll = await service.update_poll(db, access, poll_id, fields)
        await db.commit()
        return json_response({"poll": poll_json(poll)})


@routes.delete("/api/v1/polls/{poll_id}")
async def api_delete_poll(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as db:
        access, poll_id = await _poll_access(db, request)
        await service.delete_poll(db, access, poll_id)
        await record_change(request.app, db, access.meeting, [])
    return web.Response(status=204)
