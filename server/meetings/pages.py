"""The meeting pages: create a meeting, read it, and prepare it (the secretary's page).

Thin handlers over the same access rule and services as the JSON API: a
stranger gets the 404 page, a participant who may not edit gets the 403 page
on ``/edit``. The pages render what is known at once (facts, agenda,
participants, quorum) and hand the rest to small ES modules that talk to
``/api/v1``; what those modules show comes from the catalog, passed to them as
a JSON block (``strings``), never written in the scripts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.identity import page_user
from ..bridge.recordings import recordings_of
from ..errors import Forbidden
from ..http import path_id
from ..i18n import catalog
from ..minutes.pages import minutes_linked
from ..organisation.rooms import list_rooms
from ..organisation.units import flatten, unit_tree
from ..pages import VIETNAM, render, request_locale
from ..state import SESSIONS, SETTINGS
from . import service
from .access import MeetingAccess, editable_meeting, may_create_meetings, readable_meeting
from .agenda import agenda_tree
from .live import may_run
from .models import Attendance, MeetingRole, MeetingStatus, RoomKind
from .participants import CHECK_IN_OPEN, PRESENT, participants_of, quorum
from .routes import detail_json

routes = web.RouteTableDef()

# Catalog sections the page scripts read; everything else stays on the server.
SCRIPT_STRINGS = ("meeting_pages.", "meeting_role.", "meeting_status.", "live.offline.")


def script_strings(locale: str) -> dict[str, str]:
    return {key: text for key, text in catalog(locale).items() if key.startswith(SCRIPT_STRINGS)}


def local_input(moment: datetime | None) -> str:
    """The value of a ``datetime-local`` field: Vietnam wall time, to the minute."""
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M") if moment else ""


async def _units_and_rooms(db: AsyncSession) -> dict[str, Any]:
    """The organisation as choices: units in tree order (each after its parent), halls,
    remote rooms; in the order the organisation's own pages use."""
    rooms = await list_rooms(db)
    return {"units": [node.unit for node in flatten(await unit_tree(db))],
            "halls": [r for r in rooms if r.kind == RoomKind.HALL],
            "remote_rooms": [r for r in rooms if r.kind == RoomKind.REMOTE]}


def _end_label(meeting: Any) -> str | None:
    """Only the time when the meeting ends on the day it starts."""
    if meeting.ends_at is None:
        return None
    start, end = meeting.starts_at.astimezone(VIETNAM), meeting.ends_at.astimezone(VIETNAM)
    return f"{end:%H:%M}" if start.date() == end.date() else None


@routes.get("/meetings/new", name="meeting-new")
async def new_meeting_page(request: web.Request) -> web.Response:
    user = page_user(request)
    if not may_create_meetings(user):
        raise Forbidden()
    async with request.app[SESSIONS]() as db:
        choices = await _units_and_rooms(db)
    return await render(
        request, "meetings/new.html", **choices, strings=script_strings(request_locale(request)),
        default_unit_id=user.unit_id)


@routes.get("/meetings/{meeting_id}", name="meeting")
async def meeting_page(request: web.Request) -> web.Response:
    user = page_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        meeting = access.meeting
        people = await participants_of(db, meeting.id)
        me = access.participant
        return await render(
            request, "meetings/show.html",
            meeting=meeting, access=access, participants=people,
            by_id={p.id: p for p in people},
            quorum=quorum(meeting, people),
            agenda=await agenda_tree(db, meeting.id),
            remote_rooms=await service.remote_rooms(db, meeting.id),
            end_label=_end_label(meeting),
            may_check_in=me is not None and meeting.status in CHECK_IN_OPEN,
            checked_in=me is not None and me.attendance in PRESENT,
            minutes_link=await minutes_linked(db, access),
            recordings=recordings_of(request.app[SETTINGS].bridge.recordings_path, meeting.id)
            if may_run(access) else [],
            strings=script_strings(request_locale(request)))


@routes.get("/meetings/{meeting_id}/edit", name="meeting-edit")
async def edit_meeting_page(request: web.Request) -> web.Response:
    user = page_user(request)
    async with request.app[SESSIONS]() as db:
        access: MeetingAccess = await editable_meeting(db, user, path_id(request, "meeting_id"))
        meeting = access.meeting
        choices = await _units_and_rooms(db)
        state = await detail_json(db, access)
        chosen_rooms = {r["id"] for r in state["remote_rooms"]}
        return await render(
            request, "meetings/edit.html",
            meeting=meeting, access=access, state=state, chosen_rooms=chosen_rooms, **choices,
            starts_value=local_input(meeting.starts_at), ends_value=local_input(meeting.ends_at),
            frozen=meeting.status in service.FROZEN,
            roll_call_open=meeting.status in CHECK_IN_OPEN,
            roles=list(MeetingRole), attendances=list(Attendance),
            statuses=MeetingStatus,
            max_upload_mb=request.app[SETTINGS].documents.max_upload_mb,
            strings=script_strings(request_locale(request)))
