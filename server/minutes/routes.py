"""HTTP handlers of the minutes: start the draft, read it, save and reset sections.

Thin, as elsewhere: the access rule of the meeting first (a stranger gets 404),
then :mod:`.service`. Signing, publishing and the files are in :mod:`.workflow`'s
routes below.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth.identity import require_user
from ..http import int_field, json_body, json_response, path_id, string_field
from ..meetings.access import MeetingAccess, readable_meeting
from ..state import SESSIONS
from . import service
from .models import Minutes

routes = web.RouteTableDef()
BASE = "/api/v1/meetings/{meeting_id}/minutes"


async def _answer(db: Any, access: MeetingAccess, minutes: Minutes, status: int = 200
                  ) -> web.Response:
    version = await service.current_version(db, minutes)
    body = service.minutes_json(minutes, version, with_sections=service.may_read_draft(access))
    return json_response({"minutes": body}, status=status)


@routes.post(BASE)
async def api_start(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.start_minutes(db, access)
        await db.commit()
        return await _answer(db, access, minutes, status=201)


@routes.get(BASE)
async def api_minutes(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        return await _answer(db, access, await service.minutes_of(db, access))


@routes.put(BASE + "/sections/{key}")
async def api_save_section(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    text = string_field(body, "text", service.TEXT_MAX)
    based_on = int_field(body, "version", minimum=1) or 0
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.save_section(db, access, request.match_info["key"], text,
                                             based_on)
        await db.commit()
        return await _answer(db, access, minutes)


@routes.post(BASE + "/sections/{key}/reset")
async def api_reset_section(request: web.Request) -> web.Response:
    user = require_user(request)
    based_on = int_field(await json_body(request), "version", minimum=1) or 0
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.reset_section(db, access, request.match_info["key"], based_on)
        await db.commit()
        return await _answer(db, access, minutes)
