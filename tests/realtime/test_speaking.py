"""Speaking requests: the queue the chair orders, the floor with its time limit, the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.realtime import events as wire

from .conftest import Tablets


async def _live(tablets: Tablets) -> Any:
    chair = await tablets("chutoa")
    assert (await chair.act(wire.START_MEETING))["ok"]
    return chair


async def test_asking_twice_is_one_request_at_the_end_of_the_queue(tablets: Tablets) -> None:
    chair = await _live(tablets)
    first, second = await tablets("daibieu01"), await tablets("daibieu02")
    one = await first.act(wire.REQUEST_TO_SPEAK)
    await second.act(wire.REQUEST_TO_SPEAK)
    again = await first.act(wire.REQUEST_TO_SPEAK)
    assert again["turn"]["id"] == one["turn"]["id"]
    queue = (await chair.act(wire.SNAPSHOT))["snapshot"]["queue"]
    assert [t["name"] for t in queue] == [one["turn"]["name"], queue[1]["name"]]
    assert len(queue) == 2


async def test_the_chair_reorders_the_whole_queue_and_only_the_whole(tablets: Tablets) -> None:
    chair = await _live(tablets)
    ids = [(await (await tablets(f"daibieu0{i}")).act(wire.REQUEST_TO_SPEAK))["turn"]["id"]
           for i in (1, 2, 3)]
    partial = await chair.act(wire.REORDER_QUEUE, {"turn_ids": ids[:2]})
    assert partial["error"]["code"] == "invalid_queue_order"
    await chair.act(wire.REORDER_QUEUE, {"turn_ids": ids[::-1]})
    event = await chair.next_event("floor", after=chair.events[-1]["rev"] - 1)
    assert [t["id"] for t in event["data"]["queue"]] == ids[::-1]


async def test_the_floor_with_a_limit_carries_its_deadline_to_every_tablet(
    tablets: Tablets
) -> None:
    chair = await _live(tablets)
    delegate, screen = await tablets("daibieu01"), await tablets("daibieu05")
    turn = (await delegate.act(wire.REQUEST_TO_SPEAK))["turn"]
    answer = await chair.act(wire.GIVE_FLOOR, {"turn_id": turn["id"], "limit_seconds": 120})
    event = await screen.next_event("floor", after=answer["rev"] - 1)
    speaker = event["data"]["speaker"]
    assert speaker["participant_id"] == turn["participant_id"]
    started = datetime.fromisoformat(speaker["started_at"])
    assert (datetime.fromisoformat(speaker["deadline"]) - started).total_seconds() == 120
    assert event["data"]["queue"] == []


async def test_giving_the_floor_to_the_next_ends_the_current_turn(tablets: Tablets) -> None:
    chair = await _live(tablets)
    first, second = await tablets("daibieu01"), await tablets("daibieu02")
    one = (await first.act(wire.REQUEST_TO_SPEAK))["turn"]
    two = (await second.act(wire.REQUEST_TO_SPEAK))["turn"]
    await chair.act(wire.GIVE_FLOOR, {"turn_id": one["id"]})
    await chair.act(wire.GIVE_FLOOR, {"turn_id": two["id"]})
    status, log = await _speaking(chair)
    assert status == 200
    by_id = {t["id"]: t for t in log["turns"]}
    assert by_id[one["id"]]["status"] == "done" and by_id[one["id"]]["ended_at"]
    assert by_id[two["id"]]["status"] == "speaking"


async def _speaking(tablet: Any) -> tuple[int, Any]:
    import aiohttp

    meeting_id = tablet.snapshot["meeting"]["id"]
    async with aiohttp.ClientSession(cookies={"phonghop_session": tablet.cookie}) as http, \
            http.get(f"{tablet.url}/api/v1/meetings/{meeting_id}/speaking") as response:
        return response.status, await response.json()


async def test_who_has_not_spoken_is_one_glance(tablets: Tablets) -> None:
    chair = await _live(tablets)
    delegate = await tablets("daibieu01")
    turn = (await delegate.act(wire.REQUEST_TO_SPEAK))["turn"]
    await chair.act(wire.GIVE_FLOOR, {"turn_id": turn["id"]})
    await chair.act(wire.END_TURN)
    _, log = await _speaking(chair)
    spoke = {p["participant_id"]: p["turns"] for p in log["by_participant"]}
    assert spoke[turn["participant_id"]] == 1
    assert sum(1 for n in spoke.values() if n == 0) == len(spoke) - 1
    assert sum(u["turns"] for u in log["by_unit"]) == 1
    assert sum(u["silent"] for u in log["by_unit"]) == len(spoke) - 1


async def test_a_remote_room_asks_for_its_own_delegates_only(tablets: Tablets) -> None:
    await _live(tablets)
    room, delegate = await tablets("huyen1"), await tablets("daibieu01")
    own = await room.act(wire.REQUEST_TO_SPEAK,
                         {"participant_id": room.snapshot["me"]["participant_id"]})
    other = await room.act(wire.REQUEST_TO_SPEAK,
                           {"participant_id": delegate.snapshot["me"]["participant_id"]})
    assert own["ok"] and own["turn"]["remote"] is True
    assert other["error"]["code"] == "not_your_room"


async def test_withdrawing_is_for_the_one_who_asked_or_the_chair(tablets: Tablets) -> None:
    await _live(tablets)
    first, second = await tablets("daibieu01"), await tablets("daibieu02")
    turn = (await first.act(wire.REQUEST_TO_SPEAK))["turn"]
    stolen = await second.act(wire.WITHDRAW_REQUEST, {"turn_id": turn["id"]})
    assert stolen["error"]["code"] == "forbidden"
    assert (await first.act(wire.WITHDRAW_REQUEST, {"turn_id": turn["id"]}))["ok"]
    again = await first.act(wire.WITHDRAW_REQUEST, {"turn_id": turn["id"]})
    assert again["error"]["code"] == "turn_not_open"


async def test_giving_the_floor_needs_a_live_meeting_and_a_sane_limit(tablets: Tablets) -> None:
    chair = await tablets("chutoa")
    delegate = await tablets("daibieu01")
    turn = (await delegate.act(wire.REQUEST_TO_SPEAK))["turn"]
    early = await chair.act(wire.GIVE_FLOOR, {"turn_id": turn["id"]})
    assert early["error"]["code"] == "meeting_not_live"
    await chair.act(wire.START_MEETING)
    silly = await chair.act(wire.GIVE_FLOOR, {"turn_id": turn["id"], "limit_seconds": 5})
    assert silly["error"]["code"] == "invalid_field"
    nobody = await chair.act(wire.END_TURN)
    assert nobody["error"]["code"] == "no_speaker"


async def test_two_devices_asking_at_once_make_one_request(tablets: Tablets) -> None:
    import asyncio

    await _live(tablets)
    tablet, laptop = await tablets("daibieu01"), await tablets("daibieu01")
    answers = await asyncio.gather(*(device.act(wire.REQUEST_TO_SPEAK)
                                     for device in (tablet, laptop) * 5))
    assert {a["turn"]["id"] for a in answers} == {answers[0]["turn"]["id"]}


async def test_two_consoles_giving_the_floor_at_once_leave_one_speaker(tablets: Tablets) -> None:
    import asyncio

    chair, secretary = await _live(tablets), await tablets("thuky")
    turns = [(await (await tablets(f"daibieu0{i}")).act(wire.REQUEST_TO_SPEAK))["turn"]["id"]
             for i in (1, 2, 3, 4)]
    answers = await asyncio.gather(*(console.act(wire.GIVE_FLOOR, {"turn_id": turn})
                                     for console, turn in zip((chair, secretary) * 2, turns,
                                                              strict=True)))
    assert all(a.get("ok") for a in answers), answers
    _, log = await _speaking(chair)
    assert [t["status"] for t in log["turns"]].count("speaking") == 1
    assert [t["status"] for t in log["turns"]].count("done") == 3
