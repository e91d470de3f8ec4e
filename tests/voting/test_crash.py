"""A server killed during a burst of votes: every acknowledged ballot is still there after
the restart, none twice, and a tablet that sends its unanswered ballot again is counted
once."""

from __future__ import annotations

import asyncio
import signal
import uuid
from typing import Any

from sqlalchemy import func, select

from server.realtime import events as wire
from server.settings import Settings
from server.voting.models import VoterRoll
from tests.realtime.conftest import Tablet, log_in
from tests.realtime.processes import free_port, serve, server_env, wait_healthy

from .conftest import DELEGATES, check_in


async def _tablet(url: str, username: str, meeting_id: int) -> Tablet:
    tablet = Tablet(url, *await log_in(url, username))
    await tablet.connect()
    await tablet.join(meeting_id)
    return tablet


async def test_acknowledged_ballots_survive_a_killed_server(
    settings: Settings, meeting_id: int, sessions: Any
) -> None:
    await check_in(sessions, meeting_id, ["chutoa", *DELEGATES])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(settings, PHONGHOP_REDIS_URL="")
    process = serve(env, port)
    tablets: list[Tablet] = []
    try:
        await wait_healthy(url, process)
        chair = await _tablet(url, "chutoa", meeting_id)
        tablets.append(chair)
        await chair.act(wire.START_MEETING)
        status, body = await chair.http("POST", f"/api/v1/meetings/{meeting_id}/polls",
                                        {"title": "Biểu quyết", "kind": "yes_no"})
        assert status == 201
        poll = body["poll"]
        yes = next(o["id"] for o in poll["options"] if o["role"] == "yes")
        assert (await chair.act(wire.OPEN_POLL, {"poll_id": poll["id"]}))["ok"]
        voters = [await _tablet(url, u, meeting_id) for u in DELEGATES]
        tablets.extend(voters)
        ballots = {v: {"poll_id": poll["id"], "ballot_id": str(uuid.uuid4()),
                       "option_ids": [yes]} for v in voters}

        acks: list[Tablet] = []

        async def send(voter: Tablet, delay: float) -> bool:
            await asyncio.sleep(delay)
            try:
                answer = await asyncio.wait_for(voter.act(wire.CAST_BALLOT, ballots[voter]), 3)
            except Exception:
                return False  # no answer: the server went away first
            if answer.get("ok"):
                acks.append(voter)
            return bool(answer.get("ok"))

        # A burst spread over a second, killed once a few are acknowledged.
        sends = [asyncio.ensure_future(send(v, i * 0.05)) for i, v in enumerate(voters)]
        while len(acks) < 5:
            await asyncio.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        acknowledged = await asyncio.gather(*sends)

        async with sessions() as db:
            rolls = set(await db.scalars(select(VoterRoll.client_ballot_id)
                                         .where(VoterRoll.poll_id == poll["id"])))
        kept = {ballots[v]["ballot_id"] for v, ok in zip(voters, acknowledged, strict=True)
                if ok}
        assert kept <= rolls, "an acknowledged ballot was lost"
        assert 5 <= len(kept) < len(voters), "the server was not killed during the burst"

        process = serve(env, port)
        await wait_healthy(url, process)
        for tablet in tablets:
            await tablet.close()
        tablets = []
        for voter_ballot in ballots.values():
            again = await _tablet(url, DELEGATES[list(ballots.values()).index(voter_ballot)],
                                  meeting_id)
            tablets.append(again)
            answer = await again.act(wire.CAST_BALLOT, voter_ballot)
            assert answer.get("ok"), answer
        async with sessions() as db:
            cast = await db.scalar(select(func.count()).select_from(VoterRoll)
                                   .where(VoterRoll.poll_id == poll["id"]))
        assert cast == len(DELEGATES)
    finally:
        for tablet in tablets:
            if tablet.sio.connected:
                await tablet.close()
        process.terminate()
        process.wait(timeout=10)
