"""Signalling through the server to real bridge workers: a room not invited is refused, an
offer gets the worker's answer, and when the meeting's worker dies its endpoints are told
to reconnect and land on the other worker; a meeting its secretary asked to record is
recorded by its worker while live, and the chair downloads the file from the server; a
room's link budget reaches its worker with the offer and shows in the console's view."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import av
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from sqlalchemy import select

from server.auth.models import User
from server.bridge.models import BridgePlacement
from server.bridge.worker import host_addresses
from server.meetings.models import MeetingRoom, Participant, Room
from server.realtime import events as wire
from server.settings import ROOT, Settings
from tests.conftest import make_settings
from tests.realtime.conftest import Tablet, Tablets, eventually
from tests.realtime.processes import free_port, wait_answering

SECRET = "khoa-cau-truyen-hinh"


@pytest.fixture(scope="module")
def ports() -> list[int]:
    return [free_port(), free_port()]


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def settings(database_url: str, store_path: Path, ports: list[int], recordings: Path
             ) -> Settings:
    return make_settings(database_url, store_path, bridge={
        "workers": [f"http://127.0.0.1:{p}" for p in ports], "secret": SECRET,
        "host_addresses": ["127.0.0.1"], "thumbnails": 1, "recordings": str(recordings)})


@pytest.fixture
def workers(ports: list[int], tmp_path: Path, recordings: Path
            ) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "PHONGHOP_BRIDGE_SECRET": SECRET,
           "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1", "PHONGHOP_LOGGING_LEVEL": "WARNING",
           "PHONGHOP_BRIDGE_RECORDINGS": str(recordings)}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "server", "bridge", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(tmp_path / f"bridge-{port}.log").open("wb"))
        for port in ports]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


async def _ready(ports: list[int]) -> None:
    for port in ports:
        await wait_answering(f"http://127.0.0.1:{port}/status",
                             headers={"X-Bridge-Key": SECRET})


async def _offer() -> tuple[RTCPeerConnection, str]:
    """An endpoint's offer in the order docs/video.md gives: main, audio, thumbnail, slots."""
    pc = RTCPeerConnection()
    pc.addTransceiver(VideoStreamTrack(), direction="sendrecv")
    pc.addTransceiver(AudioStreamTrack(), direction="sendrecv")
    pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    pc.addTransceiver("video", direction="recvonly")
    with host_addresses(["127.0.0.1"]):
        await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def _join_video(endpoint: Tablet, kind: str = "agent"
                      ) -> tuple[RTCPeerConnection, str, dict[str, Any]]:
    """``video_join`` then the offer, as an endpoint does: its connection, its peer id and
    the server's answer to the offer (the connection is the caller's to close)."""
    joined = await endpoint.act(wire.VIDEO_JOIN, {"endpoint": kind})
    assert joined["ok"], joined
    pc, sdp = await _offer()
    answer = await endpoint.act(wire.VIDEO_OFFER, {"peer_id": joined["peer_id"], "sdp": sdp,
                                                   "type": "offer"})
    return pc, joined["peer_id"], answer


async def _room_account(sessions: Any, meeting_id: int) -> str:
    """A district room's account (huyen1), as its agent signs in."""
    async with sessions() as db:
        invited = await db.scalar(select(MeetingRoom.room_id).where(
            MeetingRoom.meeting_id == meeting_id))
        username = await db.scalar(select(User.username).join(
            Participant, Participant.user_id == User.id).where(
            Participant.meeting_id == meeting_id, Participant.room_id == invited))
    return str(username)


