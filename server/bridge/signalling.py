"""Socket.IO handlers of the video bridge: join, offer, leave, heartbeats, mute; and
the floor, which the bridge follows from the speaking turns.

The server only relays: it checks who may send what (a room agent only for a room
its meeting invites, a browser for a participant), picks the meeting's worker
(:mod:`.registry`), passes the offer on and the answer back. Commands for an
endpoint (mute, unmute, reconnect) go to the whole meeting room naming the peer,
so they reach it whichever server process holds its socket.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..errors import InvalidField
from ..http import bool_field, string_field
from ..meetings.access import MeetingAccess
from ..meetings.events import joined_access
from ..meetings.live import ensure_runner
from ..meetings.models import Meeting, MeetingStatus, Room
from ..meetings.service import remote_rooms
from ..meetings.speakers import speaker_of
from ..realtime import events as wire
from ..realtime.broadcast import on_part, publish
from ..realtime.dispatch import ANSWER, EventContext, EventTable, Rate
from ..state import SESSIONS, SETTINGS
from .errors import InvalidSdp, NoBridge, NotInvited, NoVideoPeer
from .models import RoomHealth
from .registry import REGISTRY, bridge_context

log = logging.getLogger("phonghop.bridge")
table = EventTable()
OPEN = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.LIVE})
HEARTBEAT_RATE = Rate(per_second=1, burst=3)
VIEW_RATE = Rate(per_second=1, burst=3)


class Endpoint:
    AGENT = "agent"
    BROWSER = "browser"


def room_peer(room_id: int) -> str:
    return f"room-{room_id}"


def user_peer(user_id: int) -> str:
    return f"user-{user_id}"


async def _peer_for(db: AsyncSession, access: MeetingAccess, endpoint: str) -> tuple[str, str]:
    """The peer id and display name of this endpoint, or :class:`NotInvited`."""
    me = access.participant
    meeting = access.meeting
    if me is None or meeting.status not in OPEN:
        raise NotInvited()
    if endpoint == Endpoint.BROWSER:
        return user_peer(access.user.id), access.user.full_name
    invited = {r.id: r.name for r in await remote_rooms(db, meeting.id)}
    if meeting.hall is not None:
        invited[meeting.hall.id] = meeting.hall.name
    if me.room_id not in invited:
        raise NotInvited()
    return room_peer(me.room_id), invited[me.room_id]


@table.on(wire.VIDEO_JOIN)
async def video_join(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    endpoint = string_field(payload, "endpoint", 20)
    if endpoint not in (Endpoint.AGENT, Endpoint.BROWSER):
        raise InvalidField(field="endpoint", reason_key="error.field_choice",
                           reason={"choices": "agent, browser"})
    async with context.app[SESSIONS]() as db:
        access = await joined_access(db, context)
        peer_id, name = await _peer_for(db, access, endpoint)
    await context.app[REGISTRY].worker_for(access.meeting.id)
    # A room's agent carries its room (its link budget is read at each offer).
    room_id = access.participant.room_id if endpoint == Endpoint.AGENT else None
    context.session["video"] = {"peer_id": peer_id, "name": name, "room_id": room_id,
                                "meeting_id": access.meeting.id}
    await context.save_session()
    settings = context.app[SETTINGS].bridge
    return {"ok": True, "peer_id": peer_id, "ice_servers": ice_servers(settings.ice_servers),
            "codec": settings.codec, "thumbnails": settings.thumbnails}


def ice_servers(servers: Any) -> list[dict[str, Any]]:
    """RTCIceServer dictionaries; a TURN server's credentials only where it has them."""
    return [{"urls": list(s.urls), **({"username": s.username, "credential": str(s.credential)}
                                      if s.username else {})} for s in servers]


def _video(context: EventContext, payload: dict[str, Any]) -> dict[str, Any]:
    video = context.session.get("video")
    if not video or payload.get("peer_id") != video["peer_id"]:
        raise NoVideoPeer()
    return dict(video)


