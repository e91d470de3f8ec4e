"""Endpoints for the bridge tests: small aiortc peers in the test's own process.

An :class:`Endpoint` offers the tracks of docs/video.md in order and publishes a
solid-colour video (encoded by its own sender, as a room agent would) and a tone; what
it receives is decoded on its side and classified by colour, so the floor holder's
picture is told from another's. A :class:`SizedTrack` publishes at a known bitrate
instead, noting every frame it pushes. The fixtures that make them are in conftest.py.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import (
    AudioStreamTrack,
    MediaStreamError,
    MediaStreamTrack,
    VideoStreamTrack,
)

from server.bridge.sfu import Sfu

# Solid colours in YUV (BT.601): the U plane tells them apart after VP8 and back.
RED = (81, 90, 240)
BLUE = (41, 240, 110)
WITHIN = 1.0
# X-Bridge-Key of the workers the tests start.
BRIDGE_KEY = "test-bridge-key"


def colour_of(frame: av.VideoFrame) -> str:
    u = bytes(frame.planes[1])
    sample = u[len(u) // 2]
    return "blue" if sample > 165 else "red"


class ColourTrack(VideoStreamTrack):
    """A camera that films one colour."""

    def __init__(self, yuv: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> None:
        super().__init__()
        self.frame = av.VideoFrame(*size, "yuv420p")
        for plane, value in zip(self.frame.planes, yuv, strict=True):
            plane.update(bytes([value]) * plane.buffer_size)

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        self.frame.pts, self.frame.time_base = pts, time_base
        return self.frame


class SizedTrack(MediaStreamTrack):
    """A camera whose encoder holds ``kbps`` exactly: frames of random bytes, shaped as VP8
    (the first a keyframe), of sizes varying ±30 % around the mean, ``fps`` a second,
    sent as they are (the sender only packetises them; the bridge never decodes).
    ``pushed`` notes when each frame left and its size."""

    kind = "video"

    def __init__(self, kbps: float, fps: int = 30, seed: int = 7) -> None:
        super().__init__()
        self.mean = kbps * 1000 / 8 / fps
        self.fps = fps
        self.pushed: list[tuple[float, int]] = []
        self._random = random.Random(seed)
        self._start: float | None = None

    async def recv(self) -> av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        index = len(self.pushed)
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + index / self.fps - time.monotonic()))
        size = round(self.mean * self._random.uniform(0.7, 1.3))
        # RFC 6386: bit 0 of the first byte clear for a keyframe, set for the others.
        data = bytes([0x10 if index == 0 else 0x11]) + self._random.randbytes(size - 1)
        packet = av.Packet(data)
        packet.pts, packet.time_base = index * 90000 // self.fps, Fraction(1, 90000)
        self.pushed.append((time.monotonic(), size))
        return packet


class ToneTrack(AudioStreamTrack):
    """A microphone hearing a tone of ``frequency`` Hz (whole hertz) and the given
    amplitude (of 32767), continuous across frames."""

    SAMPLES = 960

    def __init__(self, amplitude: int, frequency: int = 440) -> None:
        super().__init__()
        # One second holds a whole number of periods: frames are slices of it.
        self.second = b"".join(
            int(amplitude * math.sin(2 * math.pi * frequency * i / 48000)).to_bytes(
                2, "little", signed=True) for i in range(48000))
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += self.SAMPLES
            await asyncio.sleep(max(0.0, self._start + self._pts / 48000 - time.time()))
        at = self._pts % 48000 * 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.SAMPLES)
        frame.planes[0].update(self.second[at:at + 2 * self.SAMPLES])
        frame.sample_rate = 48000
        frame.pts, frame.time_base = self._pts, Fraction(1, 48000)
        return frame


class Endpoint:
    """A room: offers main video, audio, its thumbnail and ``thumbnails`` slots in the
    order of docs/video.md, and records the colour of every main-video frame it gets."""

    def __init__(self, name: str, colour: tuple[int, int, int] | None = None,
                 amplitude: int = 0, thumbnails: int = 0, codec: str | None = None,
                 frequency: int = 440, camera: MediaStreamTrack | None = None) -> None:
        self.name = name
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        camera = camera or (ColourTrack(colour) if colour else None)
        video = self.pc.addTransceiver(camera or "video", "sendrecv")
        self.pc.addTransceiver(ToneTrack(amplitude, frequency) if amplitude else "audio",
                               "sendrecv")
        self.pc.addTransceiver(ColourTrack(colour, (160, 120)) if colour else "video",
                               "sendonly")
        for _ in range(thumbnails):
            self.pc.addTransceiver("video", "recvonly")
        if codec:
            video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs
                                       if c.mimeType == f"video/{codec}"])
        self.main: list[tuple[float, str]] = []
        self.thumbnails: dict[str, list[str]] = {}
        self.changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track: Any) -> None:
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        self._tasks.append(asyncio.get_running_loop().create_task(
            self._consume(track, transceiver.mid)))

    async def _consume(self, track: Any, mid: str | None) -> None:
        main = mid == self.pc.getTransceivers()[0].mid
        try:
            while True:
                frame = await track.recv()
                if track.kind != "video":
                    continue
                if main:
                    self.main.append((time.monotonic(), colour_of(frame)))
                else:
                    self.thumbnails.setdefault(str(mid), []).append(colour_of(frame))
                self.changed.set()
        except MediaStreamError:
            pass

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def join(self, sfu: Sfu, meeting: str, thumbnails: int | None = None,
                   record: bool = False, budget_kbps: int | None = None) -> None:
        answer = await sfu.add_peer(meeting, self.name, await self.offer(), name=self.name,
                                    thumbnails=thumbnails, record=record,
                                    budget_kbps=budget_kbps)
        await self.pc.setRemoteDescription(answer)

    async def first_main(self, colour: str, after: float = 0.0, timeout: float = 5.0) -> float:
        """Seconds from ``after`` until a main-video frame of ``colour`` arrived."""
        deadline = time.monotonic() + timeout
        while True:
            for at, seen in self.main:
                if at >= after and seen == colour:
                    return at - after
            self.changed.clear()
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} got no {colour} frame in {timeout} s "
                                     f"(got {[c for _t, c in self.main[-5:]]})")
            try:
                await asyncio.wait_for(self.changed.wait(), deadline - time.monotonic())
            except TimeoutError:
                pass

    def slots_fed(self, frames: int = 8) -> int:
        """How many thumbnail slots received at least ``frames`` frames."""
        return sum(len(seen) >= frames for seen in self.thumbnails.values())

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
