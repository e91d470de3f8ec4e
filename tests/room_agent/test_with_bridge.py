"""Two room agents with the real server and a real bridge worker (a process) on loopback.

Each district's agent signs in with its token, joins the demo meeting's video and
receives the other's thumbnail; when the chair gives the floor to the second
district, the first receives that district's test pattern as the main video,
which the frame counter proves is live; the first's heartbeats reach the
administrator's record of room health.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageGrab
from sqlalchemy import select

from room_agent.agent import Agent
from room_agent.config import AgentConfig, Backoff
from room_agent.media import BARS, bar_colours, read_counter
from room_agent.sinks import MAIN_VIDEO
from server.auth import service
from server.auth.models import User
from server.bridge.models import RoomHealth
from server.meetings.models import Participant
from server.realtime import events as wire
from server.settings import ROOT, Settings
from tests.conftest import make_settings
from tests.realtime.conftest import Tablets
from tests.realtime.processes import free_port, wait_answering

from .fake_server import wait_until

SECRET = "khoa-cau-truyen-hinh-agent"


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture
def settings(database_url: str, store_path: Path, port: int) -> Settings:
    return make_settings(database_url, store_path, bridge={
        "workers": [f"http://127.0.0.1:{port}"], "secret": SECRET,
        "host_addresses": ["127.0.0.1"], "thumbnails": 1})


@pytest.fixture
def worker(port: int, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PHONGHOP_BRIDGE_SECRET": SECRET,
           "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1", "PHONGHOP_LOGGING_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "bridge", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "bridge.log").open("wb"))
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _ready(port: int) -> None:
    await wait_answering(f"http://127.0.0.1:{port}/status", headers={"X-Bridge-Key": SECRET})


@pytest.fixture
def agent_sinks() -> dict[str, str]:
    """What each agent does with what it receives (parametrize to change): nothing but count."""
    return {}


@pytest.fixture
def display(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A virtual screen (Xvfb), as the agent's DISPLAY."""
    number = next(n for n in range(90, 400) if not Path(f"/tmp/.X{n}-lock").exists()
                  and not Path(f"/tmp/.X11-unix/X{n}").exists())
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "xvfb.log").open("wb"))
    try:
        for _ in range(200):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            assert process.poll() is None, (tmp_path / "xvfb.log").read_text()
            time.sleep(0.025)
        monkeypatch.setenv("DISPLAY", f":{number}")
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def agents(client: Any, sessions: Any, meeting_id: int, worker: Any, port: int,
                 agent_sinks: dict[str, str], request: pytest.FixtureRequest,
                 ) -> AsyncIterator[dict[str, Agent]]:
    if "window" in agent_sinks.values():
        request.getfixturevalue("display")
    await _ready(port)
    running: dict[str, Agent] = {}
    tasks = []
    for username in ("huyen1", "huyen2"):
        async with sessions() as db:
            user = await db.scalar(select(User).where(User.username == username))
            secret, _ = await service.issue_token(db, user, "room agent")
            await db.commit()
        agent = Agent(AgentConfig(
            server=f"http://{client.host}:{client.port}", token=secret, meeting=meeting_id,
            size=(320, 240), host_addresses=["127.0.0.1"], heartbeat_seconds=1.0,
            sink=agent_sinks.get(username, "none"),
            backoff=Backoff(initial_seconds=0.2, max_seconds=1.0)))
        running[username] = agent
        tasks.append(asyncio.create_task(agent.run()))
    yield running
    for agent in running.values():
        agent.stop()
    assert await asyncio.wait_for(asyncio.gather(*tasks), 15) == [0, 0]


async def test_two_rooms_see_each_other_through_the_bridge(
        agents: dict[str, Agent], tablets: Tablets, sessions: Any, meeting_id: int) -> None:
    first, second = agents["huyen1"], agents["huyen2"]
    await wait_until(lambda: first.sessions == 1 and second.sessions == 1, 15,
                     "both agents to connect")
    await wait_until(lambda: first.counts.by_role["thumbnail_3"] > 0, 10,
                     "the other room's thumbnail")
    await _give_floor_to(tablets, sessions, meeting_id, "huyen2")

    await wait_until(lambda: first.counts.by_role[MAIN_VIDEO] >= 2, 10, "the floor's video")
    picture = first.counts.last_video
    assert picture is not None
    image = picture.to_image()
    assert all(abs(a - b) <= 40 for seen, bar in zip(bar_colours(image), BARS, strict=True)
               for a, b in zip(seen, bar, strict=True))
    counter = read_counter(image)
    await wait_until(lambda: first.counts.last_video is not picture, 5, "a later frame")
    assert first.counts.last_video is not None
    assert read_counter(first.counts.last_video.to_image()) > counter

    async def health() -> dict[str, Any] | None:
        async with sessions() as db:
            room = await db.scalar(select(Participant.room_id).join(
                User, User.id == Participant.user_id).where(
                User.username == "huyen1", Participant.meeting_id == meeting_id))
            row = await db.get(RoomHealth, room)
            return dict(row.data) if row is not None else None

    for _ in range(100):
        data = await health()
        if data and data["frames_received"] > 0:
            break
        await asyncio.sleep(0.1)
    assert data is not None and data["source"] == "pattern+tone" and data["bitrate_kbps"] > 0


async def _give_floor_to(tablets: Tablets, sessions: Any, meeting_id: int, username: str) -> None:
    chair = await tablets("chutoa")
    assert (await chair.act(wire.START_MEETING, {}))["ok"]
    async with sessions() as db:
        speaker = await db.scalar(select(Participant.id).join(
            User, User.id == Participant.user_id).where(
            User.username == username, Participant.meeting_id == meeting_id))
    answer = await chair.act(wire.GIVE_FLOOR, {"participant_id": speaker})
    assert answer["ok"], answer


@pytest.mark.parametrize("agent_sinks", [{"huyen1": "window"}])
async def test_the_window_shows_the_floor_holders_picture_as_it_runs(
        agents: dict[str, Agent], tablets: Tablets, sessions: Any, meeting_id: int,
        display: str, artifacts: Path) -> None:
    first, second = agents["huyen1"], agents["huyen2"]
    await wait_until(lambda: first.sessions == 1 and second.sessions == 1, 15,
                     "both agents to connect")
    await _give_floor_to(tablets, sessions, meeting_id, "huyen2")
    await wait_until(lambda: first.counts.by_role[MAIN_VIDEO] >= 10, 10, "the floor's video")

    def window() -> Image.Image:
        # Without a window manager the agent's window sits at the screen's top left corner,
        # the picture (320×240) inside the label's border.
        return ImageGrab.grab(bbox=(0, 0, 324, 244), xdisplay=display).crop((2, 2, 322, 242))

    shown = window()
    assert all(abs(a - b) <= 40 for seen, bar in zip(bar_colours(shown), BARS, strict=True)
               for a, b in zip(seen, bar, strict=True)), bar_colours(shown)
    await asyncio.sleep(0.5)
    later = window()
    later.save(artifacts / "room-agent-window.png")
    assert read_counter(later) > read_counter(shown)  # the window follows the stream
