"""HTTP handlers of the meetings area: the home page and the meeting list."""

from __future__ import annotations

from aiohttp import web

from ..auth.identity import current_user, require_user
from ..http import json_response
from ..state import SESSIONS
from . import service

routes = web.RouteTableDef()


def my_meeting_json(item: service.MyMeeting) -> dict[str, object]:
    meeting = item.meeting
    return {
        "id": meeting.id,
        "code": meeting.code,
        "title": meeting.title,
        "status": meeting.status.value,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
        "organiser": {"id": meeting.organiser.id, "name": meeting.organiser.name},
        "hall": {"id": meeting.hall.id, "name": meeting.hall.name} if meeting.hall else None,
        "my_role": item.role.value,
        "agenda_items": item.agenda_items,
        "documents": item.documents,
    }


@routes.get("/api/v1/meetings")
async def api_meetings(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        items = await service.meetings_of(db, user.id)
    return json_response({"meetings": [my_meeting_json(i) for i in items]})


@routes.get("/", name="home")
async def home(request: web.Request) -> web.Response:
    from ..pages import render

    user = current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    async with request.app[SESSIONS]() as db:
        items = await service.meetings_of(db, user.id)
    return await render(request, "home.html", meetings=items)
