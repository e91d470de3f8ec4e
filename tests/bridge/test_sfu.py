"""The bridge worker's SFU with real aiortc peers in one process, on loopback.

Endpoints here are small aiortc peers that offer the tracks of docs/video.md in
order and publish solid-colour video (encoded by their own sender, as a room agent
would) and a tone; what they receive is decoded on their side and classified by
colour, so the floor holder's picture is told from another's. The worker's side
decodes nothing, which one test checks by watching which threads create decoders.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from fractions import Fraction
from typing import Any

import aioice.ice
import av
import pytest
from aiohttp.test_utils import TestClient
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc import rtcrtpreceiver as receiver_module
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack

from server.bridge import forwarding
from server.bridge.sfu import InvalidSdp, Sfu
from server.bridge.worker import KEY_HEADER, create_worker_app, host_addresses
from server.settings import load_settings

# Solid colours in YUV (BT.601): the U plane tells them apart after VP8 and back.
RED = (81, 90, 240)
BLUE = (41, 240, 110)
WITHIN = 1.0


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


class ToneTrack(AudioStreamTrack):
    """A microphone hearing a 440 Hz tone of the given amplitude (of 32767)."""

    def __init__(self, amplitude: int) -> None:
        super().__init__()
        samples = 960
        wave = b"".join(int(amplitude * math.sin(2 * math.pi * 440 * i / 48000)).to_bytes(
            2, "little", signed=True) for i in range(samples))
        self.frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        self.frame.planes[0].update(wave)
        self.frame.sample_rate = 48000
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += 960
            await asyncio.sleep(max(0.0, self._start + self._pts / 48000 - time.time()))
        self.frame.pts, self.frame.time_base = self._pts, Fraction(1, 48000)
        return self.frame


class Endpoint:
    """A room: offers main video, audio, its thumbnail and ``thumbnails`` slots in the
    order of docs/video.md, and records the colour of every main-video frame it gets."""

    def __init__(self, name: str, colour: tuple[int, int, int] | None = None,
                 amplitude: int = 0, thumbnails: int = 0, codec: str | None = None) -> None:
        self.name = name
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        video = self.pc.addTransceiver(ColourTrack(colour) if colour else "video", "sendrecv")
        self.pc.addTransceiver(ToneTrack(amplitude) if amplitude else "audio", "sendrecv")
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

    async def join(self, sfu: Sfu, meeting: str, thumbnails: int | None = None) -> None:
        answer = await sfu.add_peer(meeting, self.name, await self.offer(), name=self.name,
                                    thumbnails=thumbnails)
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

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@pytest.fixture
def loopback() -> Iterator[None]:
    with host_addresses(["127.0.0.1"]):
        yield


@pytest.fixture
async def sfu(loopback: None) -> AsyncIterator[Sfu]:
    bridge = Sfu(codec="VP8", max_thumbnails=2)
    bridge.start()
    try:
        yield bridge
    finally:
        await bridge.close()


@pytest.fixture
async def endpoints() -> AsyncIterator[Callable[..., Endpoint]]:
    made: list[Endpoint] = []

    def make(*args: Any, **kwargs: Any) -> Endpoint:
        made.append(Endpoint(*args, **kwargs))
        return made[-1]

    try:
        yield make
    finally:
        await asyncio.gather(*(e.close() for e in made))


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_subscribers_see_the_floor_holder_within_a_second(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    hall = endpoints("hall", RED)
    await hall.join(sfu, "m1")
    sfu.set_floor("m1", "hall")
    one, two = endpoints("huyen1"), endpoints("huyen2")
    started = time.monotonic()
    await asyncio.gather(one.join(sfu, "m1"), two.join(sfu, "m1"))
    waits = await asyncio.gather(one.first_main("red", started), two.first_main("red", started))
    assert max(waits) < WITHIN


async def test_a_floor_change_switches_the_main_video_within_a_second(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    a, b, viewer = endpoints("a", RED), endpoints("b", BLUE), endpoints("viewer")
    for endpoint in (a, b, viewer):
        await endpoint.join(sfu, "m1")
    sfu.set_floor("m1", "a")
    await viewer.first_main("red")
    switched = time.monotonic()
    sfu.set_floor("m1", "b")
    waits = await asyncio.gather(viewer.first_main("blue", switched),
                                 b.first_main("red", switched))  # b sees who had the floor
    assert max(waits) < WITHIN
    seen = len(viewer.main)
    await until(lambda: len(viewer.main) >= seen + 5)
    assert [c for _at, c in viewer.main[seen:]] == ["blue"] * (len(viewer.main) - seen)


async def test_a_late_joiner_gets_a_picture_within_a_second(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    hall, early = endpoints("hall", RED), endpoints("early")
    await hall.join(sfu, "m1")
    await early.join(sfu, "m1")
    sfu.set_floor("m1", "hall")
    await early.first_main("red")
    await asyncio.sleep(0.5)  # the hall's encoder is well past its first keyframe
    late = endpoints("late")
    started = time.monotonic()
    await late.join(sfu, "m1")
    assert await late.first_main("red", started) < WITHIN


async def test_a_subscribers_keyframe_request_reaches_the_publisher(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    hall, viewer = endpoints("hall", RED), endpoints("viewer")
    await hall.join(sfu, "m1")
    await viewer.join(sfu, "m1")
    sfu.set_floor("m1", "hall")
    await viewer.first_main("red")
    asked: list[float] = []
    encoder_side = hall.pc.getTransceivers()[0].sender
    forced = encoder_side._send_keyframe

    def noted() -> None:
        asked.append(time.monotonic())
        forced()

    encoder_side._send_keyframe = noted  # type: ignore[method-assign]
    await asyncio.sleep(forwarding.KEYFRAME_INTERVAL)  # past the request made at the switch
    receiver = viewer.pc.getTransceivers()[0].receiver
    sent = time.monotonic()
    await receiver._send_rtcp_pli(receiver.getSynchronizationSources()[0].source)
    await until(lambda: bool(asked), timeout=WITHIN)
    assert asked[0] - sent < WITHIN


async def test_the_aiortc_hook_holds_and_the_worker_decodes_nothing(
        sfu: Sfu, endpoints: Callable[..., Endpoint],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails when an aiortc upgrade moves the private names the bridge relies on, or when
    forwarded media stops flowing or starts being decoded on the worker."""
    forwarding.check_aiortc()
    probe = RTCPeerConnection().addTransceiver("video").receiver
    assert isinstance(getattr(probe, forwarding.DECODER_QUEUE), __import__("queue").Queue)
    assert getattr(probe, forwarding.DECODER_THREAD) is None

    decoding_threads: set[threading.Thread] = set()
    real_get_decoder = receiver_module.get_decoder

    def counting(codec: Any) -> Any:
        decoding_threads.add(threading.current_thread())
        return real_get_decoder(codec)

    monkeypatch.setattr(receiver_module, "get_decoder", counting)
    hall, viewer = endpoints("hall", RED, amplitude=8000), endpoints("viewer")
    await hall.join(sfu, "m1")
    await viewer.join(sfu, "m1")
    sfu.set_floor("m1", "hall")
    await viewer.first_main("red")
    published = sfu.meetings["m1"].peers["hall"]
    await until(lambda: published.audio.frames > 10)
    worker_receivers: list[RTCRtpReceiver] = [
        t.receiver for p in sfu.meetings["m1"].peers.values() for t in p.pc.getTransceivers()]
    worker_threads = {getattr(r, forwarding.DECODER_THREAD) for r in worker_receivers}
    assert published.main_video.frames > 0 and sfu.meetings["m1"].peers["viewer"].out_video.sent
    assert decoding_threads and not decoding_threads & worker_threads


