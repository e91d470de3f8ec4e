"""Fixtures of the votes tests: the demo meeting live, with its members checked in, and
a poll made in one line: ``poll = await make_poll(kind="yes_no", secret=True)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from server.auth.models import User
from server.meetings.models import Attendance, Participant
from server.realtime import events as wire
from tests.realtime.conftest import Tablet, Tablets, meeting_id, tablets  # noqa: F401

Poll = dict[str, Any]
MakePoll = Callable[..., Awaitable[Poll]]
MEMBERS = 21  # the demo's chair and twenty delegates have a voting right


async def check_in(sessions: Any, meeting: int, usernames: list[str]) -> None:
    async with sessions() as db:
        rows = await db.scalars(select(Participant).join(User, User.id == Participant.user_id)
                                .where(Participant.meeting_id == meeting,
                                       User.username.in_(usernames)))
        for participant in rows:
            participant.attendance = Attendance.PRESENT_HALL
        await db.commit()


DELEGATES = [f"daibieu{i:02d}" for i in range(1, 21)]


@pytest.fixture
async def chair(tablets: Tablets, sessions: Any, meeting_id: int) -> Tablet:  # noqa: F811
    """The chair's console on the live demo meeting, every member checked in."""
    await check_in(sessions, meeting_id, ["chutoa", *DELEGATES])
    console = await tablets("chutoa")
    assert (await console.act(wire.START_MEETING))["ok"]
    return console


@pytest.fixture
def make_poll(chair: Tablet, meeting_id: int) -> MakePoll:  # noqa: F811
    async def create(open_it: bool = True, **fields: Any) -> Poll:
        fields.setdefault("title", "Thông qua Nghị quyết về kế hoạch đầu tư công năm 2027")
        fields.setdefault("kind", "yes_no")
        status, body = await chair.http("POST", f"/api/v1/meetings/{meeting_id}/polls", fields)
        assert status == 201, body
        poll = body["poll"]
        if open_it:
            answer = await chair.act(wire.OPEN_POLL, {"poll_id": poll["id"]})
            assert answer.get("ok"), answer
        return poll

    return create


def option(poll: Poll, role_or_label: str) -> int:
    return next(o["id"] for o in poll["options"]
                if role_or_label in (o["role"], o["label"]))
