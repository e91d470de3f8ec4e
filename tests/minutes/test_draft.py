"""The draft of the minutes is written from the record: who came, who chaired, what was
said on each item, the votes' results and the conclusions; the secretary edits it."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web
from sqlalchemy import select

from server.meetings.models import Meeting
from server.minutes.document import Heading, VoteTable
from server.minutes.draft import document_of
from server.realtime import events as wire
from server.state import SESSIONS
from tests.voting.conftest import DELEGATES, MakePoll, Tablet, Tablets, option

BASE = "/api/v1/meetings/{}/minutes"


async def _hold_meeting(chair: Tablet, make_poll: MakePoll, tablets: Tablets) -> dict[str, Any]:
    """A short meeting: item 1 discussed, voted and concluded; then ended."""
    item = chair.snapshot["agenda"][0]
    await chair.act(wire.GO_TO_ITEM, {"item_id": item["id"]})
    speaker = await tablets("daibieu03")
    turn = (await speaker.act(wire.REQUEST_TO_SPEAK))["turn"]
    await chair.act(wire.GIVE_FLOOR, {"turn_id": turn["id"]})
    await chair.act(wire.END_TURN)
    poll = await make_poll(title="Thông qua báo cáo", agenda_item_id=item["id"])
    for username in DELEGATES[:12]:
        voter = await tablets(username)
        await voter.act(wire.CAST_BALLOT, {"poll_id": poll["id"], "ballot_id": str(uuid.uuid4()),
                                           "option_ids": [option(poll, "yes")]})
    await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"]})
    await chair.act(wire.PUBLISH_POLL, {"poll_id": poll["id"]})
    await chair.act(wire.CONCLUDE_ITEM, {"item_id": item["id"],
                                         "conclusion": "Thống nhất thông qua báo cáo."})
    assert (await chair.act(wire.END_MEETING))["ok"]
    return {"item": item, "poll": poll, "speaker": turn["name"]}


async def test_the_draft_is_written_from_the_record(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int, app: web.Application
) -> None:
    held = await _hold_meeting(chair, make_poll, tablets)
    secretary = await tablets("thuky")
    status, body = await secretary.http("POST", BASE.format(meeting_id))
    assert status == 201, body
    text = {s["key"]: s["text"] for s in body["minutes"]["sections"]}
    assert "Tại hội trường (21 người)" in text["participants"]
    assert text["presiding"].startswith("Chủ trì (chủ tọa): ")
    assert f"# 1. {held['item']['title']}" in text["content"]
    assert held["speaker"] in text["content"]
    assert f"[[bieu-quyet:{held['poll']['id']}]]" in text["content"]
    assert "Kết luận: Thống nhất thông qua báo cáo." in text["content"]
    assert text["closing"].startswith("Cuộc họp kết thúc vào ") and "…" not in text["closing"]

    async with app[SESSIONS]() as db:
        meeting = await db.scalar(select(Meeting).where(Meeting.id == meeting_id))
        document = await document_of(db, meeting, body["minutes"]["sections"])
    tables = [b for b in document.blocks if isinstance(b, VoteTable)]
    assert [(r.label, r.votes, r.share) for r in tables[0].rows] == [
        ("Tán thành", 12, "57,1%"), ("Không tán thành", 0, "0,0%"),
        ("Không biểu quyết", 0, "0,0%")]
    assert tables[0].outcome.startswith("Kết quả (biểu quyết công khai): Thông qua.")
    assert any(isinstance(b, Heading) for b in document.blocks)
    assert document.number == "Số: 12/BB-UBND"


async def test_the_secretary_edits_a_section_and_can_reset_it(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int
) -> None:
    await _hold_meeting(chair, make_poll, tablets)
    secretary = await tablets("thuky")
    await secretary.http("POST", BASE.format(meeting_id))
    edited = "Thời gian bắt đầu: 8 giờ.\n<b>Địa điểm</b>: **Hội trường** tầng 3."
    status, body = await secretary.http("PUT", BASE.format(meeting_id) + "/sections/opening",
                                        {"text": edited, "version": 1})
    assert status == 200, body
    assert body["minutes"]["sections"][0]["text"] == edited
    status, body = await secretary.http("POST",
                                        BASE.format(meeting_id) + "/sections/opening/reset",
                                        {"version": 1})
    assert status == 200 and body["minutes"]["sections"][0]["text"] != edited


async def test_who_may_see_and_change_the_draft(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int
) -> None:
    await _hold_meeting(chair, make_poll, tablets)
    delegate, secretary = await tablets("daibieu01"), await tablets("thuky")
    early = await delegate.http("POST", BASE.format(meeting_id))
    assert early[0] == 403
    await secretary.http("POST", BASE.format(meeting_id))
    assert (await delegate.http("GET", BASE.format(meeting_id)))[0] == 404
    assert (await chair.http("GET", BASE.format(meeting_id)))[0] == 200
    refused = await chair.http("PUT", BASE.format(meeting_id) + "/sections/opening",
                               {"text": "Chủ tọa sửa", "version": 1})
    assert refused[0] == 403


async def test_minutes_wait_for_the_end_of_the_meeting(chair: Tablet, meeting_id: int,
                                                       tablets: Tablets) -> None:
    secretary = await tablets("thuky")
    status, body = await secretary.http("POST", BASE.format(meeting_id))
    assert status == 409 and body["error"]["code"] == "meeting_not_ended"


async def test_a_save_from_an_old_version_is_refused(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, meeting_id: int
) -> None:
    await _hold_meeting(chair, make_poll, tablets)
    secretary = await tablets("thuky")
    await secretary.http("POST", BASE.format(meeting_id))
    status, body = await secretary.http("PUT", BASE.format(meeting_id) + "/sections/closing",
                                        {"text": "Kết thúc.", "version": 7})
    assert status == 409 and body["error"]["code"] == "stale_version"
    unknown = await secretary.http("PUT", BASE.format(meeting_id) + "/sections/khac",
                                   {"text": "x", "version": 1})
    assert unknown[0] == 404

