"""Rules of a poll's life: define it, open it (with the quorum), close, publish, tally.

Plain async functions over a session and a checked :class:`MeetingAccess`, as in
the other areas; each step that participants see returns the parts of the live
state it changed (``["polls"]``) for :func:`record_change`. The tally is always
computed from the database (voter rolls, named choices, secret counts), never
from counters kept in memory. Opening, closing, publishing and every vote the
chair records go to the audit log in the same transaction as the step itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..audit.service import append as audit
from ..auth.models import User
from ..db import utcnow
from ..errors import NotFound
from ..meetings.access import MeetingAccess
from ..meetings.agenda import item_in
from ..meetings.live import ensure_runner, running
from ..meetings.models import Meeting, Participant
from ..meetings.participants import Quorum, quorum
from ..meetings.service import ensure_editable
from .errors import InvalidPoll, NoQuorum, PollNotDraft, WrongPollStatus
from .models import (
    Majority,
    NamedChoice,
    OptionRole,
    Poll,
    PollKind,
    PollOption,
    PollStatus,
    SecretCount,
    ShareBase,
    VoterRoll,
)
from .rules import Count, Outcome, Threshold, Turnout, decide, quorum_met, threshold_of

# The law's own words for the three answers; tablets show them translated by role.
YES_NO = ((OptionRole.YES, "Tán thành"), (OptionRole.NO, "Không tán thành"),
          (OptionRole.ABSTAIN, "Không biểu quyết"))
OPTIONS_LIMITS = {PollKind.CHOICE: (2, 20), PollKind.ELECTION: (1, 100)}
LABEL_MAX, TITLE_MAX = 300, 500
DURATION_MIN, DURATION_MAX = 10, 24 * 3600


@dataclass(frozen=True)
class PollFields:
    title: str
    kind: PollKind
    options: list[str] = field(default_factory=list)
    secret: bool = False
    max_selections: int = 1
    allow_change: bool = False
    majority: Majority = Majority.MORE_THAN_HALF
    numerator: int = 1
    denominator: int = 2
    base: ShareBase = ShareBase.MEMBERS
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    duration_seconds: int | None = None
    agenda_item_id: int | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _check_fraction(numerator: int, denominator: int) -> None:
    if not (1 <= denominator <= 100 and 1 <= numerator <= denominator):
        raise InvalidPoll(reason_key="voting.poll_fraction")


def _options(fields: PollFields) -> list[PollOption]:
    if fields.kind == PollKind.YES_NO:
        return [PollOption(position=i, role=role, label=label)
                for i, (role, label) in enumerate(YES_NO, start=1)]
    labels = [_nfc(label) for label in fields.options]
    low, high = OPTIONS_LIMITS[fields.kind]
    if not low <= len(labels) <= high or len(set(labels)) != len(labels) \
            or not all(labels) or any(len(label) > LABEL_MAX for label in labels):
        raise InvalidPoll(reason_key="voting.poll_options", reason={"min": low, "max": high})
    role = OptionRole.CANDIDATE if fields.kind == PollKind.ELECTION else OptionRole.CHOICE
    return [PollOption(position=i, role=role, label=label)
            for i, label in enumerate(labels, start=1)]


def _check(fields: PollFields, option_count: int) -> None:
    if fields.kind == PollKind.ELECTION and not 1 <= fields.max_selections <= option_count:
        raise InvalidPoll(reason_key="voting.poll_max_selections")
    if fields.secret and fields.allow_change:
        raise InvalidPoll(reason_key="voting.poll_secret_change")
    _check_fraction(fields.numerator, fields.denominator)
    _check_fraction(fields.quorum_numerator, fields.quorum_denominator)


async def _apply(db: AsyncSession, access: MeetingAccess, poll: Poll, fields: PollFields) -> None:
    options = _options(fields)
    _check(fields, len(options))
    if fields.agenda_item_id is not None:
        await item_in(db, access.meeting.id, fields.agenda_item_id)
    poll.title, poll.kind, poll.secret = _nfc(fields.title), fields.kind, fields.secret
    poll.max_selections = fields.max_selections if fields.kind == PollKind.ELECTION else 1
    poll.allow_change = fields.allow_change
    poll.majority, poll.base = fields.majority, fields.base
    fraction = threshold_of(fields.majority, fields.numerator, fields.denominator)
    poll.numerator, poll.denominator = fraction.numerator, fraction.denominator
    poll.quorum_numerator = fields.quorum_numerator
    poll.quorum_denominator = fields.quorum_denominator
    poll.duration_seconds = fields.duration_seconds
    poll.agenda_item_id = fields.agenda_item_id
    poll.options.clear()
    await db.flush()  # the old options go before the new take their positions
    poll.options.extend(options)


async def create_poll(db: AsyncSession, access: MeetingAccess, fields: PollFields) -> Poll:
    ensure_runner(access)
    ensure_editable(access.meeting)
    poll = Poll(meeting_id=access.meeting.id, status=PollStatus.DRAFT,
                created_by_id=access.user.id, options=[])
    await _apply(db, access, poll, fields)
    db.add(poll)  # only now: _apply's queries would otherwise flush it half made
    await db.flush()
    return poll


async def poll_in(db: AsyncSession, meeting_id: int, poll_id: int) -> Poll:
    poll = await db.get(Poll, poll_id)
    if poll is None or poll.meeting_id != meeting_id:
        raise NotFound()
    return poll


async def meeting_of_poll(db: AsyncSession, poll_id: object) -> int:
    """The meeting a poll belongs to, for the access check; 404 for anything else."""
    if not isinstance(poll_id, int) or poll_id <= 0:
        raise NotFound()
    meeting_id = await db.scalar(select(Poll.meeting_id).where(Poll.id == poll_id))
    if meeting_id is None:
        raise NotFound()
    return int(meeting_id)


async def update_poll(
    db: AsyncSession, access: MeetingAccess, poll_id: int, fields: PollFields
) -> Poll:
    ensure_runner(access)
    poll = await poll_in(db, access.meeting.id, poll_id)
    if poll.status != PollStatus.DRAFT:
        raise PollNotDraft()
    await _apply(db, access, poll, fields)
    await db.flush()
    return poll


async def delete_poll(db: AsyncSession, access: MeetingAccess, poll_id: int) -> None:
    ensure_runner(access)
    poll = await poll_in(db, access.meeting.id, poll_id)
    if poll.status != PollStatus.DRAFT:
        raise PollNotDraft()
    await db.delete(poll)
    await db.flush()


def _move(poll: Poll, source: PollStatus, target: PollStatus) -> None:
    if poll.status != source:
        raise WrongPollStatus(current_key=f"poll_status.{poll.status.value}",
                              target_key=f"poll_status.{target.value}")
    poll.status = target


async def roll_of(db: AsyncSession, meeting_id: int) -> list[Participant]:
    """The participants of a meeting as the quorum and the right to vote read them: the
    rows of the four columns :func:`quorum` and :func:`may_vote` look at, standing in
    for participants (anything else, ``user`` included, is not there).

    Loading every participant with its user and unit for two numbers was a fifth of
    closing a poll of 500 (8 ms of ~40), and the console's progress did it four times
    a second while the hall voted. Read without flushing: the poll's own change goes
    out with the step's next write instead of in a statement of its own."""
    with db.no_autoflush:
        rows = (await db.execute(
            select(Participant.id, Participant.voting_right, Participant.substitute_for_id,
                   Participant.attendance).where(Participant.meeting_id == meeting_id))).all()
    return cast(list[Participant], rows)


