"""Votes given by a show of hands in a remote room, recorded by the chair: counted as that
delegate's ballot, marked as recorded by the chair, and written to the audit log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from server.audit.models import AuditEntry
from server.auth.models import User
from server.meetings.models import Attendance, Participant
from server.realtime import events as wire

from .conftest import MakePoll, Tablet, Tablets, option
from .test_polls import publish


async def _remote_member(sessions: Any, meeting_id: int, username: str) -> int:
    """The remote room's delegate, given a voting right and checked in from the room."""
    async with sessions() as db:
        person = await db.scalar(select(Participant).join(User, User.id == Participant.user_id)
                                 .where(Participant.meeting_id == meeting_id,
                                        User.username == username))
        person.voting_right, person.attendance = True, Attendance.PRESENT_REMOTE
        await db.commit()
        return person.id


def hands(poll: dict[str, Any], participant_id: int, role: str) -> dict[str, Any]:
    return {"participant_id": participant_id, "option_ids": [option(poll, role)],
            "ballot_id": str(uuid.uuid4())}


async def test_the_chair_records_a_remote_rooms_show_of_hands(
    chair: Tablet, make_poll: MakePoll, sessions: Any, meeting_id: int
) -> None:
    remote = await _remote_member(sessions, meeting_id, "huyen1")
    poll = await make_poll()
    answer = await chair.act(wire.RECORD_HANDS, {"poll_id": poll["id"],
                                                 "votes": [hands(poll, remote, "yes")]})
    assert answer["ok"] and "error" not in answer["results"][0], answer
    named = (await publish(chair, poll))["results"]["named"]
    assert [(v["participant_id"], v["recorded_by_chair"]) for v in named] == [(remote, True)]
    async with sessions() as db:
        logged = await db.scalar(select(AuditEntry).where(
            AuditEntry.action == "vote_recorded_by_chair"))
    assert logged.data["participant_id"] == remote
    assert logged.data["option_ids"] == [option(poll, "yes")]


async def test_hands_are_only_for_remote_delegates_in_named_polls(
    chair: Tablet, make_poll: MakePoll, sessions: Any, meeting_id: int, tablets: Tablets
) -> None:
    remote = await _remote_member(sessions, meeting_id, "huyen2")
    hall = (await tablets("daibieu01")).snapshot["me"]["participant_id"]
    named, secret = await make_poll(), await make_poll(secret=True)
    in_hall = await chair.act(wire.RECORD_HANDS, {"poll_id": named["id"],
                                                  "votes": [hands(named, hall, "yes")]})
    in_secret = await chair.act(wire.RECORD_HANDS, {"poll_id": secret["id"],
                                                    "votes": [hands(secret, remote, "yes")]})
    assert in_hall["error"]["code"] == in_secret["error"]["code"] == "not_remote"


async def test_a_delegate_cannot_record_hands(
    make_poll: MakePoll, sessions: Any, meeting_id: int, tablets: Tablets
) -> None:
    remote = await _remote_member(sessions, meeting_id, "huyen3")
    poll = await make_poll()
    delegate = await tablets("daibieu01")
    answer = await delegate.act(wire.RECORD_HANDS, {"poll_id": poll["id"],
                                                    "votes": [hands(poll, remote, "no")]})
    assert answer["error"]["code"] == "forbidden"
