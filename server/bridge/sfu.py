"""The SFU: meetings, their peers, the floor, thumbnails and mute.

Each endpoint is one :class:`~.peer.Peer` (peer.py) with one ``RTCPeerConnection``
whose transceivers follow the order of docs/video.md: #0 main video (sends the
endpoint's camera, receives the main video), #1 audio likewise, #2 the endpoint's
thumbnail (received), #3… thumbnails of other rooms (sent). The worker answers; it
decodes no video (see forwarding.py), and sound only to mix it for a recording.

Routing, redone whenever a peer comes or goes, the floor moves or the ranking of
speakers changes, and at every tick (:data:`TICK_SECONDS`) in a meeting where a peer has
a budget, since rates move by themselves:

* the **main** video and audio of every peer is the floor holder's; the floor holder
  itself gets the *previous* floor holder (usually the hall, since the floor returns
  there between turns), so a district that speaks sees and hears who gave it the floor;
  with nobody on the floor, main tracks send nothing;
* **thumbnails**: the other peers' small tracks, neither its own nor its main source's,
  the most recent speakers first, then in order of joining; at most
  ``min(bridge.thumbnails, what it asked for, the slots it offered)``; a peer that stays
  chosen keeps its slot;
* a **link budget** (kbit/s, the room's, from the server's offer; none for a browser):
  the main video and sound are sent whatever they cost (the floor is the meeting), then
  the chosen thumbnails in ranking order while the measured bitrates (forwarding.Rate,
  headers included) stay within it; a thumbnail not measured yet counts as
  ``thumbnail_estimate_kbps``, and one not shown yet must fit with
  :data:`budget.ADD_HEADROOM` to spare, so a rate near the edge does not add and drop it at
  every tick. Main and sound alone over the budget: no thumbnails, logged once;
* **mute** stops forwarding a peer's audio (its level is still read, but a muted peer
  is never the active speaker);
* a **recording** (recording.py, off unless asked for) subscribes like a viewer in the
  hall: the floor holder's main video, and the sound of every peer, muted ones not
  heard. It ends, its file finalised, when it is switched off, when the meeting is
  forgotten (its last peer left) and on :meth:`Sfu.close`.

One codec per meeting (the first peer's, from the server, ``bridge.codec`` by default),
forced on every connection with ``setCodecPreferences``; an offer without it fails with
:class:`NoUsableCodec`. Every peer connection and every task has an owner here and is
closed and awaited by :meth:`Sfu.remove_peer` or :meth:`Sfu.close`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiortc import RTCIceServer, RTCSessionDescription
from aiortc import sdp as aiortc_sdp
from aiortc.exceptions import OperationError

from . import levels
from .budget import THUMBNAIL_ESTIMATE_KBPS, thumbnails_that_fit
from .peer import Peer, build_peer, close_peer
from .recording import Recorder

log = logging.getLogger("phonghop.bridge")

CODECS = ("VP8", "H264")
MAX_THUMBNAILS = 4
# How often speakers are ranked and thumbnails rerouted.
TICK_SECONDS = 0.2
# A meeting id names the recording's folder: nothing that could leave it.
RECORDABLE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class SfuError(Exception):
    """A refusal the HTTP API maps to an error code; ``str()`` is the message."""

    code = "bad_request"
    status = 400


class InvalidSdp(SfuError):
    code = "invalid_sdp"


class NoUsableCodec(InvalidSdp):
    """The offer does not have the meeting's codec (or Opus)."""


class UnknownPeer(SfuError):
    code = "not_found"
    status = 404


class UnknownMeeting(UnknownPeer):
    pass


class RecordingUnavailable(SfuError):
    """This worker cannot record: no recordings folder, or one it cannot write."""

    code = "recording_unavailable"
    status = 409


class InvalidMeetingId(SfuError):
    code = "invalid_request"


@dataclass(eq=False)
class Meeting:
    meeting_id: str
    codec: str
    peers: dict[str, Peer] = field(default_factory=dict)
    floor: str | None = None
    previous_floor: str | None = None
    speakers: levels.ActiveSpeaker = field(default_factory=levels.ActiveSpeaker)
    recorder: Recorder | None = None

    @property
    def recording(self) -> str | None:
        """The name of the file being written, None when not recording."""
        recorder = self.recorder
        return recorder.name if recorder is not None and recorder.active else None