async def _present_now(db: AsyncSession, meeting: Meeting) -> Quorum:
    return quorum(meeting, await roll_of(db, meeting.id))


async def open_poll(db: AsyncSession, access: MeetingAccess, poll_id: int) -> list[str]:
    meeting = running(access)
    poll = await poll_in(db, meeting.id, poll_id)
    _move(poll, PollStatus.DRAFT, PollStatus.OPEN)
    present = await _present_now(db, meeting)
    if not quorum_met(present.present, present.members, poll.quorum_numerator,
                      poll.quorum_denominator):
        needed = Threshold(poll.quorum_numerator, poll.quorum_denominator, False).needed(
            present.members)
        raise NoQuorum(present=present.present, members=present.members, needed=needed)
    now = utcnow()
    poll.opened_at = now
    poll.closes_at = now + timedelta(seconds=poll.duration_seconds) \
        if poll.duration_seconds else None
    if poll.secret:
        db.add_all(SecretCount(poll_id=poll.id, option_id=o.id, votes=0) for o in poll.options)
    await db.flush()
    await audit(db, action="poll_opened", actor=access.user, meeting_id=meeting.id, data={
        "poll_id": poll.id, "title": poll.title, "secret": poll.secret,
        "present": present.present, "members": present.members})
    return ["polls"]


