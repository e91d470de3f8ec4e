"""JSON shapes of votes (docs/voting.md), shared by the routes, the events and the snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..meetings.models import Meeting
from .models import Poll, PollStatus
from .service import Results, polls_of, tallies, tally


def iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def results_json(results: Results, *, names: bool = True) -> dict[str, Any]:
    outcome = results.outcome
    return {
        "turnout": {"members": results.turnout.members, "present": results.turnout.present,
                    "cast": results.turnout.cast},
        "counts": [{"option_id": c.option_id, "votes": c.votes} for c in results.counts],
        "outcome": {"passed": outcome.passed, "base": outcome.base, "needed": outcome.needed,
                    "deciding_votes": outcome.deciding_votes, "chosen": list(outcome.chosen),
                    "tie": outcome.tie},
        "named": None if results.named is None or not names else [
            {"participant_id": v.participant_id, "name": v.name, "option_ids": list(v.option_ids),
             "recorded_by_chair": v.recorded_by_chair} for v in results.named],
        "named_count": None if results.named is None else results.turnout.cast,
    }


def poll_json(poll: Poll, results: Results | None = None, *, names: bool = True
              ) -> dict[str, Any]:
    return {
        "id": poll.id, "meeting_id": poll.meeting_id, "agenda_item_id": poll.agenda_item_id,
        "title": poll.title, "kind": poll.kind.value, "secret": poll.secret,
        "max_selections": poll.max_selections, "allow_change": poll.allow_change,
        "rule": {"majority": poll.majority.value, "numerator": poll.numerator,
                 "denominator": poll.denominator, "base": poll.base.value,
                 "quorum_numerator": poll.quorum_numerator,
                 "quorum_denominator": poll.quorum_denominator},
        "duration_seconds": poll.duration_seconds, "status": poll.status.value,
        "opened_at": iso(poll.opened_at), "closes_at": iso(poll.closes_at),
        "closed_at": iso(poll.closed_at), "published_at": iso(poll.published_at),
        "options": [{"id": o.id, "position": o.position, "role": o.role.value,
                     "label": o.label} for o in poll.options],
        "results": results_json(results, names=names) if results is not None else None,
    }


async def poll_answer(db: AsyncSession, poll: Poll, *, names: bool = True) -> dict[str, Any]:
    """A poll as anyone in the meeting may see it: results only once published."""
    published = poll.status == PollStatus.PUBLISHED
    results = await tally(db, poll, names=names) if published else None
    return poll_json(poll, results, names=names)


async def polls_part(db: AsyncSession, meeting: Meeting) -> dict[str, Any]:
    """Every poll with its numbers but without the names of a named poll's voters: the
    part goes to every tablet at each change, and 500 names per poll made it grow by
    50 KiB a poll; a tablet asks ``GET /api/v1/polls/{id}`` for the names it shows. The
    published polls are tallied together (:func:`tallies`), not one by one."""
    polls = await polls_of(db, meeting.id, drafts=False)
    results = await tallies(db, [p for p in polls if p.status == PollStatus.PUBLISHED])
    return {"polls": [poll_json(p, results.get(p.id), names=False) for p in polls]}
