"""Ballots are never lost and never counted twice, and a secret one cannot be traced.

The concurrency tests drive the ballot writer as the Socket.IO handler does (one
submit per ballot, awaiting its commit), with hundreds of voters, retries of the
same ballot and voters who give up waiting and send it again, on both engines."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from typing import Any

from aiohttp import web
from sqlalchemy import func, select, text

from server.auth.models import User
from server.db import Base
from server.meetings.models import Attendance, MeetingRole, Participant
from server.realtime import events as wire
from server.voting.models import NamedChoice, SecretCount, VoterRoll
from server.voting.runtime import BALLOTS
from server.voting.writer import Ballot

from .conftest import DELEGATES, MakePoll, Tablet, Tablets, option
from .test_polls import ballot, publish


async def test_a_retried_ballot_gets_the_same_answer_and_counts_once(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll()
    delegate = await tablets("daibieu01")
    sent = ballot(poll, "yes")
    first, again = (await delegate.act(wire.CAST_BALLOT, sent),
                    await delegate.act(wire.CAST_BALLOT, sent))
    assert first["ok"] and again["ok"] and again["repeated"] is True
    assert first["ballot_id"] == again["ballot_id"]
    assert (await publish(chair, poll))["results"]["turnout"]["cast"] == 1


async def test_an_old_ballot_replayed_on_a_new_poll_is_refused(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    first, second = await make_poll(), await make_poll()
    delegate = await tablets("daibieu01")
    sent = ballot(first, "yes")
    await delegate.act(wire.CAST_BALLOT, sent)
    replay = await delegate.act(wire.CAST_BALLOT, {**sent, "poll_id": second["id"],
                                                   "option_ids": [option(second, "yes")]})
    assert replay["error"]["code"] == "ballot_id_reused"


async def test_a_ballot_cannot_be_cast_in_someone_elses_name(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll()
    victim, forger = await tablets("daibieu02"), await tablets("daibieu01")
    forged = {**ballot(poll, "no"), "participant_id": victim.snapshot["me"]["participant_id"]}
    assert (await forger.act(wire.CAST_BALLOT, forged))["ok"]
    own = await victim.act(wire.CAST_BALLOT, ballot(poll, "yes"))
    assert own["ok"], "the forger's ballot was taken as the victim's"
    named = {v["participant_id"]: v for v in (await publish(chair, poll))["results"]["named"]}
    assert named[victim.snapshot["me"]["participant_id"]]["option_ids"] == [option(poll, "yes")]


async def _row_counts(sessions: Any) -> dict[str, int]:
    async with sessions() as db:
        return {t.name: int(await db.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables}


async def test_a_secret_ballot_cannot_be_linked_to_its_voter(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, sessions: Any
) -> None:
    poll = await make_poll(secret=True)
    delegate = await tablets("daibieu01")
    before = await _row_counts(sessions)
    answer = await delegate.act(wire.CAST_BALLOT, ballot(poll, "no"))
    after = await _row_counts(sessions)
    assert "option_ids" not in answer
    grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    assert grown == {"voter_rolls": 1}, "a ballot left a row that could carry its choice"
    assert {c.name for c in VoterRoll.__table__.columns}.isdisjoint({"option_id", "choice"})
    assert {c.name for c in SecretCount.__table__.columns} == {"poll_id", "option_id", "votes"}
    async with sessions() as db:
        counts = dict((await db.execute(select(SecretCount.option_id, SecretCount.votes)
                                        .where(SecretCount.poll_id == poll["id"]))).all())
        logged = await db.scalar(text("SELECT COUNT(*) FROM audit_entries"))
    assert counts[option(poll, "no")] == 1 and sum(counts.values()) == 1
    assert logged  # the poll's opening is logged; the ballot itself is not
    results = (await publish(chair, poll))["results"]
    assert results["named"] is None


async def test_ballots_in_flight_when_the_chair_closes_are_counted_or_refused_never_lost(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll = await make_poll()
    voters = [await tablets(u) for u in DELEGATES]
    sends = [asyncio.ensure_future(v.act(wire.CAST_BALLOT, ballot(poll, "yes"))) for v in voters]
    await asyncio.sleep(0)
    close = await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"]})
    answers = await asyncio.gather(*sends)
    assert close["ok"]
    accepted = sum(1 for a in answers if a.get("ok"))
    refused = {a["error"]["code"] for a in answers if "error" in a}
    assert refused <= {"poll_not_open"}
    answer = await chair.act(wire.PUBLISH_POLL, {"poll_id": poll["id"]})
    event = await chair.next_event("polls", after=answer["rev"] - 1)
    result = next(p for p in event["data"]["polls"] if p["id"] == poll["id"])["results"]
    assert result["turnout"]["cast"] == accepted


async def _voters(sessions: Any, meeting_id: int, count: int) -> list[int]:
    """``count`` more members with a voting right, present in the hall; their ids."""
    async with sessions() as db:
        users = [User(username=f"dai-bieu-{i:03d}", full_name=f"Đại biểu {i:03d}")
                 for i in range(count)]
        db.add_all(users)
        await db.flush()
        people = [Participant(meeting_id=meeting_id, user_id=u.id, role=MeetingRole.DELEGATE,
                              voting_right=True, attendance=Attendance.PRESENT_HALL)
                  for u in users]
        db.add_all(people)
        await db.commit()
        return [p.id for p in people]


async def test_five_hundred_voters_with_retries_and_give_ups_are_each_counted_once(
    chair: Tablet, make_poll: MakePoll, app: web.Application, sessions: Any, meeting_id: int
) -> None:
    voters = await _voters(sessions, meeting_id, 500)
    poll = await make_poll(secret=True, quorum_numerator=1, quorum_denominator=2)
    roles = ["yes", "no", "abstain"]
    rng = random.Random(20261202)
    intended = {v: rng.choice(roles) for v in voters}
    writer = app[BALLOTS]

    async def voter(participant_id: int) -> str:
        sent = Ballot(meeting_id=meeting_id, poll_id=poll["id"], participant_id=participant_id,
                      ballot_id=str(uuid.uuid4()),
                      option_ids=(option(poll, intended[participant_id]),))
        # A tablet that loses its connection gives up waiting, then sends the same ballot
        # again when it is back; an impatient one sends it twice at once.
        if rng.random() < 0.2:
            try:
                await asyncio.wait_for(asyncio.shield(writer.submit(sent)), rng.random() / 100)
            except TimeoutError:
                pass
        copies = 2 if rng.random() < 0.2 else 1
        receipts = await asyncio.gather(*(writer.submit(sent) for _ in range(copies)))
        assert all(r.error is None for r in receipts), receipts
        return intended[participant_id]

    sent = Counter(await asyncio.gather(*(voter(v) for v in voters)))
    async with sessions() as db:
        rolls = Counter((await db.execute(select(VoterRoll.participant_id)
                                          .where(VoterRoll.poll_id == poll["id"]))).scalars())
        counts = dict((await db.execute(select(SecretCount.option_id, SecretCount.votes)
                                        .where(SecretCount.poll_id == poll["id"]))).all())
    assert set(rolls) == set(voters) and set(rolls.values()) == {1}
    assert {role: counts[option(poll, role)] for role in roles} == dict(sent)


async def test_named_ballots_of_many_voters_at_once_leave_one_choice_each(
    chair: Tablet, make_poll: MakePoll, app: web.Application, sessions: Any, meeting_id: int
) -> None:
    voters = await _voters(sessions, meeting_id, 200)
    poll = await make_poll(quorum_numerator=1, quorum_denominator=2)
    writer = app[BALLOTS]
    ballots = [Ballot(meeting_id=meeting_id, poll_id=poll["id"], participant_id=v,
                      ballot_id=str(uuid.uuid4()), option_ids=(option(poll, "yes"),))
               for v in voters]
    second_tries = [Ballot(meeting_id=b.meeting_id, poll_id=b.poll_id,
                           participant_id=b.participant_id, ballot_id=str(uuid.uuid4()),
                           option_ids=(option(poll, "no"),)) for b in ballots[:50]]
    receipts = await asyncio.gather(*(writer.submit(b) for b in ballots + second_tries))
    refused = Counter(r.error.code for r in receipts if r.error is not None)
    assert refused == {"already_voted": 50}
    assert writer.groups_written < len(ballots), "ballots were not written in groups"
    async with sessions() as db:
        chosen = Counter((await db.execute(select(NamedChoice.option_id)
                                           .where(NamedChoice.poll_id == poll["id"]))).scalars())
    assert chosen == {option(poll, "yes"): 200}


async def test_a_substitute_votes_for_an_absent_member_only(
    chair: Tablet, make_poll: MakePoll, app: web.Application, sessions: Any, meeting_id: int
) -> None:
    async with sessions() as db:
        member = await db.scalar(select(Participant).join(User, User.id == Participant.user_id)
                                 .where(User.username == "daibieu20",
                                        Participant.meeting_id == meeting_id))
        stand_in_user = User(username="du-thay", full_name="Người dự thay")
        db.add(stand_in_user)
        await db.flush()
        stand_in = Participant(meeting_id=meeting_id, user_id=stand_in_user.id,
                               role=MeetingRole.DELEGATE, substitute_for_id=member.id,
                               attendance=Attendance.PRESENT_HALL)
        db.add(stand_in)
        await db.commit()
        member_id, stand_in_id = member.id, stand_in.id
    poll = await make_poll()
    writer = app[BALLOTS]

    def ballot_of(participant_id: int) -> Ballot:
        return Ballot(meeting_id=meeting_id, poll_id=poll["id"], participant_id=participant_id,
                      ballot_id=str(uuid.uuid4()), option_ids=(option(poll, "yes"),))

    while_present = await writer.submit(ballot_of(stand_in_id))
    async with sessions() as db:
        (await db.get(Participant, member_id)).attendance = Attendance.ABSENT
        await db.commit()
    while_absent = await writer.submit(ballot_of(stand_in_id))
    assert while_present.error is not None and while_present.error.code == "not_eligible"
    assert while_absent.error is None
