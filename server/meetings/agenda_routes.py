"""HTTP handlers of a meeting's agenda: items and their order."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth.identity import require_user
from ..errors import InvalidField
from ..http import int_field, json_body, json_response, optional_string, path_id, string_field
from ..realtime.broadcast import record_change
from ..state import SESSIONS
from . import agenda
from .access import editable_meeting, readable_meeting
from .serialise import agenda_json

routes = web.RouteTableDef()
BASE = "/api/v1/meetings/{meeting_id}/agenda"
TITLE_MAX, PRESENTER_MAX, NOTES_MAX, MINUTES_MAX = 500, 200, 5000, 24 * 60


async def _answer(db: Any, meeting_id: int, status: int = 200, **extra: Any) -> web.Response:
    tree = await agenda.agenda_tree(db, meeting_id)
    return json_response({**extra, "agenda": agenda_json(tree),
                          "total_minutes": sum(n.total_minutes for n in tree)}, status=status)


@routes.get(BASE)
async def api_agenda(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        return await _answer(db, access.meeting.id)


@routes.post(BASE)
async def api_add_item(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    fields = {
        "title": string_field(body, "title", TITLE_MAX),
        "presenter": optional_string(body, "presenter", PRESENTER_MAX),
        "planned_minutes": int_field(body, "planned_minutes", maximum=MINUTES_MAX,
                                     required=False, default=0),
        "parent_id": int_field(body, "parent_id", minimum=1, required=False),
        "notes": optional_string(body, "notes", NOTES_MAX),
    }
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        item = await agenda.add_item(db, access, **fields)
        await record_change(request.app, db, access.meeting, ["item"])
        return await _answer(db, access.meeting.id, status=201, added=item.id)


@routes.patch(BASE + "/{item_id}")
async def api_update_item(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    parsers = {
        "title": lambda: string_field(body, "title", TITLE_MAX),
        "presenter": lambda: optional_string(body, "presenter", PRESENTER_MAX),
        "planned_minutes": lambda: int_field(body, "planned_minutes", maximum=MINUTES_MAX),
        "notes": lambda: optional_string(body, "notes", NOTES_MAX),
    }
    changes = {name: parse() for name, parse in parsers.items() if name in body}
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await agenda.update_item(db, access, path_id(request, "item_id"), changes)
        await record_change(request.app, db, access.meeting, ["item"])
        return await _answer(db, access.meeting.id)


@routes.delete(BASE + "/{item_id}")
async def api_delete_item(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await agenda.delete_item(db, access, path_id(request, "item_id"))
        await record_change(request.app, db, access.meeting, ["item"])
        return await _answer(db, access.meeting.id)


def _placements(body: dict[str, Any]) -> list[agenda.Placement]:
    entries = body.get("order")
    if not isinstance(entries, list) or len(entries) > 1000 or not all(
            isinstance(e, dict) for e in entries):
        raise InvalidField(field="order", reason_key="error.field_list")
    return [agenda.Placement(
        item_id=int_field(e, "id", minimum=1) or 0,
        parent_id=int_field(e, "parent_id", minimum=1, required=False),
        position=int_field(e, "position", minimum=1, maximum=1000) or 0) for e in entries]


@routes.put(BASE + "/order")
async def api_reorder(request: web.Request) -> web.Response:
    user = require_user(request)
    order = _placements(await json_body(request))
    async with request.app[SESSIONS]() as db:
        access = await editable_meeting(db, user, path_id(request, "meeting_id"))
        await agenda.reorder(db, access, order)
        await record_change(request.app, db, access.meeting, ["item"])
        return await _answer(db, access.meeting.id)
