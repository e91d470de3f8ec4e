"""A poll's life over the wire: drafts, the quorum, open, ballots, close, publish, and the
result computed from what was recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from aiohttp import web

from server.realtime import events as wire
from server.voting.models import Poll
from server.voting.runtime import close_due_polls
from tests.realtime.conftest import eventually

from .conftest import DELEGATES, MakePoll, Tablet, Tablets, check_in, option


def ballot(poll: dict[str, Any], *choices: str) -> dict[str, Any]:
    return {"poll_id": poll["id"], "ballot_id": str(uuid.uuid4()),
            "option_ids": [option(poll, c) for c in choices]}


async def vote(tablets: Tablets, username: str, poll: dict[str, Any], *choices: str) -> Any:
    tablet = await tablets(username)
    return await tablet.act(wire.CAST_BALLOT, ballot(poll, *choices))


async def publish(chair: Tablet, poll: dict[str, Any]) -> dict[str, Any]:
    """Close and publish; the poll as the event told every tablet, with the names of a
    named poll's voters from the poll's own URL (the event carries only their count)."""
    assert (await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"]}))["ok"]
    answer = await chair.act(wire.PUBLISH_POLL, {"poll_id": poll["id"]})
    assert answer.get("ok"), answer
    event = await chair.next_event("polls", after=answer["rev"] - 1)
    told = next(p for p in event["data"]["polls"] if p["id"] == poll["id"])
    status, body = await chair.http("GET", f"/api/v1/polls/{poll['id']}")
    assert status == 200
    full = body["poll"]
    assert told["results"]["named"] is None
    assert told["results"]["named_count"] == (None if poll["secret"] else
                                              len(full["results"]["named"]))
    assert {**told["results"], "named": None} == {**full["results"], "named": None}
    return full


async def test_a_resolution_passes_with_more_than_half_of_all_members(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll()
    for username in DELEGATES[:11]:
        assert (await vote(tablets, username, poll, "yes"))["ok"]
    for username in DELEGATES[11:14]:
        assert (await vote(tablets, username, poll, "no"))["ok"]
    result = await publish(chair, poll)
    outcome = result["results"]["outcome"]
    assert outcome == {"passed": True, "base": 21, "needed": 11, "deciding_votes": 11,
                       "chosen": [option(poll, "yes")], "tie": False}
    assert result["results"]["turnout"] == {"members": 21, "present": 21, "cast": 14}


async def test_ten_yes_of_twenty_one_members_is_not_enough(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll()
    for username in DELEGATES[:10]:
        await vote(tablets, username, poll, "yes")
    result = await publish(chair, poll)
    assert result["results"]["outcome"]["passed"] is False
    assert result["results"]["outcome"]["needed"] == 11


async def test_a_named_poll_shows_each_name_with_its_choice(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll()
    await vote(tablets, "daibieu01", poll, "yes")
    await vote(tablets, "daibieu02", poll, "abstain")
    named = (await publish(chair, poll))["results"]["named"]
    chosen = {v["name"]: v["option_ids"] for v in named}
    names = {v["participant_id"]: v["name"] for v in named}
    assert len(named) == 2 and not any(v["recorded_by_chair"] for v in named)
    assert sorted(chosen.values()) == sorted([[option(poll, "yes")], [option(poll, "abstain")]])
    assert len(set(names.values())) == 2


async def test_a_poll_does_not_open_without_the_quorum(
    tablets: Tablets, sessions: Any, meeting_id: int
) -> None:
    await check_in(sessions, meeting_id, ["chutoa", *DELEGATES[:12]])  # 13 of 21, 14 needed
    chair = await tablets("chutoa")
    await chair.act(wire.START_MEETING)
    status, body = await chair.http("POST", f"/api/v1/meetings/{meeting_id}/polls",
                                    {"title": "Biểu quyết", "kind": "yes_no"})
    assert status == 201
    answer = await chair.act(wire.OPEN_POLL, {"poll_id": body["poll"]["id"]})
    assert answer["error"]["code"] == "no_quorum"
    assert "13/21" in answer["error"]["message"] and "14" in answer["error"]["message"]


async def test_only_those_who_may_vote_are_counted(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, sessions: Any, meeting_id: int
) -> None:
    poll = await make_poll()
    secretary = await vote(tablets, "thuky", poll, "yes")          # no voting right
    room = await vote(tablets, "huyen1", poll, "yes")              # no voting right either
    assert secretary["error"]["code"] == room["error"]["code"] == "not_eligible"
    assert "quyền biểu quyết" in secretary["error"]["message"]


async def test_a_ballot_is_refused_when_the_poll_is_not_open(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    draft = await make_poll(open_it=False)
    early = await vote(tablets, "daibieu01", draft, "yes")
    poll = await make_poll()
    await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"]})
    late = await vote(tablets, "daibieu02", poll, "yes")
    assert early["error"]["code"] == late["error"]["code"] == "poll_not_open"


async def test_a_cast_vote_cannot_be_changed_unless_the_poll_allows_it(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    fixed, changeable = await make_poll(), await make_poll(allow_change=True)
    delegate = await tablets("daibieu01")
    await delegate.act(wire.CAST_BALLOT, ballot(fixed, "yes"))
    second = await delegate.act(wire.CAST_BALLOT, ballot(fixed, "no"))
    assert second["error"]["code"] == "already_voted"
    await delegate.act(wire.CAST_BALLOT, ballot(changeable, "yes"))
    changed = await delegate.act(wire.CAST_BALLOT, ballot(changeable, "no"))
    assert changed["ok"] and changed["changed"] is True
    result = await publish(chair, changeable)
    counts = {c["option_id"]: c["votes"] for c in result["results"]["counts"]}
    assert counts[option(changeable, "no")] == 1 and counts[option(changeable, "yes")] == 0


async def test_choices_that_do_not_fit_the_poll_are_refused(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    election = await make_poll(kind="election", max_selections=2,
                               options=["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"])
    other = await make_poll()
    delegate = await tablets("daibieu01")
    too_many = await delegate.act(wire.CAST_BALLOT, {
        "poll_id": election["id"], "ballot_id": str(uuid.uuid4()),
        "option_ids": [o["id"] for o in election["options"]]})
    foreign = await delegate.act(wire.CAST_BALLOT, {
        "poll_id": election["id"], "ballot_id": str(uuid.uuid4()),
        "option_ids": [option(other, "yes")]})
    none_of_yes_no = await delegate.act(wire.CAST_BALLOT, {
        "poll_id": other["id"], "ballot_id": str(uuid.uuid4()), "option_ids": []})
    assert {too_many["error"]["code"], foreign["error"]["code"],
            none_of_yes_no["error"]["code"]} == {"invalid_choice"}
    assert "tối đa 2" in too_many["error"]["message"]


async def test_an_election_elects_who_meets_the_rule_up_to_the_seats(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll(kind="election", max_selections=2,
                           options=["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"])
    for i, username in enumerate(DELEGATES[:15]):
        picks = ["Nguyễn Văn An", "Trần Thị Bình"] if i < 12 else ["Lê Văn Cường"]
        assert (await vote(tablets, username, poll, *picks))["ok"]
    outcome = (await publish(chair, poll))["results"]["outcome"]
    assert sorted(outcome["chosen"]) == sorted([option(poll, "Nguyễn Văn An"),
                                                option(poll, "Trần Thị Bình")])


async def test_a_delegate_cannot_run_a_poll(make_poll: MakePoll, tablets: Tablets) -> None:
    poll = await make_poll(open_it=False)
    delegate = await tablets("daibieu01")
    answer = await delegate.act(wire.OPEN_POLL, {"poll_id": poll["id"]})
    assert answer["error"]["code"] == "forbidden"
    status, _ = await delegate.http("POST", f"/api/v1/meetings/{poll['meeting_id']}/polls",
                                    {"title": "Tự mở", "kind": "yes_no"})
    assert status == 403


async def test_drafts_are_hidden_from_delegates(make_poll: MakePoll, tablets: Tablets) -> None:
    draft = await make_poll(open_it=False)
    delegate = await tablets("daibieu01")
    status, body = await delegate.http("GET", f"/api/v1/meetings/{draft['meeting_id']}/polls")
    assert status == 200 and body["polls"] == []
    assert (await delegate.http("GET", f"/api/v1/polls/{draft['id']}"))[0] == 404


async def test_a_secret_poll_cannot_allow_changes(chair: Tablet, meeting_id: int) -> None:
    status, body = await chair.http("POST", f"/api/v1/meetings/{meeting_id}/polls", {
        "title": "Bỏ phiếu kín", "kind": "yes_no", "secret": True, "allow_change": True})
    assert status == 400
    assert body["error"]["message"].endswith("phiếu kín không cho phép sửa phiếu")


async def test_the_console_sees_how_many_have_voted_never_what(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    progress: list[Any] = []
    chair.sio.on(wire.POLL_PROGRESS, progress.append, namespace=wire.MEETINGS_NAMESPACE)
    poll = await make_poll(secret=True)
    for username in DELEGATES[:3]:
        await vote(tablets, username, poll, "yes")
    await eventually(lambda: progress and progress[-1]["voted"] == 3)
    assert progress[-1] == {"poll_id": poll["id"], "voted": 3, "eligible": 21}


async def test_a_poll_with_a_duration_closes_by_itself(
    chair: Tablet, make_poll: MakePoll, app: web.Application, sessions: Any
) -> None:
    poll = await make_poll(duration_seconds=10)
    assert await close_due_polls(app) == 0
    # The deadline lives in the database: moving it back is what ten seconds passing does.
    async with sessions() as db:
        stored = await db.get(Poll, poll["id"])
        stored.closes_at = stored.closes_at - timedelta(seconds=11)
        await db.commit()
    before = max(e["rev"] for e in chair.events)
    assert await close_due_polls(app) == 1
    event = await chair.next_event("polls", after=before)
    assert next(p for p in event["data"]["polls"] if p["id"] == poll["id"])["status"] == "closed"


async def test_the_snapshot_says_whether_i_may_vote(chair: Tablet, tablets: Tablets) -> None:
    delegate, secretary = await tablets("daibieu01"), await tablets("thuky")
    assert delegate.snapshot["me"]["may_vote"] is True
    mine = secretary.snapshot["me"]
    assert (mine["voting_right"], mine["may_vote"], mine["voted"]) == (False, False, [])
