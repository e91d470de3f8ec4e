"""The live meeting over Socket.IO: join with a snapshot, the chair's actions reach
every tablet in revision order, and what is not allowed is refused with a message."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from server.auth.models import User
from server.documents.models import Document
from server.meetings.models import AgendaItem
from server.realtime import events as wire

from .conftest import Tablets, eventually


async def _documents(sessions: Any, meeting_id: int) -> list[Document]:
    async with sessions() as db:
        return list(await db.scalars(select(Document).where(Document.meeting_id == meeting_id)
                                     .order_by(Document.id)))


async def _items(sessions: Any, meeting_id: int) -> list[int]:
    async with sessions() as db:
        return list(await db.scalars(select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position, AgendaItem.id)))


async def test_a_tablet_joins_with_the_whole_live_state(tablets: Tablets, meeting_id: int) -> None:
    tablet = await tablets("daibieu01")
    state = tablet.snapshot
    assert state["meeting"]["id"] == meeting_id
    assert state["meeting"]["status"] == "scheduled"
    assert state["me"]["role"] == "delegate" and state["me"]["may_chair"] is False
    assert [i["number"] for i in state["agenda"]][:2] == ["1", "2"]
    assert state["presentation"] is None and state["speaker"] is None and state["queue"] == []


async def test_a_stranger_cannot_join_and_learns_nothing(
    tablets: Tablets, meeting_id: int, make_user: Any
) -> None:
    await make_user("nguoila", password="demo")
    tablet = await tablets("nguoila", join=False)
    answer = await tablet.act(wire.JOIN, {"meeting_id": meeting_id})
    missing = await tablet.act(wire.JOIN, {"meeting_id": 999_999})
    assert answer["error"]["code"] == "not_found"
    assert answer["error"] == missing["error"]


async def test_the_chair_presents_and_every_tablet_follows_to_the_page(
    tablets: Tablets, meeting_id: int, sessions: Any
) -> None:
    chair, delegate = await tablets("chutoa"), await tablets("daibieu01")
    document = (await _documents(sessions, meeting_id))[0]
    assert (await chair.act(wire.START_MEETING))["ok"]
    await chair.act(wire.PRESENT, {"document_id": document.id, "page": 1})
    answer = await chair.act(wire.TURN_PAGE, {"page": 2})
    event = await delegate.next_event("presentation", after=answer["rev"] - 1)
    assert event["rev"] == answer["rev"]
    assert event["data"]["presentation"] == {
        "document_id": document.id, "version": 1, "page": 2,
        "pages": document.current.pages, "since": event["data"]["presentation"]["since"]}
    revisions = [e["rev"] for e in delegate.events]
    assert revisions == list(range(revisions[0], revisions[0] + len(revisions)))


async def test_a_delegate_cannot_run_the_meeting(tablets: Tablets) -> None:
    delegate = await tablets("daibieu01")
    for event in (wire.START_MEETING, wire.END_MEETING, wire.STOP_PRESENTING, wire.END_TURN):
        answer = await delegate.act(event)
        assert answer["error"]["code"] == "forbidden", event
    assert delegate.events == []


async def test_refusals_of_the_gate_say_why_in_the_users_language(tablets: Tablets) -> None:
    tablet = await tablets("daibieu01", join=False)
    not_joined = await tablet.act(wire.REQUEST_TO_SPEAK)
    unknown = await tablet.act("xoa_cuoc_hop", {})
    not_an_object = await tablet.act(wire.JOIN, [1, 2])
    too_large = await tablet.act(wire.JOIN, {"meeting_id": 1, "device": "x" * 20_000})
    assert not_joined["error"]["code"] == "not_joined"
    assert unknown["error"] == {"code": "unknown_event",
                                "message": "Thao tác “xoa_cuoc_hop” không tồn tại."}
    assert not_an_object["error"]["code"] == "invalid_payload"
    assert too_large["error"]["code"] == "payload_too_large"


async def test_pages_outside_the_document_are_refused(
    tablets: Tablets, meeting_id: int, sessions: Any
) -> None:
    chair = await tablets("chutoa")
    document = (await _documents(sessions, meeting_id))[0]
    await chair.act(wire.START_MEETING)
    beyond = await chair.act(wire.PRESENT, {"document_id": document.id,
                                            "page": document.current.pages + 1})
    not_presenting = await chair.act(wire.TURN_PAGE, {"page": 1})
    assert beyond["error"]["code"] == "page_out_of_range"
    assert not_presenting["error"]["code"] == "not_presenting"


async def test_a_flood_of_page_turns_is_limited_and_others_are_not_slowed(
    tablets: Tablets, meeting_id: int, sessions: Any
) -> None:
    chair, secretary = await tablets("chutoa"), await tablets("thuky")
    document = (await _documents(sessions, meeting_id))[0]
    await chair.act(wire.START_MEETING)
    await chair.act(wire.PRESENT, {"document_id": document.id, "page": 1})
    pages = document.current.pages
    answers = [await chair.act(wire.TURN_PAGE, {"page": 1 + i % pages}) for i in range(25)]
    limited = [a for a in answers if "error" in a]
    assert limited and all(a["error"]["code"] == "rate_limited" for a in limited)
    assert (await secretary.act(wire.TURN_PAGE, {"page": 1}))["ok"]


async def test_a_tablet_that_was_away_catches_up_with_one_snapshot(
    tablets: Tablets, meeting_id: int, sessions: Any
) -> None:
    chair, delegate = await tablets("chutoa"), await tablets("daibieu01")
    document = (await _documents(sessions, meeting_id))[0]
    await delegate.close()
    await chair.act(wire.START_MEETING)
    await chair.act(wire.GO_TO_ITEM, {"item_id": (await _items(sessions, meeting_id))[1]})
    await chair.act(wire.PRESENT, {"document_id": document.id, "page": 2})
    last = await chair.act(wire.TURN_PAGE, {"page": 3})
    back = await tablets("daibieu01")
    assert back.snapshot["rev"] == last["rev"]
    assert back.snapshot["presentation"]["page"] == 3
    assert back.snapshot["meeting"]["status"] == "live"


async def test_the_console_sees_who_is_connected_from_which_device(tablets: Tablets) -> None:
    chair = await tablets("chutoa")
    delegate = await tablets("daibieu01", join=False)
    await delegate.join(chair.snapshot["meeting"]["id"], device="tablet-ghe-01")
    await eventually(lambda: any(
        c["device"] == "tablet-ghe-01" for p in chair.presence for c in p["connections"]))
    await delegate.close()
    await eventually(lambda: chair.presence and all(
        c["device"] != "tablet-ghe-01" for c in chair.presence[-1]["connections"]))
    assert delegate.presence == []


async def test_ending_the_meeting_closes_the_item_the_turn_and_the_queue(
    tablets: Tablets, meeting_id: int, sessions: Any
) -> None:
    chair, first, second = (await tablets("chutoa"), await tablets("daibieu01"),
                            await tablets("daibieu02"))
    await chair.act(wire.START_MEETING)
    await chair.act(wire.GO_TO_ITEM, {"item_id": (await _items(sessions, meeting_id))[0]})
    turn = (await first.act(wire.REQUEST_TO_SPEAK))["turn"]
    await second.act(wire.REQUEST_TO_SPEAK)
    await chair.act(wire.GIVE_FLOOR, {"turn_id": turn["id"]})
    await chair.act(wire.END_MEETING)
    state = (await chair.act(wire.SNAPSHOT))["snapshot"]
    assert state["meeting"]["status"] == "ended" and state["meeting"]["ended_at"]
    assert state["speaker"] is None and state["queue"] == []
    refused = await chair.act(wire.GO_TO_ITEM, {"item_id": state["agenda"][0]["id"]})
    assert refused["error"]["code"] == "meeting_not_live"


@pytest.mark.parametrize("username", ["thuky", "chutoa"])
async def test_the_chair_and_the_secretary_may_run_the_console(
    tablets: Tablets, username: str
) -> None:
    runner = await tablets(username)
    assert runner.snapshot["me"]["may_chair"] is True
    assert (await runner.act(wire.START_MEETING))["ok"]


async def test_a_locked_account_loses_the_console_at_its_next_action(
    tablets: Tablets, sessions: Any
) -> None:
    chair = await tablets("chutoa")
    async with sessions() as db:
        user = await db.scalar(select(User).where(User.username == "chutoa"))
        user.is_active = False
        await db.commit()
    answer = await chair.act(wire.START_MEETING)
    assert answer["error"]["code"] == "not_authenticated"


async def test_a_check_in_updates_the_quorum_on_every_tablet(
    tablets: Tablets, meeting_id: int, client: Any, login: Any
) -> None:
    chair = await tablets("chutoa")
    before = chair.snapshot["quorum"]["present"]
    csrf = await login("daibieu07")
    response = await client.post(f"/api/v1/meetings/{meeting_id}/check-in",
                                 headers={"X-CSRF-Token": csrf})
    assert response.status == 200
    event = await chair.next_event("attendance", after=chair.snapshot["rev"])
    assert event["data"]["quorum"]["present"] == before + 1


async def test_deleting_the_presented_document_ends_the_presentation_everywhere(
    tablets: Tablets, meeting_id: int, sessions: Any, client: Any, login: Any
) -> None:
    chair, delegate = await tablets("chutoa"), await tablets("daibieu01")
    document = (await _documents(sessions, meeting_id))[0]
    await chair.act(wire.START_MEETING)
    shown = await chair.act(wire.PRESENT, {"document_id": document.id, "page": 1})
    csrf = await login("thuky")
    response = await client.delete(f"/api/v1/documents/{document.id}",
                                   headers={"X-CSRF-Token": csrf})
    assert response.status == 204
    told = await delegate.next_event("documents", after=shown["rev"])
    ended = await delegate.next_event("presentation", after=told["rev"])
    assert ended["data"] == {"presentation": None}


async def test_starting_concluding_and_ending_are_written_to_the_audit_log(
    tablets: Tablets, meeting_id: int, sessions: Any
) -> None:
    from server.audit.models import AuditEntry
    from server.audit.service import verify

    chair = await tablets("chutoa")
    item = (await _items(sessions, meeting_id))[0]
    await chair.act(wire.START_MEETING)
    await chair.act(wire.CONCLUDE_ITEM, {"item_id": item, "conclusion": "Thống nhất thông qua."})
    await chair.act(wire.END_MEETING)
    async with sessions() as db:
        entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        assert (await verify(db)).ok
    assert [e.action for e in entries] == ["meeting_started", "item_concluded", "meeting_ended"]
    assert entries[1].data["conclusion"] == "Thống nhất thông qua."
    async with sessions() as db:
        chair_name = await db.scalar(select(User.full_name).where(User.username == "chutoa"))
    assert {e.actor for e in entries} == {chair_name}
