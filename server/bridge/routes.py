"""HTTP view of a meeting's video for the chair's console: every endpoint, connected or not.

The console's panel needs three things that live in three places: who is on the
bridge and how loud (the worker's ``GET /meetings/{m}``), which rooms the meeting
invites (the database), and each room's last heartbeat (``RoomHealth``, written by
whichever server process got it). One request merges them, so the console polls
one URL every few seconds rather than the worker, which is not reachable from a
browser anyway. A worker that does not answer is not an error here: the rooms are
listed as not connected and ``placed`` says why.

Each endpoint's ``budget_kbps`` is what the worker applies to it; for a room not on
the bridge, its ``link_kbps`` (what it will get), so the chair sees a room's link
before it connects. ``sent_kbps`` is what the worker measured sending it lately.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.identity import require_user
from ..db import utcnow
from ..http import json_response, path_id
from ..meetings.access import readable_meeting
from ..meetings.live import ensure_runner
from ..meetings.models import Meeting, Participant, Room
from ..meetings.service import remote_rooms
from ..state import SESSIONS, SETTINGS
from .errors import NoBridge
from .models import RoomHealth
from .recordings import MEDIA_TYPE, Recording, recording, recordings_of
from .registry import REGISTRY
from .signalling import room_peer

routes = web.RouteTableDef()


async def _worker_view(app: web.Application, meeting_id: int) -> dict[str, Any] | None:
    """The worker's view of the meeting, or None when it has no live worker or no answer."""
    registry = app.get(REGISTRY)
    worker = await registry.placed(meeting_id) if registry is not None else None
    if worker is None:
        return None
    try:
        return await worker.meeting(meeting_id)
    except NoBridge:
        return None


async def _rooms(db: AsyncSession, meeting: Meeting) -> list[Room]:
    """The hall first, then the remote rooms by name."""
    rooms = list(await remote_rooms(db, meeting.id))
    if meeting.hall is not None:
        rooms.insert(0, meeting.hall)
    return rooms


def _health(row: RoomHealth | None, meeting_id: int) -> dict[str, Any] | None:
    if row is None or row.meeting_id != meeting_id:
        return None  # nothing from this meeting yet: an older meeting's figures would mislead
    return {**row.data, "at": row.at.isoformat(),
            "age_seconds": max(0, round((utcnow() - row.at).total_seconds()))}


@routes.get("/api/v1/meetings/{meeting_id}/video")
async def api_video(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        ensure_runner(access)
        meeting = access.meeting
        rooms = await _rooms(db, meeting)
        participants = list(await db.scalars(
            select(Participant).where(Participant.meeting_id == meeting.id)
            .order_by(Participant.id)))
        health = {row.room_id: row for row in await db.scalars(
            select(RoomHealth).where(RoomHealth.room_id.in_([r.id for r in rooms])))}
    view = await _worker_view(request.app, meeting.id)
    peers = {p["peer_id"]: p for p in (view or {}).get("peers", [])}
    floor = (view or {}).get("floor")
    speaker = (view or {}).get("active_speaker")

    # A room's floor goes to a participant seated in it (the first: its own account).
    seated: dict[int, Participant] = {}
    for p in participants:
        if p.room_id is not None:
            seated.setdefault(p.room_id, p)
    by_user = {p.user_id: p for p in participants}

    def endpoint(peer_id: str, kind: str, name: str, participant: Participant | None,
                 room: Room | None) -> dict[str, Any]:
        peer = peers.get(peer_id)
        budget = peer.get("budget_kbps") if peer else (room.link_kbps or None) if room else None
        return {
            "peer_id": peer_id, "kind": kind, "name": name,
            "participant_id": participant.id if participant else None,
            "hall": room is not None and room.id == meeting.hall_room_id,
            "connected": peer is not None, "state": peer.get("state") if peer else None,
            "audio_level": peer.get("audio_level") if peer else None,
            "muted": peer.get("muted") if peer else None,
            "floor": peer_id == floor, "active_speaker": peer_id == speaker,
            "health": _health(health.get(room.id), meeting.id) if room else None,
            "budget_kbps": budget, "sent_kbps": peer.get("sent_kbps") if peer else None,
        }

    endpoints = [endpoint(room_peer(r.id), "room", r.name, seated.get(r.id), r) for r in rooms]
    for peer_id, peer in peers.items():
        if peer_id.startswith("user-") and peer_id[5:].isdigit():
            participant = by_user.get(int(peer_id[5:]))
            name = peer.get("name") or (participant.user.full_name if participant else peer_id)
            endpoints.append(endpoint(peer_id, "browser", name, participant, None))
    known = {e["peer_id"] for e in endpoints}
    # A peer the worker has that is neither an invited room nor a participant's browser.
    endpoints += [endpoint(peer_id, "other", peer.get("name") or peer_id, None, None)
                  for peer_id, peer in peers.items() if peer_id not in known]
    return json_response({"placed": view is not None, "floor": floor,
                          "active_speaker": speaker, "record_video": meeting.record_video,
                          "recording": (view or {}).get("recording"),
                          "endpoints": endpoints})


def recording_json(meeting_id: int, item: Recording) -> dict[str, Any]:
    return {"name": item.name, "size": item.size, "started_at": item.started_at.isoformat(),
            "updated_at": item.updated_at.isoformat(),
            "url": f"/api/v1/meetings/{meeting_id}/recordings/{item.name}"}


async def _runner_meeting(request: web.Request) -> Meeting:
    """The meeting of the path, for those who run it (recordings are theirs to archive)."""
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        ensure_runner(access)
        return access.meeting


@routes.get("/api/v1/meetings/{meeting_id}/recordings")
async def api_recordings(request: web.Request) -> web.Response:
    meeting = await _runner_meeting(request)
    folder = request.app[SETTINGS].bridge.recordings_path
    items = recordings_of(folder, meeting.id)
    return json_response({"record_video": meeting.record_video,
                          "recordings": [recording_json(meeting.id, r) for r in items]})


@routes.get("/api/v1/meetings/{meeting_id}/recordings/{name}")
async def api_recording_file(request: web.Request) -> web.FileResponse:
    meeting = await _runner_meeting(request)
    item = recording(request.app[SETTINGS].bridge.recordings_path, meeting.id,
                     request.match_info["name"])
    return web.FileResponse(item.path, headers={
        "Content-Type": MEDIA_TYPE,
        "Content-Disposition": f'attachment; filename="phong-hop-{meeting.id}-{item.name}"',
        "Cache-Control": "private, no-store",
    })

