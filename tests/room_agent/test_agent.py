"""The room agent against a fake server and bridge (tests/room_agent/fake_server.py).

The agent runs in the test's process (an ``Agent`` task) except where the exit
status of ``python -m room_agent`` itself is the point. aioice ignores 127.0.0.1,
so the agent's ``host_addresses`` option gives both peers the loopback address.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import av
import pytest

from room_agent.agent import Agent, backoff_delay
from room_agent.config import AgentConfig, Backoff
from room_agent.media import BARS, PatternTrack, bar_colours, read_counter
from room_agent.sinks import MAIN_AUDIO, MAIN_VIDEO
from server.settings import ROOT

from .fake_server import MEETING, TOKEN, FakeServer, wait_until

LOOPBACK = ["127.0.0.1"]
QUICK = Backoff(initial_seconds=0.2, max_seconds=0.5)

StartAgent = Callable[..., Awaitable[Agent]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeServer]:
    server = FakeServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def start_agent(fake: FakeServer) -> AsyncIterator[StartAgent]:
    running: list[tuple[Agent, asyncio.Task[int]]] = []

    async def start(**values: Any) -> Agent:
        config = AgentConfig(**{
            "server": fake.url, "token": TOKEN, "meeting": MEETING, "size": (320, 240),
            "host_addresses": LOOPBACK, "heartbeat_seconds": 0.3, "timeout_seconds": 5.0,
            "backoff": QUICK, **values})
        agent = Agent(config)
        running.append((agent, asyncio.create_task(agent.run())))
        return agent

    yield start
    for agent, task in running:
        agent.stop()
        await asyncio.wait_for(task, 10)


def _close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _media_lines(sdp: str) -> list[str]:
    lines, kind = [], None
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split()[0]
        elif kind and line[2:] in ("sendrecv", "sendonly", "recvonly", "inactive"):
            lines.append(f"{kind} {line[2:]}")
    return lines


async def test_the_agent_offers_the_contracts_tracks_in_order(
        fake: FakeServer, start_agent: StartAgent) -> None:
    agent = await start_agent()
    await wait_until(lambda: agent.sessions == 1, what="the media to connect")
    assert fake.joins == [{"meeting_id": MEETING, "device": "room_agent"}]
    assert _media_lines(fake.offers[0]) == [
        "video sendrecv", "audio sendrecv", "video sendonly", "video recvonly"]


async def test_the_bridge_receives_the_pattern_with_its_counter_and_the_tone(
        fake: FakeServer, start_agent: StartAgent) -> None:
    await start_agent()
    await wait_until(lambda: fake.received["video"] >= 5 and fake.received["audio"] >= 10
                     and fake.thumbnail_size is not None, what="the agent's media")
    first = fake.last_video
    assert first is not None
    image = first.to_image()
    assert all(_close(seen, bar) for seen, bar in zip(bar_colours(image), BARS, strict=True))
    await wait_until(lambda: fake.last_video is not first, what="a later frame")
    assert fake.last_video is not None
    assert read_counter(fake.last_video.to_image()) > read_counter(image) > 0
    assert max(fake.audio_peaks[-5:]) > 2000
    assert fake.thumbnail_size == (160, 120)


async def test_mute_sends_silence_and_unmute_the_microphone_again(
        fake: FakeServer, start_agent: StartAgent) -> None:
    agent = await start_agent()
    await wait_until(lambda: len(fake.audio_peaks) > 5 and fake.audio_peaks[-1] > 2000,
                     what="the tone")
    await fake.command("mute", peer_id="room-99")
    await fake.command("unmute", peer_id="peer-1")
    await wait_until(lambda: agent.commands == ["unmute"], what="the commands")
    assert not agent.muted  # the mute was for another room
    await fake.command("mute", peer_id="peer-1")
    await wait_until(lambda: agent.muted, what="the mute command")
    heard = len(fake.audio_peaks)
    await wait_until(lambda: len(fake.audio_peaks) > heard + 15
                     and max(fake.audio_peaks[-10:]) < 50, what="silence")
    await fake.command("unmute")
    await wait_until(lambda: fake.audio_peaks[-1] > 2000, what="the tone again")


def _film(path: Path, frames: int = 30) -> None:
    """Two seconds of the pattern as an MPEG-4 file, without sound."""
    pattern = PatternTrack("Tệp thử", (320, 240), 15)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for number in range(frames):
            frame = av.VideoFrame.from_image(pattern.draw(number)).reformat(format="yuv420p")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


async def test_a_media_file_is_sent_in_a_loop_with_silence_for_its_missing_sound(
        fake: FakeServer, start_agent: StartAgent, tmp_path: Path) -> None:
    film = tmp_path / "film.mp4"
    _film(film)
    await start_agent(source=f"file:{film}")
    await wait_until(lambda: fake.received["video"] >= 35 and len(fake.audio_peaks) > 10,
                     what="the film, past its end")
    assert fake.last_video is not None
    assert _close(bar_colours(fake.last_video.to_image())[1], BARS[1])
    assert max(fake.audio_peaks[-10:]) < 50


async def test_the_agent_records_and_counts_what_the_bridge_sends(
        fake: FakeServer, start_agent: StartAgent, tmp_path: Path) -> None:
    recording = tmp_path / "received.mp4"
    agent = await start_agent(sink=f"file:{recording}")
    await wait_until(lambda: agent.counts.by_role[MAIN_VIDEO] >= 10
                     and agent.counts.by_role[MAIN_AUDIO] >= 10
                     and agent.counts.by_role["thumbnail_3"] >= 2, what="frames from the bridge")
    await wait_until(lambda: any(h["frames_received"] > 0 for h in fake.heartbeats),
                     what="a heartbeat that counts frames")
    heartbeat = fake.heartbeats[-1]
    assert set(heartbeat) == {"cpu", "bitrate_kbps", "packet_loss", "frames_received", "source"}
    assert heartbeat["source"] == "pattern+tone" and heartbeat["bitrate_kbps"] > 0
    agent.stop()
    await wait_until(lambda: fake.leaves == ["peer-1"], what="video_leave")
    with av.open(str(recording)) as container:
        frames = list(container.decode(video=0))
    assert len(frames) >= 5
    assert _close(bar_colours(frames[-1].to_image())[0], BARS[0])


async def test_the_agent_comes_back_after_the_server_restarts(
        fake: FakeServer, start_agent: StartAgent) -> None:
    agent = await start_agent()
    await wait_until(lambda: agent.sessions == 1, what="the first connection")
    await fake.stop()
    await wait_until(lambda: not agent.connected.is_set(), what="the agent to notice")
    before = fake.received["video"]
    await fake.start()
    await wait_until(lambda: agent.sessions == 2 and fake.received["video"] > before + 3,
                     what="the second connection")
    assert len(fake.joins) == 2


async def test_the_agent_reconnects_when_its_peer_connection_closes(
        fake: FakeServer, start_agent: StartAgent) -> None:
    agent = await start_agent()
    await wait_until(lambda: agent.sessions == 1, what="the first connection")
    await fake.close_peers()
    await wait_until(lambda: agent.sessions == 2, what="a new peer connection")
    assert fake.video_joins == 2


async def test_a_server_that_stops_answering_heartbeats_is_left_and_joined_again(
        fake: FakeServer, start_agent: StartAgent) -> None:
    agent = await start_agent(timeout_seconds=0.5)
    await wait_until(lambda: agent.sessions == 1, what="the first connection")
    fake.deaf = True
    await wait_until(lambda: not agent.connected.is_set(), what="the agent to give up")
    fake.deaf = False
    await wait_until(lambda: agent.sessions == 2, what="the second connection")


async def test_the_command_runs_until_sigterm_and_then_leaves(
        fake: FakeServer, tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(f'server = "{fake.url}"\ntoken = "{TOKEN}"\nmeeting = {MEETING}\n'
                      'size = "320x240"\nhost_addresses = ["127.0.0.1"]\n', encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "room_agent", "--config", str(config), cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await wait_until(lambda: fake.received["video"] >= 3, 20, "the agent's frames")
        process.terminate()
        _out, err = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    assert fake.leaves == ["peer-1"]
    assert "[meeting 7, session 1] media connected" in err.decode()


async def test_an_answer_that_is_no_sdp_is_tried_again(
        fake: FakeServer, start_agent: StartAgent) -> None:
    fake.garbled_answers = 1
    agent = await start_agent()
    await wait_until(lambda: agent.sessions == 1, what="a connection at the second offer")
    assert len(fake.offers) == 2


async def test_a_reconnect_command_negotiates_again(
        fake: FakeServer, start_agent: StartAgent) -> None:
    agent = await start_agent()
    await wait_until(lambda: agent.sessions == 1, what="the first connection")
    await fake.command("reconnect")
    await wait_until(lambda: agent.sessions == 2, what="the second negotiation")
    assert fake.leaves == ["peer-1"]


async def test_without_a_display_the_window_sink_still_counts(
        fake: FakeServer, start_agent: StartAgent, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    agent = await start_agent(sink="window")
    await wait_until(lambda: agent.counts.by_role[MAIN_VIDEO] >= 3, what="frames")


async def test_a_meeting_the_room_is_not_in_ends_the_agent_with_status_2(
        fake: FakeServer) -> None:
    agent = Agent(AgentConfig(server=fake.url, token=TOKEN, meeting=MEETING + 1,
                              host_addresses=LOOPBACK, backoff=QUICK))
    assert await asyncio.wait_for(agent.run(), 10) == 2
    assert agent.refusal is not None and "not_found" in agent.refusal


async def _cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "room_agent", *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, err.decode()


async def test_a_wrong_token_ends_the_agent_with_status_2_and_one_line(fake: FakeServer) -> None:
    code, err = await _cli("--server", fake.url, "--token", "phk_sai", "--meeting", str(MEETING))
    assert code == 2
    assert "từ chối" in err.splitlines()[-1]


async def test_a_wrong_token_fails_the_check(fake: FakeServer) -> None:
    code, err = await _cli("--server", fake.url, "--token", "phk_sai", "--check")
    assert (code, "từ chối" in err) == (2, True)


async def test_a_missing_camera_is_said_in_one_line(fake: FakeServer) -> None:
    code, err = await _cli("--server", fake.url, "--token", TOKEN, "--meeting", str(MEETING),
                           "--source", "v4l2:/dev/video-none")
    assert code == 1
    assert "/dev/video-none" in err.splitlines()[-1]


def test_back_off_grows_is_capped_and_jittered() -> None:
    backoff = Backoff(initial_seconds=1, max_seconds=8, factor=2)
    assert [backoff_delay(backoff, n, lambda: 0.5) for n in range(6)] == [1, 2, 4, 8, 8, 8]
    assert backoff_delay(backoff, 0, lambda: 0.0) == 0.75
    assert backoff_delay(backoff, 9, lambda: 1.0) == 10


@pytest.mark.parametrize(("setting", "words"), [
    ('size = "big"', "size"),
    ('fps = 0', "fps"),
    ('source = "camera"', "source"),
    ('source = "file:/nowhere/film.mp4"', "/nowhere/film.mp4"),
    ('sink = "screen"', "sink"),
    ('host_addresses = ["localhost"]', "host_addresses"),
    ('ice_servers = [{urls = "http://stun"}]', "ice_servers"),
    ('colour = "red"', "colour"),
    ('meeting = "seven"', "meeting"),
    ('size = "640x480"\n[backoff]\ninitial_seconds = 5\nmax_seconds = 1', "max_seconds"),
    ('server = ', "TOML"),
])
def test_a_bad_setting_is_refused_in_one_line_with_status_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, words: str) -> None:
    from room_agent.__main__ import main

    config = tmp_path / "agent.toml"
    base = {"server": '"http://127.0.0.1:9"', "token": f'"{TOKEN}"', "meeting": "7"}
    lines = [f"{key} = {value}" for key, value in base.items() if not setting.startswith(key)]
    config.write_text("\n".join([*lines, setting]) + "\n", encoding="utf-8")
    assert main(["--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err and " / " in err


async def test_a_bad_argument_is_one_line_with_status_2() -> None:
    code, err = await _cli("--server", "http://127.0.0.1:9", "--meeting", "bảy")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--meeting" in err


def test_the_example_config_is_valid_and_documents_every_key() -> None:
    from room_agent.config import PARSERS, build, read_file

    example = ROOT / "config" / "room-agent.example.toml"
    build(read_file(example))
    text = example.read_text(encoding="utf-8")
    assert [key for key in PARSERS if f"{key} =" not in text and f"[{key}" not in text
            and f"[[{key}" not in text] == []


def test_each_connection_records_to_its_own_file() -> None:
    from room_agent.sinks import recording_path

    assert [recording_path("/srv/rec/hop.mp4", n) for n in (1, 2, 3)] == [
        "/srv/rec/hop.mp4", "/srv/rec/hop-2.mp4", "/srv/rec/hop-3.mp4"]
