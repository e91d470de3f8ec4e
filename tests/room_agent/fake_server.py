"""A stand-in for the server and its bridge worker, small enough to read in one go.

It speaks the contract of docs/video.md and docs/realtime.md on a python-socketio
server in aiohttp (token in ``auth``, ``join``, ``video_join``, ``video_offer``,
``video_leave``, ``agent_heartbeat``, ``video_command``) and answers each offer
with an aiortc peer connection that records what the agent sends (the newest
main picture, frame counts, the loudness of each audio frame) and sends back a
test pattern and tone of its own. It can be stopped and started again on the
same port, as a server restart looks to an agent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from array import array
from collections import Counter
from collections.abc import Callable
from typing import Any

import av
import socketio
from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from room_agent.media import PatternTrack, ToneTrack
from server.realtime.events import (
    AGENT_HEARTBEAT,
    JOIN,
    MEETINGS_NAMESPACE,
    VIDEO_COMMAND,
    VIDEO_JOIN,
    VIDEO_LEAVE,
    VIDEO_OFFER,
    WELCOME,
)

TOKEN = "phk_room_agent_test"
MEETING = 7
HALL_SIZE = (320, 240)


def peak(frame: av.AudioFrame) -> int:
    samples = array("h", bytes(frame.planes[0]))
    return max((abs(s) for s in samples), default=0)


async def wait_until(predicate: Callable[[], Any], timeout: float = 10.0,
                     what: str = "condition") -> None:
    """Poll a condition; the failure names what was awaited."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class FakeServer:
    def __init__(self, thumbnails: int = 1) -> None:
        self.thumbnails = thumbnails
        self.port = 0
        self.joins: list[dict[str, Any]] = []
        self.video_joins = 0
        self.offers: list[str] = []
        self.leaves: list[str] = []
        self.heartbeats: list[dict[str, Any]] = []
        self.received: Counter[str] = Counter()
        self.last_video: av.VideoFrame | None = None
        self.thumbnail_size: tuple[int, int] | None = None
        self.audio_peaks: list[int] = []
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.deaf = False  # True: heartbeats get no answer, as from a server that hangs
        self.garbled_answers = 0  # how many next offers get an answer that is no SDP
        self._release = asyncio.Event()
        self._sids: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._sio: socketio.AsyncServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._release = asyncio.Event()
        sio = socketio.AsyncServer(async_mode="aiohttp")
        app = web.Application()
        sio.attach(app)
        self._handlers(sio)
        self._sio = sio
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        if not self.port:
            self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening first, so that nothing reconnects to a server going away."""
        self._release.set()
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()
        if self._sio is not None:
            for sid in list(self._sids):
                await self._sio.disconnect(sid, namespace=MEETINGS_NAMESPACE)
            await self._sio.shutdown()
        await self.close_peers()
        if self._runner is not None:
            await self._runner.cleanup()
        self._sids.clear()
        self._runner = self._sio = None

    async def close_peers(self) -> None:
        pcs, self.pcs = list(self.pcs.values()), {}
        for pc in pcs:
            await pc.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def command(self, command: str, peer_id: str | None = None) -> None:
        """To everyone in the meeting, as the server does, naming the peer if given."""
        assert self._sio is not None
        payload = {"command": command, "reason": "test"}
        if peer_id is not None:
            payload["peer_id"] = peer_id
        for sid in list(self._sids):
            await self._sio.emit(VIDEO_COMMAND, payload, to=sid, namespace=MEETINGS_NAMESPACE)

    def _handlers(self, sio: socketio.AsyncServer) -> None:
        ns = MEETINGS_NAMESPACE

        @sio.on("connect", namespace=ns)
        async def connect(sid: str, environ: Any, auth: Any = None) -> None:
            if not isinstance(auth, dict) or auth.get("token") != TOKEN:
                raise socketio.exceptions.ConnectionRefusedError(
                    {"code": "not_authenticated", "message": "Chưa đăng nhập"})
            self._sids.add(sid)
            await sio.emit(WELCOME, {"user": {"username": "huyen1",
                                              "full_name": "Điểm cầu huyện Tân Lập"}},
                           to=sid, namespace=ns)

        @sio.on("disconnect", namespace=ns)
        async def disconnect(sid: str, *_: Any) -> None:
            self._sids.discard(sid)

        @sio.on(JOIN, namespace=ns)
        async def join(sid: str, data: dict[str, Any]) -> dict[str, Any]:
            if data.get("meeting_id") != MEETING:
                return {"error": {"code": "not_found", "message": "Không tìm thấy"}}
            self.joins.append(data)
            return {"ok": True, "snapshot": {"rev": 1, "meeting": {"id": MEETING}}}

        @sio.on(VIDEO_JOIN, namespace=ns)
        async def video_join(sid: str, data: dict[str, Any]) -> dict[str, Any]:
            self.video_joins += 1
            return {"ok": True, "peer_id": f"peer-{self.video_joins}", "ice_servers": [],
                    "codec": "VP8", "thumbnails": self.thumbnails}

        @sio.on(VIDEO_OFFER, namespace=ns)
        async def video_offer(sid: str, data: dict[str, Any]) -> dict[str, Any]:
            self.offers.append(data["sdp"])
            if self.garbled_answers:
                self.garbled_answers -= 1
                return {"ok": True, "sdp": "v=0\r\nrác", "type": "answer"}
            answer = await self._answer(data["peer_id"], data["sdp"])
            return {"ok": True, "sdp": answer.sdp, "type": answer.type}

        @sio.on(VIDEO_LEAVE, namespace=ns)
        async def video_leave(sid: str, data: dict[str, Any]) -> dict[str, Any]:
            self.leaves.append(data["peer_id"])
            pc = self.pcs.pop(data["peer_id"], None)
            if pc is not None:
                await pc.close()
            return {"ok": True}

        @sio.on(AGENT_HEARTBEAT, namespace=ns)
        async def heartbeat(sid: str, data: dict[str, Any]) -> dict[str, Any] | None:
            self.heartbeats.append(data)
            if self.deaf:
                await self._release.wait()
                return None
            return {"ok": True}

    async def _answer(self, peer_id: str, sdp: str) -> RTCSessionDescription:
        pc = RTCPeerConnection()
        self.pcs[peer_id] = pc
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        for index, transceiver in enumerate(pc.getTransceivers()):
            if index == 0:
                transceiver.sender.replaceTrack(PatternTrack("Hội trường", HALL_SIZE, 15))
            elif index == 1:
                transceiver.sender.replaceTrack(ToneTrack(frequency=660))
            elif index >= 3:
                transceiver.sender.replaceTrack(PatternTrack(f"Huyện {index}", (160, 120), 5))
            if index != 2:
                transceiver.direction = "sendrecv"
            if transceiver.receiver.track is not None:
                role = {0: "video", 1: "audio", 2: "thumbnail"}.get(index, f"other{index}")
                self._consume(role, transceiver.receiver.track)
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription

    def _consume(self, role: str, track: MediaStreamTrack) -> None:
        async def run() -> None:
            with contextlib.suppress(MediaStreamError):
                while True:
                    frame = await track.recv()
                    self.received[role] += 1
                    if role == "video":
                        self.last_video = frame
                    elif role == "audio":
                        self.audio_peaks.append(peak(frame))
                    elif role == "thumbnail":
                        self.thumbnail_size = (frame.width, frame.height)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
