"""Socket.IO handlers of votes: the console's open, close (or close and publish at
once), publish and show of hands, and every voter's ballot.

The console's steps run like the rest of the console (:func:`run_change`: the
meeting's lock, the rule, commit, broadcast). A ballot does not: the access
check is made here, then the ballot joins the writer's next group and the
acknowledgement waits for that group's commit (:mod:`.writer`).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidField
from ..http import bool_field, id_list, int_field, uuid_field
from ..meetings.events import joined_access, run_change
from ..meetings.live import ensure_runner
from ..meetings.models import Participant
from ..realtime import events as wire
from ..realtime.dispatch import ANSWER, EventContext, EventTable, Rate
from ..realtime.errors import NotJoined
from ..state import SESSIONS
from . import service
from .errors import NotEligible, NotRemote
from .runtime import BALLOTS, PROGRESS
from .writer import Ballot, receipt_json

table = EventTable()
# A voter sends one ballot, and a retry or two; a tablet sending more is broken or hostile.
BALLOT_RATE = Rate(per_second=5, burst=10)
HANDS_MAX = 500


@table.on(wire.OPEN_POLL)
async def open_poll(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    poll_id = int_field(payload, "poll_id", minimum=1) or 0
    answer = await run_change(context, lambda db, a: service.open_poll(db, a, poll_id))
    context.app[PROGRESS].touch(poll_id)
    return answer


@table.on(wire.CLOSE_POLL)
async def close_poll(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    poll_id = int_field(payload, "poll_id", minimum=1) or 0
    publish = bool_field(payload, "publish", False)
    return await run_change(context, lambda db, a: service.close_poll_by_chair(
        db, a, poll_id, publish=publish))


@table.on(wire.PUBLISH_POLL)
async def publish_poll(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    poll_id = int_field(payload, "poll_id", minimum=1) or 0
    return await run_change(context, lambda db, a: service.publish_poll(db, a, poll_id))


@table.on(wire.CAST_BALLOT, rate=BALLOT_RATE)
async def cast_ballot(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    poll_id = int_field(payload, "poll_id", minimum=1) or 0
    ballot = uuid_field(payload, "ballot_id")
    options = tuple(id_list(payload, "option_ids", limit=100))
    # The participant noted when the socket joined, not looked up again: a hall voting at
    # once would cost three queries a ballot. The writer checks, inside its transaction,
    # that this participant is still in the meeting and may vote; a login that ends
    # closes its sockets.
    meeting_id = context.session.get("meeting_id")
    if meeting_id is None:
        raise NotJoined()
    participant_id = context.session.get("participant_id")
    if participant_id is None:
        raise NotEligible()
    receipt = await context.app[BALLOTS].submit(Ballot(
        meeting_id=meeting_id, poll_id=poll_id, participant_id=participant_id,
        ballot_id=ballot, option_ids=options))
    if receipt.error is not None:
        raise receipt.error
    context.app[PROGRESS].touch(poll_id)
    return receipt_json(receipt)


@table.on(wire.RECORD_HANDS)
async def record_hands(context: EventContext, payload: dict[str, Any]) -> ANSWER:
    """Votes given by a show of hands in a remote room, entered by the chair: each is a
    ballot of that delegate, marked as recorded by the chair and written to the audit log."""
    poll_id = int_field(payload, "poll_id", minimum=1) or 0
    entries = payload.get("votes")
    if not isinstance(entries, list) or not 1 <= len(entries) <= HANDS_MAX \
            or not all(isinstance(e, dict) for e in entries):
        raise InvalidField(field="votes", reason_key="error.field_list")
    votes = [(int_field(e, "participant_id", minimum=1) or 0,
              tuple(id_list(e, "option_ids", limit=100)), uuid_field(e, "ballot_id"))
             for e in entries]
    async with context.app[SESSIONS]() as db:
        access = await joined_access(db, context)
        ensure_runner(access)
        poll = await service.poll_in(db, access.meeting.id, poll_id)
        hall = access.meeting.hall_room_id
        for participant_id, _, _ in votes:
            person = await db.get(Participant, participant_id)
            if poll.secret or person is None or person.meeting_id != access.meeting.id \
                    or person.room_id is None or person.room_id == hall:
                raise NotRemote()
    receipts = [await context.app[BALLOTS].submit(Ballot(
        meeting_id=access.meeting.id, poll_id=poll_id, participant_id=participant_id,
        ballot_id=ballot, option_ids=options, recorded_by_id=access.user.id))
        for participant_id, options, ballot in votes]
    context.app[PROGRESS].touch(poll_id)
    locale = context.locale
    return {"ok": True, "results": [
        receipt_json(r) if r.error is None else
        {"participant_id": r.ballot.participant_id,
         "error": {"code": r.error.code, "message": r.error.message(locale)}}
        for r in receipts]}

