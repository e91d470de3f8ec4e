"""A room's link budget on the worker: bitrates measured, not counted, and thumbnails sent
only while they fit after the main video and sound; real aiortc peers on loopback.

Budgets here are set from what the worker measured of the publishers just before (their
solid-colour streams are steady), so that exactly one thumbnail fits with half a
thumbnail to spare either way.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient
from aiortc import RTCSessionDescription

from server.bridge import budget as budget_module
from server.bridge.forwarding import RATE_WINDOW
from server.bridge.sfu import Sfu
from server.bridge.worker import KEY_HEADER
from tests.bridge.peers import BLUE, BRIDGE_KEY, RED, Endpoint, SizedTrack, until


async def _publishers(sfu: Sfu, endpoints: Callable[..., Endpoint]) -> dict[str, float]:
    """a (red, with sound) on the floor, b and c (blue) below it in the ranking; once the
    worker has measured a whole window of each, their wire rates in kbit/s."""
    for endpoint in (endpoints("a", RED, amplitude=8000), endpoints("b", BLUE),
                     endpoints("c", BLUE)):
        await endpoint.join(sfu, "m1")
    sfu.set_floor("m1", "a")
    peers = sfu.meetings["m1"].peers
    await until(lambda: all(p.thumbnail.frames for p in peers.values()))
    await asyncio.sleep(RATE_WINDOW)  # the first keyframes are out of the window

    def rate(publication: object) -> float:
        measured = publication.rate.wire_kbps()  # type: ignore[attr-defined]
        assert measured, publication
        return float(measured)

    return {"main": rate(peers["a"].main_video), "audio": rate(peers["a"].audio),
            "b": rate(peers["b"].thumbnail), "c": rate(peers["c"].thumbnail)}


async def test_a_budget_for_main_sound_and_one_thumbnail_gets_one_while_no_budget_gets_two(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    rates = await _publishers(sfu, endpoints)
    # One thumbnail fits (with room to add it), the second would not by half its rate.
    budget = math.ceil((rates["main"] + rates["audio"] + rates["b"] + rates["c"] / 2)
                       / budget_module.ADD_HEADROOM)
    tight, free = endpoints("tight", thumbnails=2), endpoints("free", thumbnails=2)
    await tight.join(sfu, "m1", budget_kbps=budget)
    await free.join(sfu, "m1")
    await tight.first_main("red")
    await asyncio.sleep(0.5)  # a few ticks re-decide with the new subscribers' keyframes
    for endpoint in (tight, free):
        for seen in endpoint.thumbnails.values():
            seen.clear()
    await until(lambda: free.slots_fed() == 2)
    await asyncio.sleep(0.5)
    assert (tight.slots_fed(), free.slots_fed()) == (1, 2), rates
    assert sfu.meetings["m1"].peers["tight"].slots == ["b", None]


async def test_a_budget_below_the_main_video_still_gets_it_and_no_thumbnail_logged_once(
        sfu: Sfu, endpoints: Callable[..., Endpoint], caplog: pytest.LogCaptureFixture
) -> None:
    rates = await _publishers(sfu, endpoints)
    narrow = endpoints("narrow", thumbnails=2)
    with caplog.at_level(logging.WARNING, logger="phonghop.bridge"):
        await narrow.join(sfu, "m1", budget_kbps=math.floor(rates["main"] / 2))
        started = time.monotonic()
        await narrow.first_main("red")
        await asyncio.sleep(1.0)  # five ticks, each deciding again
    frames = [at for at, colour in narrow.main if colour == "red" and at > started + 0.5]
    assert len(frames) > 10 and narrow.slots_fed(frames=1) == 0
    assert sfu.meetings["m1"].peers["narrow"].slots == [None, None]
    warnings = [r for r in caplog.records if "exceed" in r.getMessage()]
    assert len(warnings) == 1 and "narrow" in warnings[0].getMessage()


async def test_a_budget_that_stops_fitting_drops_the_last_thumbnail_within_a_second(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    rates = await _publishers(sfu, endpoints)
    viewer = endpoints("viewer", thumbnails=2)
    await viewer.join(sfu, "m1", budget_kbps=round(sum(rates.values()) * 2))
    peer = sfu.meetings["m1"].peers["viewer"]
    await until(lambda: peer.slots == ["b", "c"])
    # The link narrows (as when c starts sending more): only b fits now.
    peer.budget_kbps = math.ceil(rates["main"] + rates["audio"] + rates["b"] + rates["c"] / 2)
    narrowed = time.monotonic()
    await until(lambda: peer.slots == ["b", None], timeout=1.0)
    assert time.monotonic() - narrowed < 1.0


async def test_a_publications_measured_bitrate_is_what_its_publisher_sends(
        sfu: Sfu, endpoints: Callable[..., Endpoint]) -> None:
    camera = SizedTrack(kbps=400)
    room = endpoints("room", camera=camera)
    await room.join(sfu, "m1")
    publication = sfu.meetings["m1"].peers["room"].main_video
    # Two windows: what left the window must no longer count.
    await until(lambda: bool(camera.pushed)
                and time.monotonic() - camera.pushed[0][0] > 2 * RATE_WINDOW, timeout=10)
    now = time.monotonic()
    measured = publication.rate.kbps(now)
    # What left the publisher over the same window, counted on its side.
    pushed = sum(size for at, size in camera.pushed if at > now - RATE_WINDOW)
    assert measured == pytest.approx(pushed * 8 / RATE_WINDOW / 1000, rel=0.2)


async def test_the_worker_takes_a_budget_and_reports_it_with_what_it_sends(
        worker: TestClient, endpoints: Callable[..., Endpoint]) -> None:
    hall, room = endpoints("hall", RED), endpoints("room")
    answers = []
    for endpoint, budget in ((hall, None), (room, 700)):
        response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: BRIDGE_KEY},
                                     json={"peer_id": endpoint.name, "sdp": await endpoint.offer(),
                                           "type": "offer", "budget_kbps": budget})
        answers.append(response.status)
        answer = await response.json()
        await endpoint.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"],
                                                                     answer["type"]))
    await worker.put("/meetings/7/floor", headers={KEY_HEADER: BRIDGE_KEY},
                     json={"peer_id": "hall"})
    await room.first_main("red")
    await asyncio.sleep(1.5)

    async def peers() -> dict[str, dict[str, object]]:
        view = await (await worker.get("/meetings/7", headers={KEY_HEADER: BRIDGE_KEY})).json()
        return {p["peer_id"]: p for p in view["peers"]}

    described = await peers()
    assert answers == [200, 200]
    assert (described["hall"]["budget_kbps"], described["room"]["budget_kbps"]) == (None, 700)
    assert isinstance(described["room"]["sent_kbps"], int) and described["room"]["sent_kbps"] > 0


@pytest.mark.parametrize("budget", [-1, 1.5, "700", True])
async def test_a_budget_that_is_not_a_non_negative_integer_is_invalid_request(
        worker: TestClient, endpoints: Callable[..., Endpoint], budget: object) -> None:
    response = await worker.post("/meetings/7/peers", headers={KEY_HEADER: BRIDGE_KEY}, json={
        "peer_id": "room", "sdp": await endpoints("room").offer(), "type": "offer",
        "budget_kbps": budget})
    body = await response.json()
    assert (response.status, body["error"]["code"]) == (400, "invalid_request")
    assert "budget_kbps" in body["error"]["message"]
