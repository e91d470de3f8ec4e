"""What votes keep running while the server runs: the ballot writer, the progress the
console sees, and the clock that closes polls whose time is up.

All three are tasks owned by one cleanup context and stopped at shutdown. The
progress of a poll (how many of how many have voted, never what) is sent a few
times a second at most, however fast ballots arrive: one broadcast per ballot
would cost the server more than the ballots themselves. The clock asks the
database, not a timer of its own, so a poll opened by one process is closed on
time by whichever process runs, and a restart loses no deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import func, select

from ..meetings.models import Meeting
from ..meetings.participants import may_vote
from ..realtime.broadcast import publish, record_change
from ..realtime.coalesce import Coalescer
from ..realtime.events import POLL_PROGRESS, console_room
from ..state import ENGINE, SESSIONS
from . import service
from .models import Poll, PollStatus, VoterRoll
from .writer import BallotWriter

log = logging.getLogger("phonghop.voting")
PROGRESS_EVERY = 0.25
CLOCK_EVERY = 0.5


class Progress(Coalescer):
    """How many of how many have voted in a poll, to the console, a few times a second."""

    def __init__(self, app: web.Application) -> None:
        super().__init__(self._send, PROGRESS_EVERY, "poll progress")
        self.app = app

    async def _send(self, poll_id: int) -> None:
        async with self.app[SESSIONS]() as db:
            poll = await db.get(Poll, poll_id)
            if poll is None:
                return
            meeting = await db.get(Meeting, poll.meeting_id)
            people = await service.roll_of(db, poll.meeting_id)
            by_id = {p.id: p for p in people}
            eligible = sum(1 for p in people if meeting and may_vote(meeting, p, by_id))
            voted = int(await db.scalar(select(func.count()).select_from(VoterRoll)
                                        .where(VoterRoll.poll_id == poll_id)) or 0)
        publish(self.app, console_room(poll.meeting_id), POLL_PROGRESS,
                [{"poll_id": poll_id, "voted": voted, "eligible": eligible}])


async def close_due_polls(app: web.Application) -> int:
    """Close every open poll whose time is up; the number closed by this call."""
    closed = 0
    async with app[SESSIONS]() as db:
        due = [(p.id, p.meeting_id) for p in await service.due_polls(db)]
    for poll_id, meeting_id in due:
        async with app[SESSIONS]() as db:
            meeting = await db.get(Meeting, meeting_id)
            await service.lock_poll(db, poll_id)
            poll = await db.get(Poll, poll_id)
            if meeting is None or poll is None or poll.status != PollStatus.OPEN:
                continue  # another process closed it first
            parts = await service.close_poll(db, meeting, poll, by=None)
            await record_change(app, db, meeting, parts)
            closed += 1
    return closed


async def _clock(app: web.Application) -> None:
    while True:
        try:
            await close_due_polls(app)
        except Exception:
            log.exception("closing polls whose time is up failed")
        await asyncio.sleep(CLOCK_EVERY)


BALLOTS = web.AppKey("ballots", BallotWriter)
PROGRESS = web.AppKey("poll_progress", Progress)


async def voting_context(app: web.Application) -> AsyncIterator[None]:
    app[BALLOTS] = BallotWriter(app[ENGINE])
    app[PROGRESS] = Progress(app)
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(app[BALLOTS].run(), name="ballot writer"),
             loop.create_task(app[PROGRESS].run(), name="poll progress"),
             loop.create_task(_clock(app), name="poll clock")]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
