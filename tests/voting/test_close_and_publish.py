"""Closing and publishing in one step (``close_poll`` with ``publish: true``): one
transaction, one revision, both audit entries in order, and the same rules as the two
steps it replaces."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

from aiohttp import web
from sqlalchemy import select

from server.audit.models import AuditEntry
from server.audit.service import verify
from server.i18n import translate
from server.realtime import events as wire
from server.voting.models import SecretCount, VoterRoll
from server.voting.runtime import BALLOTS
from server.voting.writer import Ballot, Receipt

from .conftest import DELEGATES, MakePoll, Tablet, Tablets, option
from .test_ballots import _voters
from .test_polls import vote


async def _open(chair: Tablet, make_poll: MakePoll, **fields: Any) -> tuple[dict[str, Any], int]:
    """A poll opened by the chair, and the revision its opening made."""
    poll = await make_poll(open_it=False, **fields)
    answer = await chair.act(wire.OPEN_POLL, {"poll_id": poll["id"]})
    assert answer.get("ok"), answer
    return poll, answer["rev"]


def _told(event: dict[str, Any], poll: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in event["data"]["polls"] if p["id"] == poll["id"])


async def test_closing_with_publish_makes_one_revision_that_shows_the_published_counts(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll, opened = await _open(chair, make_poll)
    for username in DELEGATES[:12]:
        assert (await vote(tablets, username, poll, "yes"))["ok"]
    for username in DELEGATES[12:15]:
        assert (await vote(tablets, username, poll, "no"))["ok"]
    delegate = await tablets("daibieu20")
    answer = await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": True})
    assert answer == {"ok": True, "rev": opened + 1}
    told = _told(await delegate.next_event("polls", after=opened), poll)
    counts = {c["option_id"]: c["votes"] for c in told["results"]["counts"]}
    assert (told["status"], told["closed_at"] is not None, told["published_at"] is not None) \
        == ("published", True, True)
    assert counts == {option(poll, "yes"): 12, option(poll, "no"): 3, option(poll, "abstain"): 0}
    assert told["results"]["turnout"] == {"members": 21, "present": 21, "cast": 15}
    assert told["results"]["outcome"]["passed"] is True
    await asyncio.sleep(0.2)  # a second event, had there been one, has arrived by now
    assert [e["rev"] for e in chair.events if e["rev"] > opened] == [opened + 1]


async def test_close_and_publish_logs_poll_closed_then_poll_published_in_an_intact_chain(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets, sessions: Any
) -> None:
    poll, _ = await _open(chair, make_poll, secret=True)
    assert (await vote(tablets, "daibieu01", poll, "no"))["ok"]
    assert (await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": True}))["ok"]
    async with sessions() as db:
        entries = [e for e in await db.scalars(select(AuditEntry).order_by(AuditEntry.seq))
                   if e.data.get("poll_id") == poll["id"]]
        chain = await verify(db)
    closed, published = entries[-2:]
    assert [e.action for e in entries] == ["poll_opened", "poll_closed", "poll_published"]
    assert (published.seq, published.prev_hash) == (closed.seq + 1, closed.hash)
    assert published.data["counts"] == {str(option(poll, "no")): 1, str(option(poll, "yes")): 0,
                                        str(option(poll, "abstain")): 0}
    assert chain.ok and chain.reason == "intact"


async def test_a_delegate_cannot_close_and_publish(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll, _ = await _open(chair, make_poll)
    delegate = await tablets("daibieu01")
    answer = await delegate.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": True})
    assert answer["error"]["code"] == "forbidden"
    assert (await vote(tablets, "daibieu02", poll, "yes"))["ok"], "the poll did not stay open"


async def test_publish_that_is_not_true_or_false_is_refused_in_vietnamese(
    chair: Tablet, make_poll: MakePoll, tablets: Tablets
) -> None:
    poll, _ = await _open(chair, make_poll)
    expected = translate("vi", "error.invalid_field", field="publish",
                         reason=translate("vi", "error.field_boolean"))
    for wrong in ("true", 1, None, []):
        answer = await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": wrong})
        assert answer["error"] == {"code": "invalid_field", "message": expected}, wrong
    assert (await vote(tablets, "daibieu01", poll, "yes"))["ok"], "the poll did not stay open"


async def test_publishing_still_needs_a_closed_poll(
    chair: Tablet, make_poll: MakePoll
) -> None:
    poll, _ = await _open(chair, make_poll)
    early = await chair.act(wire.PUBLISH_POLL, {"poll_id": poll["id"]})
    assert (await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": True}))["ok"]
    again = await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": True})
    assert early["error"]["code"] == again["error"]["code"] == "poll_wrong_status"


async def test_ballots_in_flight_at_a_close_and_publish_are_counted_once_or_refused(
    chair: Tablet, make_poll: MakePoll, app: web.Application, sessions: Any, meeting_id: int
) -> None:
    voters = await _voters(sessions, meeting_id, 200)
    poll, opened = await _open(chair, make_poll, secret=True, quorum_numerator=1,
                               quorum_denominator=2)
    writer = app[BALLOTS]
    yes = option(poll, "yes")

    async def voter(n: int, participant_id: int) -> Receipt:
        await asyncio.sleep(n * 0.005)  # a second of arrivals, the close in the middle
        return await writer.submit(Ballot(
            meeting_id=meeting_id, poll_id=poll["id"], participant_id=participant_id,
            ballot_id=str(uuid.uuid4()), option_ids=(yes,)))

    sends = [asyncio.ensure_future(voter(n, v)) for n, v in enumerate(voters)]
    while sum(s.done() for s in sends) < 10:
        await asyncio.sleep(0.001)
    answer = await chair.act(wire.CLOSE_POLL, {"poll_id": poll["id"], "publish": True})
    receipts = await asyncio.gather(*sends)
    assert answer.get("ok"), answer
    accepted = {r.ballot.participant_id for r in receipts if r.error is None}
    refused = Counter(r.error.code for r in receipts if r.error is not None)
    assert set(refused) == {"poll_not_open"} and accepted, (refused, len(accepted))
    told = _told(await chair.next_event("polls", after=opened), poll)["results"]
    async with sessions() as db:
        rolls = Counter(await db.scalars(select(VoterRoll.participant_id)
                                         .where(VoterRoll.poll_id == poll["id"])))
        counted = await db.scalar(select(SecretCount.votes).where(
            SecretCount.poll_id == poll["id"], SecretCount.option_id == yes))
    assert set(rolls) == accepted and set(rolls.values()) == {1}
    assert told["turnout"]["cast"] == counted == len(accepted)
    assert {c["option_id"]: c["votes"] for c in told["counts"]}[yes] == len(accepted)
