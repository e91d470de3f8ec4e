"""The bridge worker's SFU with real aiortc peers in one process, on loopback.

Endpoints (peers.py) publish solid-colour video and a tone and classify the colour of
what they receive, so the floor holder's picture is told from another's. The worker's
side decodes no video, which one test checks by watching which threads create
decoders (it decodes sound only while it records a meeting, test_recording.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import aioice.ice
import pytest
from aiohttp.test_utils import TestClient
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc import rtcrtpreceiver as receiver_module

from server.bridge import forwarding
from server.bridge.sfu import InvalidSdp, Sfu
from server.bridge.worker import KEY_HEADER, host_addresses
from tests.bridge.peers import BLUE, BRIDGE_KEY, RED, WITHIN, Endpoint, until


async def test_subscribers_see_the_floor_holder_within_a_second(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    hall = endpoints("hall", RED)
    await hall.join(sfu, "m1")
    sfu.set_floor("m1", "hall")
    # The rooms join a meeting whose hall is on the air: its own connection (a STUN check
    # retried on a loaded machine took 4 s once) is not part of their wait.
    publication = sfu.meetings["m1"].peers["hall"].main_video
    await until(lambda: publication.frames > 0)
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
    forwarded media stops flowing or starts being decoded on the worker. Video is never
    decoded there; sound is, but only by a recording (recording.py), and only while the
    meeting is recorded, which it is not here."""
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
    described = next(p for p in sfu.describe("m1")["peers"] if p["peer_id"] == "viewer")
    assert described["thumbnails"] == peer.slots  # what the page labels its tiles with
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

async def test_a_wrong_key_is_forbidden(worker: TestClient) -> None:
    response = await worker.get("/status", headers={KEY_HEADER: "wrong"})
    assert response.status == 403 and (await response.json())["error"]["code"] == "forbidden"


async def test_an_offer_over_http_is_answered_and_counted(
        worker: TestClient, endpoints: Callable[..., Endpoint]) -> None:
    hall = endpoints("hall", RED)
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: BRIDGE_KEY}, json={
        "peer_id": "hall", "sdp": await hall.offer(), "type": "offer", "codec": "VP8",
        "name": "Hội trường", "thumbnails": 2})
    answer = await response.json()
    await hall.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
    floor = await worker.put("/meetings/7/floor", headers={KEY_HEADER: BRIDGE_KEY},
                             json={"peer_id": "hall"})
    status = await (await worker.get("/status", headers={KEY_HEADER: BRIDGE_KEY})).json()
    assert (await floor.json(), status["meetings"], status["peers"]) == (
        {"floor": "hall"}, 1, 1)


@pytest.mark.parametrize("sdp", ["", "garbage", "v=0\r\nm=video\r\n"])
async def test_malformed_sdp_over_http_is_invalid_sdp(worker: TestClient, sdp: str) -> None:
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: BRIDGE_KEY},
                                 json={"peer_id": "p", "sdp": sdp, "type": "offer"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_sdp"


async def test_an_offer_without_the_meetings_codec_is_invalid_sdp(
        worker: TestClient, endpoints: Callable[..., Endpoint]) -> None:
    vp8_only = endpoints("room", codec="VP8")
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: BRIDGE_KEY}, json={
        "peer_id": "room", "sdp": await vp8_only.offer(), "type": "offer", "codec": "H264"})
    body = await response.json()
    assert response.status == 400 and body["error"]["code"] == "invalid_sdp"
    assert "H264" in body["error"]["message"]


def test_aioice_is_given_back_its_own_discovery() -> None:
    original = aioice.ice.get_host_addresses
    with host_addresses(["127.0.0.1"]):
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses is original