async def close_poll(db: AsyncSession, meeting: Meeting, poll: Poll, by: User | None) -> list[str]:
    """Close an open poll (``by`` None: its time ran out). Ballots committed before this
    count; any after it find the poll closed, as the ballot writer locks the poll too."""
    _move(poll, PollStatus.OPEN, PollStatus.CLOSED)
    people = await _present_now(db, meeting)
    poll.closed_at, poll.members, poll.present = utcnow(), people.members, people.present
    await db.flush()
    await audit(db, action="poll_closed", actor=by, meeting_id=meeting.id, data={
        "poll_id": poll.id, "ballots": await ballots_cast(db, poll.id),
        "present": people.present, "members": people.members,
        "on_time": by is None})
    return ["polls"]


async def close_poll_by_chair(db: AsyncSession, access: MeetingAccess, poll_id: int, *,
                              publish: bool = False) -> list[str]:
    """The chair closes a poll, and with ``publish`` publishes its result in the same
    transaction: one step for the hall instead of two round trips, one revision, both
    audit entries (``poll_closed`` then ``poll_published``). The poll still passes
    through ``closed``, so the rule that only a closed poll is published holds."""
    ensure_runner(access)
    await lock_poll(db, poll_id)  # before the read: a ballot group being written ends first
    poll = await poll_in(db, access.meeting.id, poll_id)
    parts = await close_poll(db, access.meeting, poll, access.user)
    if publish:
        await _publish(db, access, poll)
    return parts


async def publish_poll(db: AsyncSession, access: MeetingAccess, poll_id: int) -> list[str]:
    ensure_runner(access)
    await _publish(db, access, await poll_in(db, access.meeting.id, poll_id))
    return ["polls"]


async def _publish(db: AsyncSession, access: MeetingAccess, poll: Poll) -> None:
    _move(poll, PollStatus.CLOSED, PollStatus.PUBLISHED)
    poll.published_at = utcnow()
    await db.flush()
    # Without the names: the log keeps the numbers, and the names of 500 voters cost
    # three more queries and 1500 objects (15 ms) that nothing here reads.
    results = await tally(db, poll, names=False)
    await audit(db, action="poll_published", actor=access.user, meeting_id=access.meeting.id,
                data={"poll_id": poll.id, "title": poll.title,
                      "turnout": vars(results.turnout),
                      "counts": {str(c.option_id): c.votes for c in results.counts},
                      "passed": results.outcome.passed, "chosen": list(results.outcome.chosen)})


async def lock_poll(db: AsyncSession, poll_id: int) -> None:
    """Serialise with ballots in flight: closing waits for a batch being written, and a
    batch written after the close sees the poll closed."""
    await db.execute(update(Poll).where(Poll.id == poll_id).values(status=Poll.status)
                     .execution_options(synchronize_session=False))


async def due_polls(db: AsyncSession) -> list[Poll]:
    """Open polls whose time has run out, in any meeting."""
    return list(await db.scalars(select(Poll).where(
        Poll.status == PollStatus.OPEN, Poll.closes_at.is_not(None),
        Poll.closes_at <= utcnow())))


async def ballots_cast(db: AsyncSession, poll_id: int) -> int:
    return int(await db.scalar(select(func.count()).select_from(VoterRoll)
                               .where(VoterRoll.poll_id == poll_id)) or 0)


@dataclass(frozen=True)
class NamedVote:
    participant_id: int
    name: str
    option_ids: tuple[int, ...]
    recorded_by_chair: bool


@dataclass(frozen=True)
class Results:
    turnout: Turnout
    counts: list[Count]
    outcome: Outcome
    named: list[NamedVote] | None