class Sfu:
    """All meetings of one worker. ``start()`` begins the speaker ranking; ``close()``
    closes every peer, finalises every recording and awaits every task.
    ``recordings``: the folder recordings go to (None: this worker does not record)."""

    def __init__(self, *, ice_servers: list[RTCIceServer] | None = None,
                 codec: str = "VP8", max_thumbnails: int = 2,
                 recordings: Path | None = None,
                 thumbnail_estimate_kbps: float = THUMBNAIL_ESTIMATE_KBPS) -> None:
        if codec not in CODECS:
            raise ValueError(f"codec must be one of {CODECS}")
        self.ice_servers = list(ice_servers or [])
        self.recordings = recordings
        self.thumbnail_estimate_kbps = thumbnail_estimate_kbps
        self.codec = codec
        self.max_thumbnails = max(0, min(MAX_THUMBNAILS, max_thumbnails))
        self.meetings: dict[str, Meeting] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
            self._ticker = None
        # Recordings first, so that each file ends with the meeting as it was.
        await asyncio.gather(*(self._stop_recording(m) for m in self.meetings.values()))
        for meeting in list(self.meetings.values()):
            for peer_id in list(meeting.peers):
                await self.remove_peer(meeting.meeting_id, peer_id)
        tasks = tuple(self._tasks)
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- peers --------------------------------------------------------------------

    async def add_peer(self, meeting_id: str, peer_id: str, sdp: str, *, type: str = "offer",
                       codec: str | None = None, name: str = "",
                       thumbnails: int | None = None, record: bool = False,
                       budget_kbps: int | None = None) -> RTCSessionDescription:
        """Answer an endpoint's offer. A peer id already in the meeting is replaced (the
        endpoint reconnected). ``record``: the meeting is to be recorded; it starts a
        recording if none runs (a meeting moved here from a dead worker goes on in a new
        file). A recording that cannot start is logged; the peer joins all the same.
        ``budget_kbps``: what the endpoint's link carries (None or 0: no limit)."""
        if type != "offer":
            raise InvalidSdp("expected an SDP offer")
        media = _parse_offer(sdp)
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            chosen = codec or self.codec
            if chosen not in CODECS:
                raise NoUsableCodec(f"unknown codec {chosen}; choose from {', '.join(CODECS)}")
            meeting = self.meetings[meeting_id] = Meeting(meeting_id, chosen)
        if peer_id in meeting.peers:
            # The meeting is kept even if this was its last peer: its recording goes on.
            await self._drop_peer(meeting, meeting.peers[peer_id])
            meeting = self.meetings.setdefault(meeting_id, meeting)
        slots = self.max_thumbnails if thumbnails is None else min(self.max_thumbnails,
                                                                   max(0, thumbnails))
        peer = build_peer(peer_id, name, media, meeting.codec, slots, self.ice_servers,
                          budget_kbps=budget_kbps or None)
        try:
            await peer.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            await peer.pc.setLocalDescription(await peer.pc.createAnswer())
        except OperationError as e:
            await close_peer(peer)
            await self._forget_if_empty(meeting)
            raise NoUsableCodec(
                f"the offer has no {meeting.codec} video or no Opus audio, the codecs of "
                f"this meeting ({e})") from None
        except (ValueError, KeyError, IndexError, AttributeError) as e:
            await close_peer(peer)
            await self._forget_if_empty(meeting)
            raise InvalidSdp(f"the offer was refused: {e}") from None
        except BaseException:
            await close_peer(peer)
            await self._forget_if_empty(meeting)
            raise
        levels.observe(peer.audio.receiver, meeting.speakers.meter(peer_id))

        @peer.pc.on("connectionstatechange")
        def on_state() -> None:
            if peer.pc.connectionState == "failed":
                log.info("peer %s of meeting %s failed: removed", peer_id, meeting_id)
                self._spawn(self._remove_if_current(meeting_id, peer))

        meeting.peers[peer_id] = peer
        log.info("peer %s (%s) joined meeting %s: %d thumbnail(s), codec %s, link %s",
                 peer_id, name, meeting_id, len(peer.out_thumbnails), meeting.codec,
                 f"{budget_kbps} kbit/s" if budget_kbps else "unlimited")
        self._route(meeting)
        if record and meeting.recording is None:
            try:
                self._start_recording(meeting)
            except SfuError as e:
                log.error("meeting %s is to be recorded but cannot be: %s", meeting_id, e)
        local = peer.pc.localDescription
        return RTCSessionDescription(sdp=local.sdp, type=local.type)

    async def remove_peer(self, meeting_id: str, peer_id: str) -> None:
        meeting = self._meeting(meeting_id)
        peer = meeting.peers.get(peer_id)
        if peer is None:
            raise UnknownPeer(f"no peer {peer_id} in meeting {meeting_id}")
        await self._drop_peer(meeting, peer)
        await self._forget_if_empty(meeting)
        log.info("peer %s left meeting %s", peer_id, meeting_id)

    async def _drop_peer(self, meeting: Meeting, peer: Peer) -> None:
        meeting.peers.pop(peer.peer_id, None)
        meeting.speakers.remove(peer.peer_id)
        if meeting.floor == peer.peer_id:
            meeting.floor = None
        if meeting.previous_floor == peer.peer_id:
            meeting.previous_floor = None
        self._route(meeting)
        await close_peer(peer)

    async def _remove_if_current(self, meeting_id: str, peer: Peer) -> None:
        meeting = self.meetings.get(meeting_id)
        if meeting is not None and meeting.peers.get(peer.peer_id) is peer:
            await self.remove_peer(meeting_id, peer.peer_id)

    # -- the floor, mute ----------------------------------------------------------

    def set_floor(self, meeting_id: str, peer_id: str | None) -> str | None:
        if peer_id is None and meeting_id not in self.meetings:
            return None  # nobody on the floor of a meeting nobody has joined yet
        meeting = self._meeting(meeting_id)
        if peer_id is not None and peer_id not in meeting.peers:
            raise UnknownPeer(f"no peer {peer_id} in meeting {meeting_id}")
        if peer_id != meeting.floor:
            if meeting.floor is not None:
                meeting.previous_floor = meeting.floor
            meeting.floor = peer_id
            log.info("meeting %s: floor to %s", meeting_id, peer_id)
            self._route(meeting)
        return meeting.floor

    def set_muted(self, meeting_id: str, peer_id: str, audio: bool) -> bool:
        peer = self._peer(meeting_id, peer_id)
        peer.muted = peer.audio.muted = bool(audio)
        return peer.muted

    # -- recording ----------------------------------------------------------------

    async def set_recording(self, meeting_id: str, on: bool) -> str | None:
        """Start or stop recording the meeting; the name of the file being written (the
        same one when it was on already), None once off. Turning it off returns when the
        file is finalised."""
        meeting = self.meetings.get(meeting_id)
        if not on:
            if meeting is not None and meeting.recorder is not None:
                await self._stop_recording(meeting)
            return None
        if self.recordings is None:
            raise RecordingUnavailable("this worker has no recordings folder")
        if meeting is None:
            raise UnknownMeeting(f"no meeting {meeting_id} on this worker")
        return self._start_recording(meeting)

    def _start_recording(self, meeting: Meeting) -> str:
        if meeting.recording is not None:
            return meeting.recording
        if self.recordings is None:
            raise RecordingUnavailable("this worker has no recordings folder")
        if not RECORDABLE_ID.fullmatch(meeting.meeting_id):
            raise InvalidMeetingId(f"meeting id {meeting.meeting_id!r} cannot name a folder")
        folder = self.recordings / meeting.meeting_id
        try:
            # Creating the folder and an empty file: cheap enough for the loop.
            meeting.recorder = Recorder(meeting.meeting_id, meeting.codec, folder)
        except OSError as e:
            raise RecordingUnavailable(f"cannot write recordings in {folder}: {e}") from None
        log.info("meeting %s: recording to %s", meeting.meeting_id, meeting.recorder.path)
        self._route(meeting)
        return meeting.recorder.name

    async def _stop_recording(self, meeting: Meeting) -> None:
        recorder, meeting.recorder = meeting.recorder, None
        if recorder is not None:
            await recorder.stop()

    # -- what the HTTP API reports ------------------------------------------------

    def describe(self, meeting_id: str) -> dict[str, Any]:
        meeting = self._meeting(meeting_id)
        return {
            "floor": meeting.floor,
            "active_speaker": meeting.speakers.current,
            "recording": meeting.recording,
            "peers": [{"peer_id": p.peer_id, "name": p.name, "state": p.state,
                       "muted": p.muted,
                       "audio_level": round(meeting.speakers.meter(p.peer_id).dbov(), 1),
                       "thumbnails": list(p.slots), "budget_kbps": p.budget_kbps,
                       "sent_kbps": _rounded(p.sent_kbps())}
                      for p in meeting.peers.values()],
        }

    def counts(self) -> dict[str, int]:
        peers = [p for m in self.meetings.values() for p in m.peers.values()]
        return {
            "meetings": len(self.meetings),
            "peers": len(peers),
            "streams_in": sum(1 for p in peers for pub in p.publications if pub.frames),
            "streams_out": sum(1 for p in peers for t in p.tracks if t.source is not None),
            "recordings": sum(1 for m in self.meetings.values() if m.recording is not None),
        }

    # -- routing ------------------------------------------------------------------

    def _route(self, meeting: Meeting) -> None:
        peers = meeting.peers
        floor = peers.get(meeting.floor) if meeting.floor else None
        previous = peers.get(meeting.previous_floor) if meeting.previous_floor else None
        order = list(peers)
        last_spoke = meeting.speakers.last_spoke
        for peer in peers.values():
            main = previous if peer is floor else floor
            if main is peer:
                main = None
            peer.out_video.switch(main.main_video if main else None)
            peer.out_audio.switch(main.audio if main else None)
            candidates = [q for q in peers.values() if q is not peer and q is not main
                          and q.thumbnail is not None]
            candidates.sort(key=lambda q: (-last_spoke.get(q.peer_id, 0.0),
                                           order.index(q.peer_id)))
            wanted = candidates[:len(peer.out_thumbnails)]
            fit = thumbnails_that_fit(meeting.meeting_id, peer, main, wanted,
                                      self.thumbnail_estimate_kbps)
            chosen = {q.peer_id for q in wanted[:fit]}
            slots = [s if s in chosen else None for s in peer.slots]
            for q in candidates:
                if q.peer_id in chosen and q.peer_id not in slots:
                    slots[slots.index(None)] = q.peer_id
            peer.slots = slots
            for track, shown in zip(peer.out_thumbnails, slots, strict=True):
                track.switch(peers[shown].thumbnail if shown else None)
        if meeting.recorder is not None:
            # As the hall sees it: the floor holder; never raises (recording.py).
            meeting.recorder.route(floor.main_video if floor else None,
                                   [p.audio for p in peers.values()])

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            for meeting in list(self.meetings.values()):
                try:
                    before = dict(meeting.speakers.last_spoke)
                    muted = {p.peer_id for p in meeting.peers.values() if p.muted}
                    meeting.speakers.update(muted)
                    # Rates move by themselves: a meeting with a budget is re-decided at
                    # every tick (switching to the same source costs nothing).
                    if _ranking(before) != _ranking(meeting.speakers.last_spoke) or any(
                            p.budget_kbps for p in meeting.peers.values()):
                        self._route(meeting)
                except Exception:
                    log.exception("meeting %s: ranking speakers failed", meeting.meeting_id)

    # -- helpers ------------------------------------------------------------------

    def _meeting(self, meeting_id: str) -> Meeting:
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            raise UnknownMeeting(f"no meeting {meeting_id} on this worker")
        return meeting

    def _peer(self, meeting_id: str, peer_id: str) -> Peer:
        peer = self._meeting(meeting_id).peers.get(peer_id)
        if peer is None:
            raise UnknownPeer(f"no peer {peer_id} in meeting {meeting_id}")
        return peer

    async def _forget_if_empty(self, meeting: Meeting) -> None:
        if not meeting.peers and self.meetings.get(meeting.meeting_id) is meeting:
            del self.meetings[meeting.meeting_id]
            await self._stop_recording(meeting)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("bridge task failed", exc_info=t.exception())

        task.add_done_callback(done)


