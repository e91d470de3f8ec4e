"""The minutes' pages: the page where the minutes are written, signed and published, and
the page where anyone signed in checks a signed PDF.

Both render only what identifies the meeting and the reader; the minutes
themselves (sections, signatures, whose turn it is, what the reader may do)
come from ``/api/v1`` in the page's module, so the page never disagrees with
what the API would allow. A stranger to the meeting gets the 404 page, like
every meeting page; a participant before publication sees that the minutes are
not out yet.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.identity import page_user
from ..http import path_id
from ..i18n import catalog
from ..meetings.access import MeetingAccess, readable_meeting
from ..meetings.models import MeetingStatus
from ..meetings.participants import participants_of
from ..pages import render, request_locale
from ..state import SESSIONS
from . import service
from .models import Minutes, MinutesStatus

routes = web.RouteTableDef()

ENDED = frozenset({MeetingStatus.ENDED, MeetingStatus.ARCHIVED})
# Catalog sections each page's script reads; everything else stays on the server.
PAGE_STRINGS = ("minutes_page.", "minutes_status.", "minutes.role.",
                "meeting_pages.network_error", "meeting_pages.cancel")
VERIFY_STRINGS = ("minutes_verify.", "minutes.report.", "minutes.change.", "minutes.role.",
                  "meeting_pages.network_error")


def _strings(locale: str, prefixes: tuple[str, ...]) -> dict[str, str]:
    return {key: text for key, text in catalog(locale).items() if key.startswith(prefixes)}


async def minutes_linked(db: AsyncSession, access: MeetingAccess) -> bool:
    """Whether the meeting page links to the minutes: for those who make and sign them
    once the meeting has ended, for every reader once they are published."""
    status = await db.scalar(select(Minutes.status).where(
        Minutes.meeting_id == access.meeting.id))
    if status == MinutesStatus.PUBLISHED:
        return True
    return access.meeting.status in ENDED and service.may_read_draft(access)


@routes.get("/meetings/{meeting_id}/minutes", name="meeting-minutes")
async def minutes_page(request: web.Request) -> web.Response:
    user = page_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        # The history of saves names its authors by id: the page knows the names of
        # those who may have saved (the meeting's people, and the reader).
        people: dict[int, str] = {}
        if service.may_read_draft(access):
            people = {p.user_id: p.user.full_name
                      for p in await participants_of(db, access.meeting.id)}
    people[user.id] = user.full_name
    meeting = access.meeting
    return await render(
        request, "minutes/edit.html", meeting=meeting, access=access,
        page_state={"meeting_id": meeting.id, "ended": meeting.status in ENDED,
                    "may_start": service.may_edit(access) and meeting.status in ENDED,
                    "may_export": service.may_edit(access), "people": people},
        strings=_strings(request_locale(request), PAGE_STRINGS))


@routes.get("/minutes/verify", name="minutes-verify")
async def verify_page(request: web.Request) -> web.Response:
    page_user(request)
    return await render(request, "minutes/verify.html",
                        strings=_strings(request_locale(request), VERIFY_STRINGS))
