"""Signalling through the server to real bridge workers: a room not invited is refused, an
offer gets the worker's answer, and when the meeting's worker dies its endpoints are told
to reconnect and land on the other worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from sqlalchemy import select

from server.auth.models import User
from server.bridge.models import BridgePlacement
from server.bridge.worker import host_addresses
from server.meetings.models import MeetingRoom, Participant
from server.realtime import events as wire
from server.settings import ROOT, Settings
from tests.conftest import make_settings
from tests.realtime.conftest import Tablets, eventually
from tests.realtime.processes import free_port

SECRET = "khoa-cau-truyen-hinh"


@pytest.fixture(scope="module")
def ports() -> list[int]:
    return [free_port(), free_port()]


@pytest.fixture
def settings(database_url: str, store_path: Path, ports: list[int]) -> Settings:
    return make_settings(database_url, store_path, bridge={
        "workers": [f"http://127.0.0.1:{p}" for p in ports], "secret": SECRET,
        "host_addresses": ["127.0.0.1"], "thumbnails": 1})


@pytest.fixture
def workers(ports: list[int], tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "PHONGHOP_BRIDGE_SECRET": SECRET,
           "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1", "PHONGHOP_LOGGING_LEVEL": "WARNING"}
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
    async with aiohttp.ClientSession(headers={"X-Bridge-Key": SECRET}) as http:
        for port in ports:
            for _ in range(300):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/status") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"worker on {port} did not start")


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
    joined = await room.act(wire.VIDEO_JOIN, {"endpoint": "agent"})
    assert joined["ok"] and joined["peer_id"].startswith("room-"), joined
    pc, sdp = await _offer()
    answer = await room.act(wire.VIDEO_OFFER, {"peer_id": joined["peer_id"], "sdp": sdp,
                                               "type": "offer"})
    await pc.close()
    assert answer["ok"] and answer["sdp"].startswith("v=0"), answer
    async with sessions() as db:
        first = (await db.get(BridgePlacement, meeting_id)).worker
    dead = ports.index(int(first.rsplit(":", 1)[1]))
    workers[dead].send_signal(signal.SIGKILL)
    workers[dead].wait(timeout=10)
    await eventually(lambda: any(c["command"] == "reconnect" for c in commands), timeout=10)

    again = await room.act(wire.VIDEO_JOIN, {"endpoint": "agent"})
    pc, sdp = await _offer()
    answer = await room.act(wire.VIDEO_OFFER, {"peer_id": again["peer_id"], "sdp": sdp,
                                               "type": "offer"})
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


