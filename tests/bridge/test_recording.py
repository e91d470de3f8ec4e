"""Recording a meeting (server/bridge/recording.py): real aiortc peers on loopback join
the SFU, the recording is switched on and off, and the file is opened with PyAV
afterwards: its pictures are classified by colour, its sound is analysed at the
frequencies of the rooms' tones."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import av
import numpy as np
import pytest
from aiohttp.test_utils import TestClient
from aiortc import RTCSessionDescription

from server.bridge import recording
from server.bridge.mixing import SAMPLE_RATE, Anchor
from server.bridge.sfu import RecordingUnavailable, Sfu, UnknownMeeting
from server.bridge.worker import KEY_HEADER, SFU
from server.settings import ROOT
from tests.bridge.peers import BLUE, BRIDGE_KEY, RED, Endpoint, colour_of, until
from tests.realtime.processes import free_port

LOUD = 8000


@dataclass
class Recorded:
    """What a recording holds, as a player reads it."""

    video_codec: str | None = None
    frames: list[tuple[float, str]] = field(default_factory=list)  # (seconds, colour)
    sound: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    duration: float | None = None  # from the header: None until the trailer is written

    def colours(self) -> list[str]:
        return [colour for _at, colour in self.frames]

    def level(self, frequency: int, start: float, end: float) -> float:
        """Amplitude of ``frequency`` in the sound between two times (one DFT bin)."""
        part = self.sound[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
        bins = np.fft.rfft(part.astype(np.float64))
        return float(abs(bins[round(frequency * len(part) / SAMPLE_RATE)]) * 2 / len(part))


def read(path: Path) -> Recorded:
    recorded = Recorded()
    with av.open(str(path)) as container:
        recorded.duration = (container.duration / av.time_base
                             if container.duration is not None else None)
        if container.streams.video:
            recorded.video_codec = container.streams.video[0].codec_context.name
            recorded.frames = [(float(frame.time or 0), colour_of(frame))
                               for frame in container.decode(video=0)]
    with av.open(str(path)) as container:
        chunks = [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
    if chunks:
        recorded.sound = np.concatenate(chunks)
    return recorded


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.mkv"))


async def test_the_recording_holds_the_floor_holders_video_and_switches_with_the_floor(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    red, blue = endpoints("red", RED), endpoints("blue", BLUE)
    await red.join(sfu, "m1")
    await blue.join(sfu, "m1")
    sfu.set_floor("m1", "red")
    name = await sfu.set_recording("m1", True)
    await asyncio.sleep(1.5)
    sfu.set_floor("m1", "blue")
    await asyncio.sleep(1.5)
    await sfu.set_recording("m1", False)

    recorded = read(recordings / "m1" / str(name))
    colours = recorded.colours()
    assert recorded.video_codec == "vp8"
    assert "blue" in colours, colours
    switch = colours.index("blue")
    assert colours[:switch] == ["red"] * switch and switch >= 15
    assert colours[switch:] == ["blue"] * (len(colours) - switch)
    assert len(colours) - switch >= 15


async def test_an_h264_meeting_is_recorded_in_h264(
        loopback: None, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    sfu = Sfu(codec="H264", recordings=recordings)
    try:
        room = endpoints("room", RED, codec="H264")
        await room.join(sfu, "m1")
        sfu.set_floor("m1", "room")
        name = await sfu.set_recording("m1", True)
        await asyncio.sleep(1.5)
        await sfu.set_recording("m1", False)
    finally:
        await sfu.close()
    recorded = read(recordings / "m1" / str(name))
    assert recorded.video_codec == "h264"
    assert len(recorded.frames) >= 15 and set(recorded.colours()) == {"red"}


async def test_the_recording_mixes_every_unmuted_room(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    low = endpoints("low", RED, amplitude=LOUD, frequency=440)
    high = endpoints("high", BLUE, amplitude=LOUD, frequency=1000)
    await low.join(sfu, "m1")
    await high.join(sfu, "m1")
    sfu.set_floor("m1", "low")
    await until(lambda: all(p.audio.frames > 10 for p in sfu.meetings["m1"].peers.values()))
    name = await sfu.set_recording("m1", True)
    started = time.monotonic()
    await asyncio.sleep(2.5)
    sfu.set_muted("m1", "high", True)
    muted = time.monotonic() - started
    await asyncio.sleep(2.5)
    await sfu.set_recording("m1", False)

    recorded = read(recordings / "m1" / str(name))
    both = (0.5, muted - 0.3)
    after = (muted + 0.5, muted + 2.2)
    assert recorded.level(440, *both) > 0.05 and recorded.level(1000, *both) > 0.05
    assert recorded.level(440, *after) > 0.05
    assert recorded.level(1000, *after) < recorded.level(440, *after) / 50


async def test_sound_and_pictures_last_as_long_as_the_recording_across_a_floor_change(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    red, blue = endpoints("red", RED, amplitude=LOUD), endpoints("blue", BLUE, amplitude=LOUD)
    await red.join(sfu, "m1")
    await blue.join(sfu, "m1")
    sfu.set_floor("m1", "red")
    started = time.monotonic()
    name = await sfu.set_recording("m1", True)
    await asyncio.sleep(2.0)
    switched = time.monotonic() - started
    sfu.set_floor("m1", "blue")
    await asyncio.sleep(2.0)
    wall = time.monotonic() - started
    await sfu.set_recording("m1", False)

    recorded = read(recordings / "m1" / str(name))
    first_blue = next(at for at, colour in recorded.frames if colour == "blue")
    assert abs(len(recorded.sound) / SAMPLE_RATE - wall) < 0.5
    assert abs(recorded.frames[-1][0] - wall) < 0.5
    assert abs(first_blue - switched) < 0.5


def test_a_source_whose_clock_runs_fast_or_slow_stays_on_the_wall_clock() -> None:
    """An hour of 20 ms packets from clocks 0.1 % fast and slow, arriving with up to
    30 ms of jitter: every packet is placed within 0.15 s of when it was sent."""
    for rate in (1.001, 0.999):
        anchor = Anchor(SAMPLE_RATE, ahead=0.04, behind=0.1)
        worst = 0
        for n in range(180_000):
            sent = n * 960  # on the wall clock, in samples
            jitter = (n * 7919) % 30 * SAMPLE_RATE // 1000
            position = anchor.place(round(n * 960 * rate), sent + jitter)
            worst = max(worst, abs(position - sent))
        assert worst < 0.15 * SAMPLE_RATE, (rate, worst / SAMPLE_RATE)
        assert anchor.moved > 0


async def test_turning_recording_off_finalises_the_file(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    room = endpoints("room", RED, amplitude=LOUD)
    await room.join(sfu, "m1")
    sfu.set_floor("m1", "room")
    name = await sfu.set_recording("m1", True)
    await asyncio.sleep(1.0)
    assert await sfu.set_recording("m1", False) is None
    recorded = read(recordings / "m1" / str(name))
    assert recorded.duration is not None and 0.7 < recorded.duration < 1.8
    assert sfu.describe("m1")["recording"] is None and sfu.counts()["recordings"] == 0


async def test_the_last_peer_leaving_finalises_the_file(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    one, two = endpoints("one", RED, amplitude=LOUD), endpoints("two", BLUE)
    await one.join(sfu, "m1")
    await two.join(sfu, "m1")
    sfu.set_floor("m1", "one")
    name = await sfu.set_recording("m1", True)
    await asyncio.sleep(1.0)
    await sfu.remove_peer("m1", "two")
    assert sfu.describe("m1")["recording"] == name  # one room is still there
    await sfu.remove_peer("m1", "one")
    recorded = read(recordings / "m1" / str(name))
    assert recorded.duration is not None and recorded.frames
    assert "m1" not in sfu.meetings and sfu.counts()["recordings"] == 0


async def test_recording_twice_keeps_one_file(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    one, two = endpoints("one", RED), endpoints("two", BLUE)
    await one.join(sfu, "m1")
    first = await sfu.set_recording("m1", True)
    again = await sfu.set_recording("m1", True)
    await two.join(sfu, "m1", record=True)  # already recording: goes on in the same file
    assert first == again == sfu.describe("m1")["recording"] and first is not None
    assert sfu.counts()["recordings"] == 1
    await sfu.set_recording("m1", False)
    assert [p.name for p in files(recordings)] == [first]


async def test_a_peer_that_joins_with_record_starts_a_recording(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    """A meeting that moved here from a worker that died goes on recording, in a new file."""
    room = endpoints("room", RED)
    await room.join(sfu, "m1", record=True)
    name = sfu.describe("m1")["recording"]
    assert name is not None and (recordings / "m1" / name).is_file()


async def test_recording_is_refused_without_a_folder_and_on_an_unknown_meeting(
        loopback: None, endpoints: Callable[..., Endpoint], recordings: Path) -> None:
    sfu = Sfu(codec="VP8")
    try:
        room = endpoints("room", RED)
        await room.join(sfu, "m1", record=True)  # the room joins all the same
        with pytest.raises(RecordingUnavailable):
            await sfu.set_recording("m1", True)
        assert sfu.describe("m1")["recording"] is None
    finally:
        await sfu.close()
    sfu = Sfu(codec="VP8", recordings=recordings)
    try:
        with pytest.raises(UnknownMeeting):
            await sfu.set_recording("m1", True)
        assert await sfu.set_recording("m1", False) is None
    finally:
        await sfu.close()
    assert not files(recordings)


async def test_a_recording_that_fails_ends_and_the_meeting_goes_on(
        sfu: Sfu, endpoints: Callable[..., Endpoint], recordings: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hall, viewer = endpoints("hall", RED, amplitude=LOUD), endpoints("viewer")
    await hall.join(sfu, "m1")
    await viewer.join(sfu, "m1")
    sfu.set_floor("m1", "hall")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recording._Writer, "write", disk_full)
    assert await sfu.set_recording("m1", True) is not None
    await until(lambda: sfu.describe("m1")["recording"] is None)
    seen = len(viewer.main)
    await until(lambda: len(viewer.main) > seen + 10)  # the meeting's video still flows
    monkeypatch.undo()
    again = await sfu.set_recording("m1", True)  # and it can be recorded again
    await asyncio.sleep(0.5)
    await sfu.set_recording("m1", False)
    assert read(recordings / "m1" / str(again)).frames


# -- the HTTP API ------------------------------------------------------------------

HEADERS = {KEY_HEADER: BRIDGE_KEY}


async def _join(worker: TestClient | aiohttp.ClientSession, endpoint: Endpoint,
                **extra: object) -> int:
    response = await worker.post("/meetings/7/peers", headers=HEADERS, json={
        "peer_id": endpoint.name, "sdp": await endpoint.offer(), "type": "offer", **extra})
    if response.status == 200:
        answer = await response.json()
        await endpoint.pc.setRemoteDescription(
            RTCSessionDescription(answer["sdp"], answer["type"]))
    return response.status


async def test_recording_over_http(worker: TestClient, endpoints: Callable[..., Endpoint],
                                   recordings: Path) -> None:
    unknown = await worker.put("/meetings/7/recording", headers=HEADERS, json={"on": True})
    assert unknown.status == 404
    assert await _join(worker, endpoints("hall", RED)) == 200
    on = await (await worker.put("/meetings/7/recording", headers=HEADERS,
                                 json={"on": True})).json()
    described = await (await worker.get("/meetings/7", headers=HEADERS)).json()
    status = await (await worker.get("/status", headers=HEADERS)).json()
    off = await (await worker.put("/meetings/7/recording", headers=HEADERS,
                                  json={"on": False})).json()
    assert on["recording"] and described["recording"] == on["recording"]
    assert status["recordings"] == 1 and off == {"recording": None}
    assert [p.name for p in files(recordings)] == [on["recording"]]


async def test_recording_without_a_folder_is_refused_over_http(
        worker: TestClient, endpoints: Callable[..., Endpoint]) -> None:
    worker.server.app[SFU].recordings = None
    assert await _join(worker, endpoints("hall", RED)) == 200
    response = await worker.put("/meetings/7/recording", headers=HEADERS, json={"on": True})
    body = await response.json()
    assert response.status == 409 and body["error"]["code"] == "recording_unavailable"


@pytest.mark.parametrize("record", ["yes", 1, None])
async def test_record_of_a_wrong_type_is_a_bad_request(
        worker: TestClient, endpoints: Callable[..., Endpoint], record: object) -> None:
    response = await worker.post("/meetings/7/peers", headers=HEADERS, json={
        "peer_id": "hall", "sdp": await endpoints("hall", RED).offer(), "type": "offer",
        "record": record})
    switch = await worker.put("/meetings/7/recording", headers=HEADERS, json={"on": record})
    assert response.status == 400 and switch.status == 400
    assert (await response.json())["error"]["code"] == "invalid_request"
    assert (await switch.json())["error"]["code"] == "invalid_request"


async def _started(http: aiohttp.ClientSession) -> None:
    for _ in range(300):
        try:
            async with http.get("/status") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the worker did not start")


async def test_a_worker_killed_while_recording_leaves_a_file_readable_up_to_the_kill(
        loopback: None, endpoints: Callable[..., Endpoint], recordings: Path,
        tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PHONGHOP_BRIDGE_SECRET": BRIDGE_KEY,
           "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1", "PHONGHOP_LOGGING_LEVEL": "WARNING",
           "PHONGHOP_BRIDGE_RECORDINGS": str(recordings)}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "bridge", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "bridge.log").open("wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(url, headers=HEADERS) as http:
            await _started(http)
            room = endpoints("room", RED, amplitude=LOUD)
            assert await _join(http, room, record=True) == 200
            await http.put("/meetings/7/floor", headers=HEADERS, json={"peer_id": "room"})
            await asyncio.sleep(3.0)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    [path] = files(recordings)
    recorded = read(path)
    assert recorded.duration is None  # no trailer: the worker never finished the file
    assert recorded.frames and recorded.frames[-1][0] > 1.0
    assert len(recorded.sound) / SAMPLE_RATE > 1.0