async def _votes(db: AsyncSession, polls: Sequence[Poll]) -> dict[int, dict[int, int]]:
    """Votes per option of each poll: secret counts as kept, named choices counted."""
    votes: dict[int, dict[int, int]] = {p.id: {} for p in polls}
    secret = [p.id for p in polls if p.secret]
    named = [p.id for p in polls if not p.secret]
    if secret:
        for poll_id, option, count in await db.execute(
                select(SecretCount.poll_id, SecretCount.option_id, SecretCount.votes)
                .where(SecretCount.poll_id.in_(secret))):
            votes[poll_id][option] = int(count)
    if named:
        for poll_id, option, count in await db.execute(
                select(NamedChoice.poll_id, NamedChoice.option_id, func.count())
                .where(NamedChoice.poll_id.in_(named))
                .group_by(NamedChoice.poll_id, NamedChoice.option_id)):
            votes[poll_id][option] = int(count)
    return votes


async def _named(db: AsyncSession, poll: Poll) -> list[NamedVote]:
    rolls = {r.participant_id: r for r in await db.scalars(
        select(VoterRoll).where(VoterRoll.poll_id == poll.id))}
    choices: dict[int, list[int]] = {}
    for participant_id, option_id in await db.execute(
            select(NamedChoice.participant_id, NamedChoice.option_id)
            .where(NamedChoice.poll_id == poll.id)):
        choices.setdefault(participant_id, []).append(option_id)
    people = {p.id: p for p in await db.scalars(
        select(Participant).where(Participant.id.in_(list(rolls))))}
    return sorted((NamedVote(pid, people[pid].user.full_name, tuple(sorted(choices.get(pid, []))),
                             roll.recorded_by_id is not None)
                   for pid, roll in rolls.items() if pid in people), key=lambda v: v.name)


def _results(poll: Poll, votes: dict[int, int], ballots: int) -> Results:
    counts = [Count(o.id, o.role, votes.get(o.id, 0)) for o in poll.options]
    turnout = Turnout(members=poll.members or 0, present=poll.present or 0, cast=ballots)
    threshold = threshold_of(poll.majority, poll.numerator, poll.denominator)
    outcome = decide(poll.kind, counts, turnout, threshold, poll.base, poll.max_selections)
    return Results(turnout, counts, outcome, None if poll.secret else [])


async def tallies(db: AsyncSession, polls: Sequence[Poll]) -> dict[int, Results]:
    """The results of several polls, without the voters' names, in three queries however
    many polls there are: every ``polls`` event carries every published poll, and a
    tally of two queries per poll made a meeting's tenth vote cost twenty."""
    if not polls:
        return {}
    votes = await _votes(db, polls)
    ballots = dict((await db.execute(
        select(VoterRoll.poll_id, func.count()).where(VoterRoll.poll_id.in_([p.id for p in polls]))
        .group_by(VoterRoll.poll_id))).all())
    return {p.id: _results(p, votes[p.id], int(ballots.get(p.id, 0))) for p in polls}


async def tally(db: AsyncSession, poll: Poll, *, names: bool = True) -> Results:
    results = (await tallies(db, [poll]))[poll.id]
    if names and not poll.secret:
        results = replace(results, named=await _named(db, poll))
    return results


async def polls_of(db: AsyncSession, meeting_id: int, *, drafts: bool) -> list[Poll]:
    query = select(Poll).where(Poll.meeting_id == meeting_id).order_by(Poll.id)
    if not drafts:
        query = query.where(Poll.status != PollStatus.DRAFT)
    return list(await db.scalars(query))


async def voted_in(db: AsyncSession, participant_id: int | None, meeting_id: int) -> list[int]:
    if participant_id is None:
        return []
    return list(await db.scalars(
        select(VoterRoll.poll_id).join(Poll, Poll.id == VoterRoll.poll_id)
        .where(VoterRoll.participant_id == participant_id, Poll.meeting_id == meeting_id)))


async def clear_choices(db: AsyncSession, poll_id: int, participant_id: int) -> None:
    await db.execute(delete(NamedChoice).where(NamedChoice.poll_id == poll_id,
                                               NamedChoice.participant_id == participant_id))
