"""The ballot writer: ballots committed in small groups, each answered after the commit.

One task per server process takes the ballots that arrived while it was writing
the previous group and writes them in one transaction. A hall of 500 delegates
voting within a second then costs a handful of commits instead of 500, which on
SQLite is the difference between keeping full durability (``synchronous=FULL``
for these transactions: a ballot acknowledged survives a power cut) and not
(about 270 single commits a second were measured with it, see NOTES.md).

Every answer is decided inside the transaction, after the poll's row is locked:
a ballot written after the chair closed the poll finds it closed, and a close
waits for a group being written. Nothing is acknowledged before the commit; if
the commit fails, every ballot of the group gets an error and nothing of it
stays. The unique keys (one voter roll per voter and poll, one use of a ballot
id) stand behind the checks made here, across processes: a group that collides
with another process's is written again, and then finds the other's rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ..audit.service import append as audit
from ..auth.models import User
from ..db import utcnow
from ..errors import DomainError, Internal, NotFound
from ..meetings.models import Meeting, Participant
from ..meetings.participants import may_vote
from .errors import AlreadyVoted, BallotIdReused, InvalidChoice, NotEligible, PollNotOpen
from .models import NamedChoice, Poll, PollKind, PollStatus, SecretCount, VoterRoll
from .service import clear_choices, lock_poll

log = logging.getLogger("phonghop.voting")
MAX_GROUP = 500


@dataclass(frozen=True)
class Ballot:
    meeting_id: int
    poll_id: int
    participant_id: int
    ballot_id: str
    option_ids: tuple[int, ...]
    recorded_by_id: int | None = None


@dataclass(frozen=True)
class Receipt:
    """The answer to one ballot: accepted (``changed`` when it replaced an earlier one,
    ``repeated`` when it was this very ballot again), or the refusal."""

    ballot: Ballot
    error: DomainError | None = None
    changed: bool = False
    repeated: bool = False
    option_ids: tuple[int, ...] = ()


@dataclass
class _Group:
    polls: dict[int, Poll]
    meetings: dict[int, Meeting]
    people: dict[int, Participant]
    by_ballot_id: dict[str, VoterRoll]
    by_voter: dict[tuple[int, int], VoterRoll]
    increments: Counter[tuple[int, int]] = field(default_factory=Counter)


def check_choice(poll: Poll, option_ids: Sequence[int]) -> None:
    known = {o.id for o in poll.options}
    if not set(option_ids) <= known:
        raise InvalidChoice(reason_key="voting.choice_unknown")
    if poll.kind == PollKind.ELECTION:
        if len(option_ids) > poll.max_selections or len(set(option_ids)) != len(option_ids):
            raise InvalidChoice(reason_key="voting.choice_many",
                                reason={"max": poll.max_selections})
    elif len(option_ids) != 1:
        raise InvalidChoice(reason_key="voting.choice_single")


class BallotWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.queue: asyncio.Queue[tuple[Ballot, asyncio.Future[Receipt]]] = asyncio.Queue()
        self.groups_written = 0

    async def submit(self, ballot: Ballot) -> Receipt:
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        await self.queue.put((ballot, future))
        return await future

    async def run(self) -> None:
        while True:
            pending = [await self.queue.get()]
            while len(pending) < MAX_GROUP and not self.queue.empty():
                pending.append(self.queue.get_nowait())
            receipts = await self._write_group([b for b, _ in pending])
            for (_, future), receipt in zip(pending, receipts, strict=True):
                if not future.done():
                    future.set_result(receipt)

    async def _write_group(self, ballots: list[Ballot]) -> list[Receipt]:
        for attempt in (1, 2):
            try:
                return await self._commit(ballots)
            except IntegrityError:
                # Another process wrote a voter of this group first: the second pass sees it.
                log.info("ballot group collided with another writer (attempt %d)", attempt)
            except Exception:
                log.exception("ballot group of %d could not be written", len(ballots))
                break
        return [Receipt(b, error=Internal(request_id="ballots")) for b in ballots]

    async def _commit(self, ballots: list[Ballot]) -> list[Receipt]:
        async with self.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                await conn.exec_driver_sql("PRAGMA synchronous=FULL")
                await conn.commit()
            try:
                async with AsyncSession(bind=conn, expire_on_commit=False) as db:
                    receipts = await self._decide(db, ballots)
                    await db.commit()
            finally:
                if sqlite:
                    await conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                    await conn.commit()
        self.groups_written += 1
        return receipts

    async def _decide(self, db: AsyncSession, ballots: list[Ballot]) -> list[Receipt]:
        group = await self._load(db, ballots)
        receipts = []
        for ballot in ballots:
            try:
                receipts.append(await self._one(db, group, ballot))
            except DomainError as error:
                receipts.append(Receipt(ballot, error=error))
        for (poll_id, option_id), votes in sorted(group.increments.items()):
            await db.execute(update(SecretCount)
                             .where(SecretCount.poll_id == poll_id,
                                    SecretCount.option_id == option_id)
                             .values(votes=SecretCount.votes + votes))
        await db.flush()
        return receipts

    async def _load(self, db: AsyncSession, ballots: list[Ballot]) -> _Group:
        poll_ids = sorted({b.poll_id for b in ballots})
        for poll_id in poll_ids:
            await lock_poll(db, poll_id)
        polls = {p.id: p for p in await db.scalars(select(Poll).where(Poll.id.in_(poll_ids)))}
        meeting_ids = {p.meeting_id for p in polls.values()}
        meetings = {m.id: m for m in await db.scalars(
            select(Meeting).where(Meeting.id.in_(meeting_ids)))}
        # The group's voters, and the members any of them stands in for (may_vote asks).
        voters = {b.participant_id for b in ballots}
        people = {p.id: p for p in await db.scalars(
            select(Participant).where(Participant.id.in_(voters)))}
        stood_for = {p.substitute_for_id for p in people.values() if p.substitute_for_id}
        people.update({p.id: p for p in await db.scalars(
            select(Participant).where(Participant.id.in_(stood_for - set(people))))})
        by_ballot_id = {r.client_ballot_id: r for r in await db.scalars(
            select(VoterRoll).where(VoterRoll.client_ballot_id.in_(
                [b.ballot_id for b in ballots])))}
        by_voter = {(r.poll_id, r.participant_id): r for r in await db.scalars(
            select(VoterRoll).where(VoterRoll.poll_id.in_(poll_ids), VoterRoll.participant_id.in_(
                [b.participant_id for b in ballots])))}
        return _Group(polls, meetings, people, by_ballot_id, by_voter)

    async def _one(self, db: AsyncSession, group: _Group, ballot: Ballot) -> Receipt:
        poll = group.polls.get(ballot.poll_id)
        if poll is None or poll.meeting_id != ballot.meeting_id:
            raise NotFound()
        earlier = group.by_ballot_id.get(ballot.ballot_id)
        if earlier is not None:
            if (earlier.poll_id, earlier.participant_id) != (poll.id, ballot.participant_id):
                raise BallotIdReused()
            return Receipt(ballot, repeated=True, option_ids=self._echo(poll, ballot))
        now = utcnow()
        if poll.status != PollStatus.OPEN or (poll.closes_at and poll.closes_at <= now):
            raise PollNotOpen()
        voter = group.people.get(ballot.participant_id)
        meeting = group.meetings[poll.meeting_id]
        if voter is None or voter.meeting_id != meeting.id \
                or not may_vote(meeting, voter, group.people):
            raise NotEligible()
        check_choice(poll, ballot.option_ids)
        roll = group.by_voter.get((poll.id, voter.id))
        if roll is not None:
            if not poll.allow_change or poll.secret:
                raise AlreadyVoted()
            await clear_choices(db, poll.id, voter.id)
            roll.client_ballot_id, roll.cast_at = ballot.ballot_id, now
            roll.recorded_by_id = ballot.recorded_by_id
        else:
            roll = VoterRoll(poll_id=poll.id, participant_id=voter.id,
                             client_ballot_id=ballot.ballot_id, cast_at=now,
                             recorded_by_id=ballot.recorded_by_id)
            db.add(roll)
            group.by_voter[(poll.id, voter.id)] = roll
        group.by_ballot_id[ballot.ballot_id] = roll
        self._record(db, group, poll, voter.id, ballot.option_ids)
        if ballot.recorded_by_id is not None:
            await audit(db, action="vote_recorded_by_chair",
                        actor=await db.get(User, ballot.recorded_by_id),
                        meeting_id=meeting.id, data={
                            "poll_id": poll.id, "participant_id": voter.id,
                            "name": voter.user.full_name,
                            "option_ids": sorted(ballot.option_ids)})
        return Receipt(ballot, changed=roll.id is not None,
                       option_ids=self._echo(poll, ballot))

    @staticmethod
    def _record(db: AsyncSession, group: _Group, poll: Poll, participant_id: int,
                option_ids: tuple[int, ...]) -> None:
        if poll.secret:
            group.increments.update((poll.id, option) for option in option_ids)
        else:
            db.add_all(NamedChoice(poll_id=poll.id, participant_id=participant_id, option_id=o)
                       for o in option_ids)

    @staticmethod
    def _echo(poll: Poll, ballot: Ballot) -> tuple[int, ...]:
        """What the voter chose, said back to them: never for a secret poll, where even
        the answer to the voter should not carry the choice through logs and caches."""
        return () if poll.secret else tuple(sorted(ballot.option_ids))


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    answer: dict[str, Any] = {"ok": True, "poll_id": receipt.ballot.poll_id,
                              "ballot_id": receipt.ballot.ballot_id,
                              "changed": receipt.changed, "repeated": receipt.repeated}
    if receipt.option_ids:
        answer["option_ids"] = list(receipt.option_ids)
    return answer