@table.on(wire.VIDEO_OFFER, max_bytes=wire.MAX_SDP_BYTES)
async def video_offer(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    video = _video(context, payload)
    sdp = string_field(payload, "sdp", wire.MAX_SDP_BYTES)
    if payload.get("type") != "offer" or not sdp.startswith("v=0"):
        raise InvalidSdp()
    settings = context.app[SETTINGS].bridge
    # A room's agent is sent what its link carries (read at every offer, so a budget the
    # administrator changed applies at the next connection); a browser has no budget.
    async with context.app[SESSIONS]() as db:
        meeting = await db.get(Meeting, video["meeting_id"])
        record = meeting is not None and recorded(meeting)
        room = await db.get(Room, video["room_id"]) if video.get("room_id") else None
        budget = room.link_kbps if room is not None and room.link_kbps else None
    worker = await context.app[REGISTRY].worker_for(video["meeting_id"])
    answer = await worker.add_peer(video["meeting_id"], {
        "peer_id": video["peer_id"], "sdp": sdp, "type": "offer", "codec": settings.codec,
        "name": video["name"], "thumbnails": settings.thumbnails, "record": record,
        "budget_kbps": budget})
    log.info("%s joined the video of meeting %s on %s", video["peer_id"], video["meeting_id"],
             worker.url)
    await follow_floor(context.app, video["meeting_id"])
    return {"ok": True, "sdp": answer["sdp"], "type": answer["type"]}


async def _leave_video(context: EventContext) -> None:
    video = context.session.pop("video", None)
    if not video:
        return
    try:
        worker = await context.app[REGISTRY].worker_for(video["meeting_id"])
        await worker.remove_peer(video["meeting_id"], video["peer_id"])
    except NoBridge:
        # The worker is gone or never had the peer: nothing is left to close there.
        log.info("%s left the video of meeting %s with no worker to tell", video["peer_id"],
                 video["meeting_id"])


@table.on(wire.VIDEO_LEAVE)
async def video_leave(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    _video(context, payload)
    await _leave_video(context)
    await context.save_session()
    return {"ok": True}


@table.on(wire.VIDEO_VIEW, rate=VIEW_RATE)
async def video_view(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    """Whom each of the endpoint's thumbnail slots shows now (the worker moves them as
    people speak), so the page can put a name under each picture."""
    video = _video(context, payload)
    worker = await context.app[REGISTRY].worker_for(video["meeting_id"])
    view = await worker.meeting(video["meeting_id"])
    names = {p["peer_id"]: p.get("name") or p["peer_id"] for p in view.get("peers", [])}
    me = next((p for p in view.get("peers", []) if p["peer_id"] == video["peer_id"]), None)
    if me is None:
        raise NoVideoPeer()
    return {"ok": True, "thumbnails": [names.get(s) if s else None
                                       for s in me.get("thumbnails", [])]}


@table.on_disconnect
async def disconnected(context: EventContext) -> None:
    await _leave_video(context)


def _number(payload: dict[str, Any], name: str) -> float:
    value = payload.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e9:
        raise InvalidField(field=name, reason_key="error.field_range",
                           reason={"min": 0, "max": 10**9})
    return float(value)


@table.on(wire.AGENT_HEARTBEAT, rate=HEARTBEAT_RATE)
async def agent_heartbeat(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    data = {name: _number(payload, name) for name in
            ("cpu", "bitrate_kbps", "packet_loss", "frames_received")}
    data["source"] = str(payload.get("source", ""))[:60]
    async with context.app[SESSIONS]() as db:
        access = await joined_access(db, context)
        room_id = access.participant.room_id if access.participant else None
        if room_id is None:
            raise NotInvited()
        health = await db.get(RoomHealth, room_id) or RoomHealth(room_id=room_id)
        health.meeting_id, health.data, health.at = access.meeting.id, data, utcnow()
        db.add(health)
        await db.commit()
    return {"ok": True}


@table.on(wire.VIDEO_MUTE)
async def video_mute(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    peer_id = string_field(payload, "peer_id", 60)
    muted = bool_field(payload, "audio", True)
    async with context.app[SESSIONS]() as db:
        access = await joined_access(db, context)
        ensure_runner(access)
    worker = await context.app[REGISTRY].worker_for(access.meeting.id)
    await worker.set_muted(access.meeting.id, peer_id, muted)
    command(context.app, access.meeting.id, peer_id, "mute" if muted else "unmute")
    return {"ok": True}


def command(app: web.Application, meeting_id: int, peer_id: str, what: str) -> None:
    publish(app, wire.meeting_room(meeting_id), wire.VIDEO_COMMAND,
            [{"command": what, "peer_id": peer_id}])


async def floor_peer(app: web.Application, meeting_id: int) -> str | None:
    """Whose picture is the main video: the speaker's own browser, else their room's agent
    (a district), else the hall's; the hall's when nobody has the floor."""
    async with app[SESSIONS]() as db:
        meeting = await db.get(Meeting, meeting_id)
        if meeting is None:
            return None
        turn = await speaker_of(db, meeting_id)
        wanted = []
        if turn is not None:
            speaker = turn.participant
            wanted.append(user_peer(speaker.user_id))
            if speaker.room_id is not None:
                wanted.append(room_peer(speaker.room_id))
        if meeting.hall_room_id is not None:
            wanted.append(room_peer(meeting.hall_room_id))
    worker = await app[REGISTRY].placed(meeting_id)
    if worker is None:
        return None
    present = {p["peer_id"] for p in (await worker.meeting(meeting_id)).get("peers", [])}
    return next((peer for peer in wanted if peer in present), None)


async def follow_floor(app: web.Application, meeting_id: int) -> None:
    """Give the bridge's floor to whoever has the floor in the meeting, and open their
    microphone; nothing when the meeting has no video."""
    worker = await app[REGISTRY].placed(meeting_id)
    if worker is None:
        return
    peer = await floor_peer(app, meeting_id)
    await worker.set_floor(meeting_id, peer)
    if peer is not None:
        await worker.set_muted(meeting_id, peer, False)
        command(app, meeting_id, peer, "unmute")


def recorded(meeting: Meeting) -> bool:
    """Whether the bridge records this meeting now: asked for, and only while it is live
    (the video check before the meeting is not for the archive)."""
    return meeting.record_video and meeting.status == MeetingStatus.LIVE


async def follow_recording(app: web.Application, meeting_id: int) -> None:
    """Start or stop the worker's recording of the meeting as its status says; nothing
    when no worker holds the meeting (the first peer to join tells the worker)."""
    worker = await app[REGISTRY].placed(meeting_id)
    if worker is None:
        return
    async with app[SESSIONS]() as db:
        meeting = await db.get(Meeting, meeting_id)
        on = meeting is not None and recorded(meeting)
    try:
        await worker.set_recording(meeting_id, on)
    except NoBridge:
        # Nobody is connected there (the worker forgets an empty meeting) or it is gone:
        # the next peer's offer carries the setting.
        log.info("the bridge of meeting %s took no recording change (recording: %s)",
                 meeting_id, on)


async def _on_floor(app: web.Application, meeting_id: int) -> None:
    try:
        await follow_floor(app, meeting_id)
    except NoBridge:
        log.warning("the bridge of meeting %s did not answer a floor change", meeting_id)


def setup_bridge(app: web.Application) -> None:
    app.cleanup_ctx.append(bridge_context)
    on_part(app, "floor", _on_floor)
    on_part(app, "status", follow_recording)