async def test_the_louder_room_is_the_active_speaker(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    quiet, loud = endpoints("quiet", amplitude=300), endpoints("loud", amplitude=12000)
    await quiet.join(sfu, "m1")
    await loud.join(sfu, "m1")
    await until(lambda: sfu.describe("m1")["active_speaker"] == "loud")
    levels = {p["peer_id"]: p["audio_level"] for p in sfu.describe("m1")["peers"]}
    assert levels["loud"] > levels["quiet"] + 20


async def test_thumbnails_show_other_rooms_within_the_budget(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    a, b, c = endpoints("a", RED), endpoints("b", BLUE), endpoints("c", BLUE)
    viewer = endpoints("viewer", thumbnails=4)
    for endpoint in (a, b, c):
        await endpoint.join(sfu, "m1")
    await viewer.join(sfu, "m1", thumbnails=3)
    sfu.set_floor("m1", "a")
    peer = sfu.meetings["m1"].peers["viewer"]
    assert sorted(peer.slots) == ["b", "c"]  # the worker's budget (2) beats the 3 asked for
    # Before the floor was set a slot showed "a"; its last frames may still be on the way,
    # so only what arrives well after the switch counts.
    for seen in viewer.thumbnails.values():
        seen.clear()
    await until(lambda: sum(len(v) >= 8 for v in viewer.thumbnails.values()) == 2)
    assert {colour for seen in viewer.thumbnails.values() for colour in seen[-3:]} == {"blue"}


async def test_a_muted_room_is_not_forwarded(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    hall, viewer = endpoints("hall", RED, amplitude=8000), endpoints("viewer")
    await hall.join(sfu, "m1")
    await viewer.join(sfu, "m1")
    sfu.set_floor("m1", "hall")
    out = sfu.meetings["m1"].peers["viewer"].out_audio
    await until(lambda: out.sent > 5)
    sfu.set_muted("m1", "hall", True)
    await asyncio.sleep(0.1)  # what was queued drains
    sent = out.sent
    await until(lambda: sfu.meetings["m1"].peers["hall"].audio.frames > 0)
    frames = sfu.meetings["m1"].peers["hall"].audio.frames
    await until(lambda: sfu.meetings["m1"].peers["hall"].audio.frames > frames + 10)
    assert out.sent == sent


async def test_removing_a_peer_closes_its_connection(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    hall = endpoints("hall", RED)
    await hall.join(sfu, "m1")
    pc = sfu.meetings["m1"].peers["hall"].pc
    await sfu.remove_peer("m1", "hall")
    assert pc.connectionState == "closed" and "m1" not in sfu.meetings


async def test_malformed_sdp_is_refused(sfu: Sfu) -> None:
    with pytest.raises(InvalidSdp):
        await sfu.add_peer("m1", "p1", "v=0\r\nthis is not sdp\r\n")
    assert "m1" not in sfu.meetings


# -- the HTTP API ------------------------------------------------------------------

SECRET = "test-bridge-key"


@pytest.fixture
async def worker(loopback: None,
                 aiohttp_client: Callable[..., Awaitable[TestClient]]) -> TestClient:
    settings = load_settings(environ={"PHONGHOP_BRIDGE_SECRET": SECRET,
                                      "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1"})
    return await aiohttp_client(create_worker_app(settings.bridge))


async def test_a_wrong_key_is_forbidden(worker: TestClient) -> None:
    response = await worker.get("/status", headers={KEY_HEADER: "wrong"})
    assert response.status == 403 and (await response.json())["error"]["code"] == "forbidden"


async def test_an_offer_over_http_is_answered_and_counted(
        worker: TestClient, endpoints: Callable[..., Endpoint]) -> None:
    hall = endpoints("hall", RED)
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: SECRET}, json={
        "peer_id": "hall", "sdp": await hall.offer(), "type": "offer", "codec": "VP8",
        "name": "Hội trường", "thumbnails": 2})
    answer = await response.json()
    await hall.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
    floor = await worker.put("/meetings/7/floor", headers={KEY_HEADER: SECRET},
                             json={"peer_id": "hall"})
    status = await (await worker.get("/status", headers={KEY_HEADER: SECRET})).json()
    assert (await floor.json(), status["meetings"], status["peers"]) == (
        {"floor": "hall"}, 1, 1)


@pytest.mark.parametrize("sdp", ["", "garbage", "v=0\r\nm=video\r\n"])
async def test_malformed_sdp_over_http_is_invalid_sdp(worker: TestClient, sdp: str) -> None:
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: SECRET},
                                 json={"peer_id": "p", "sdp": sdp, "type": "offer"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_sdp"


async def test_an_offer_without_the_meetings_codec_is_invalid_sdp(
        worker: TestClient, endpoints: Callable[..., Endpoint]) -> None:
    vp8_only = endpoints("room", codec="VP8")
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: SECRET}, json={
        "peer_id": "room", "sdp": await vp8_only.offer(), "type": "offer", "codec": "H264"})
    body = await response.json()
    assert response.status == 400 and body["error"]["code"] == "invalid_sdp"
    assert "H264" in body["error"]["message"]


def test_aioice_is_given_back_its_own_discovery() -> None:
    original = aioice.ice.get_host_addresses
    with host_addresses(["127.0.0.1"]):
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses is original