async def test_a_meeting_moves_to_the_other_worker_when_its_worker_dies(
    tablets: Tablets, sessions: Any, meeting_id: int, ports: list[int],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    await _ready(ports)
    room = await tablets(await _room_account(sessions, meeting_id))
    commands: list[dict[str, Any]] = []
    room.sio.on(wire.VIDEO_COMMAND, commands.append, namespace=wire.MEETINGS_NAMESPACE)
    pc, peer_id, answer = await _join_video(room)
    await pc.close()
    assert peer_id.startswith("room-")
    assert answer["ok"] and answer["sdp"].startswith("v=0"), answer
    async with sessions() as db:
        first = (await db.get(BridgePlacement, meeting_id)).worker
    dead = ports.index(int(first.rsplit(":", 1)[1]))
    workers[dead].send_signal(signal.SIGKILL)
    workers[dead].wait(timeout=10)
    await eventually(lambda: any(c["command"] == "reconnect" for c in commands), timeout=10)

    pc, _, answer = await _join_video(room)
    await pc.close()
    assert answer["ok"], answer
    async with sessions() as db:
        second = (await db.get(BridgePlacement, meeting_id)).worker
    assert second != first


async def test_a_room_not_invited_and_a_malformed_offer_are_refused(
    tablets: Tablets, sessions: Any, meeting_id: int, ports: list[int],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    await _ready(ports)
    username = await _room_account(sessions, meeting_id)
    async with sessions() as db:
        await db.execute(MeetingRoom.__table__.delete().where(
            MeetingRoom.meeting_id == meeting_id,
            MeetingRoom.room_id == select(Participant.room_id).join(
                User, User.id == Participant.user_id).where(
                User.username == username, Participant.meeting_id == meeting_id)
            .scalar_subquery()))
        await db.commit()
    uninvited = await tablets(username)
    refused = await uninvited.act(wire.VIDEO_JOIN, {"endpoint": "agent"})
    assert refused["error"]["code"] == "not_invited"
    browser = await tablets("daibieu01")
    joined = await browser.act(wire.VIDEO_JOIN, {"endpoint": "browser"})
    garbage = await browser.act(wire.VIDEO_OFFER, {"peer_id": joined["peer_id"],
                                                   "sdp": "v=0\r\nrác", "type": "offer"})
    assert garbage["error"]["code"] == "invalid_sdp"
    assert "không hợp lệ" in garbage["error"]["message"]


async def test_a_recorded_meeting_is_written_by_its_worker_and_served_to_its_chair(
    tablets: Tablets, sessions: Any, meeting_id: int, ports: list[int],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    await _ready(ports)
    secretary = await tablets("thuky")
    status, body = await secretary.http("PATCH", f"/api/v1/meetings/{meeting_id}",
                                        {"record_video": True})
    assert status == 200, body
    chair = await tablets("chutoa")
    assert (await chair.act(wire.START_MEETING, {}))["ok"]
    username = await _room_account(sessions, meeting_id)
    room = await tablets(username)
    pc, _, answer = await _join_video(room)
    try:
        assert answer["ok"], answer
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        async with sessions() as db:
            speaker = await db.scalar(select(Participant.id).join(
                User, User.id == Participant.user_id).where(
                User.username == username, Participant.meeting_id == meeting_id))
        assert (await chair.act(wire.GIVE_FLOOR, {"participant_id": speaker}))["ok"]

        listing: dict[str, Any] = {}

        async def recorded_bytes() -> int:
            nonlocal listing
            _, listing = await chair.http("GET", f"/api/v1/meetings/{meeting_id}/recordings")
            return sum(r["size"] for r in listing.get("recordings", []))

        for _ in range(100):  # the room's camera reaches the file
            if await recorded_bytes() > 20_000:
                break
            await asyncio.sleep(0.1)
        assert await recorded_bytes() > 20_000, listing
        # Turned off while the room is still connected: the worker closes the file.
        status, _ = await secretary.http("PATCH", f"/api/v1/meetings/{meeting_id}",
                                         {"record_video": False})
        assert status == 200
        await asyncio.sleep(1.0)
    finally:
        await pc.close()

    (only,) = listing["recordings"]
    async with aiohttp.ClientSession(cookies={"phonghop_session": chair.cookie}) as http, \
            http.get(f"{chair.url}{only['url']}") as response:
        assert response.status == 200
        data = await response.read()
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "vp8"
        frames = sum(1 for _ in container.decode(video))
    assert frames >= 10
    delegate = await tablets("daibieu01")
    status, _ = await delegate.http("GET", f"/api/v1/meetings/{meeting_id}/recordings")
    assert status == 403


async def test_a_rooms_link_budget_reaches_its_worker_and_the_chairs_view(
    tablets: Tablets, sessions: Any, meeting_id: int, ports: list[int],
    workers: list[subprocess.Popen[bytes]],
) -> None:
    await _ready(ports)
    username = await _room_account(sessions, meeting_id)
    async with sessions() as db:
        room = await db.get(Room, await db.scalar(select(Participant.room_id).join(
            User, User.id == Participant.user_id).where(
            User.username == username, Participant.meeting_id == meeting_id)))
        room.link_kbps = 640
        await db.commit()
    agent, browser = await tablets(username), await tablets("daibieu01")
    connections = []
    peer_ids = []
    try:
        for endpoint, kind in ((agent, "agent"), (browser, "browser")):
            pc, peer_id, answer = await _join_video(endpoint, kind)
            connections.append(pc)
            assert answer["ok"], answer
            await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
            peer_ids.append(peer_id)
        async with sessions() as db:
            placed = (await db.get(BridgePlacement, meeting_id)).worker
        async with aiohttp.ClientSession(headers={"X-Bridge-Key": SECRET}) as http, \
                http.get(f"{placed}/meetings/{meeting_id}") as response:
            on_worker = {p["peer_id"]: p["budget_kbps"] for p in (await response.json())["peers"]}
        chair = await tablets("chutoa")
        status, view = await chair.http("GET", f"/api/v1/meetings/{meeting_id}/video")
    finally:
        await asyncio.gather(*(pc.close() for pc in connections))
    room_peer, browser_peer = peer_ids
    assert on_worker == {room_peer: 640, browser_peer: None}
    shown = {e["peer_id"]: e for e in view["endpoints"]}
    assert status == 200 and shown[room_peer]["connected"]
    assert (shown[room_peer]["budget_kbps"], shown[browser_peer]["budget_kbps"]) == (640, None)
    assert "sent_kbps" in shown[room_peer]