def _rounded(kbps: float | None) -> int | None:
    return None if kbps is None else round(kbps)


def _ranking(last_spoke: dict[Any, float]) -> list[Any]:
    return sorted(last_spoke, key=lambda k: -last_spoke[k])


def _parse_offer(sdp: str) -> list[Any]:
    """The offer's media sections, checked against the track order of docs/video.md."""
    if not isinstance(sdp, str) or not sdp.strip().startswith("v=0"):
        raise InvalidSdp("the SDP is malformed: it must start with v=0")
    try:
        description = aiortc_sdp.SessionDescription.parse(sdp)
    except Exception as e:  # the parser raises whatever the bad line makes it raise
        raise InvalidSdp(f"the SDP is malformed: {e}") from None
    media = [m for m in description.media if m.kind in ("audio", "video")]
    kinds = [m.kind for m in media]
    if kinds[:2] != ["video", "audio"] or any(k != "video" for k in kinds[2:]):
        raise InvalidSdp("the offer's media must be, in order: video, audio, then video "
                         f"only (docs/video.md); it has {', '.join(kinds) or 'none'}")
    if len(media) - 3 > MAX_THUMBNAILS:
        raise InvalidSdp(f"at most {MAX_THUMBNAILS} thumbnail tracks may be received")
    for m in media:
        if not m.ice.usernameFragment or not m.ice.password:
            raise InvalidSdp("the SDP is malformed: ICE credentials are missing")
    return media
