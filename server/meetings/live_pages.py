"""The pages of a meeting in progress: the delegate's tablet reader, the chair's
console, the hall screen, a browser's video endpoint, and the service worker that
keeps them working offline.

Each page renders only what identifies the meeting and the reader; the live
state arrives over Socket.IO (``join`` answers with a snapshot) and the
documents from the reader's own manifest, so the page itself holds nothing
that a reconnect would have to correct. The console refuses anyone who may not
run the meeting (403 page); the others follow the meeting's read rule.
"""

from __future__ import annotations

from aiohttp import web

from ..auth.identity import page_user
from ..errors import Forbidden
from ..http import path_id
from ..i18n import catalog
from ..pages import render, request_locale
from ..settings import ROOT
from ..state import SESSIONS
from .access import MeetingAccess, readable_meeting
from .live import may_run

routes = web.RouteTableDef()

# Catalog sections the live pages' scripts read.
LIVE_STRINGS = ("live.", "meeting_role.", "meeting_status.", "meeting_pages.network_error")
SERVICE_WORKER = ROOT / "web" / "static" / "js" / "sw.js"


def live_strings(locale: str) -> dict[str, str]:
    return {key: text for key, text in catalog(locale).items() if key.startswith(LIVE_STRINGS)}


async def _page(request: web.Request, template: str, *, console: bool = False) -> web.Response:
    user = page_user(request)
    async with request.app[SESSIONS]() as db:
        access: MeetingAccess = await readable_meeting(db, user, path_id(request, "meeting_id"))
    chair = may_run(access)
    if console and not chair:
        raise Forbidden()
    return await render(request, template, meeting=access.meeting, access=access,
                        may_chair=chair, strings=live_strings(request_locale(request)))


@routes.get("/meetings/{meeting_id}/live", name="meeting-live")
async def reader_page(request: web.Request) -> web.Response:
    return await _page(request, "live/reader.html")


@routes.get("/meetings/{meeting_id}/console", name="meeting-console")
async def console_page(request: web.Request) -> web.Response:
    return await _page(request, "live/console.html", console=True)


@routes.get("/meetings/{meeting_id}/screen", name="meeting-screen")
async def screen_page(request: web.Request) -> web.Response:
    return await _page(request, "live/screen.html")


@routes.get("/meetings/{meeting_id}/video", name="meeting-video")
async def video_page(request: web.Request) -> web.Response:
    """A browser endpoint of the video bridge, for a participant away from any room."""
    return await _page(request, "live/video.html")


@routes.get("/sw.js", name="service-worker")
async def service_worker(_request: web.Request) -> web.StreamResponse:
    """Served from the root so that its scope covers the pages and ``/files/``; revalidated
    on every load, so a new version of the application reaches tablets at once."""
    return web.FileResponse(SERVICE_WORKER, headers={
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "no-cache",
        "Service-Worker-Allowed": "/",
    })
