"""One process of the voting bench's tablets: voters that join, cast ballots and watch.

:func:`run` is the target of a worker process (:func:`bench.workers.spawned`).
Its tablets connect and join as the live bench's do (:func:`bench.live_tablets.join_all`)
and note ``time.monotonic()`` the first time each sees a poll in a given status in
the ``polls`` meeting_event (``open``: the ballot is on the tablet; ``published``:
the result is). The parent drives it through a pipe:

- worker → ``("ready", participant_ids, errors, opened, done)``: one id per
  tablet that joined (from its snapshot), in the order used below;
- parent → ``("vote", poll_id, [(at, option_id) per tablet that joined])``; each
  tablet waits until ``at`` (monotonic), sends ``cast_ballot`` with a fresh UUID
  and waits for the acknowledgement; worker → ``("cast", [(sent, acked or None,
  error or None) per tablet])``;
- parent → ``("seen", poll_id, status, timeout)``: the worker waits until every
  tablet has seen the poll in that status (or ``timeout`` passed); worker →
  ``("seen", [time or None per tablet], counts, size)``, the counts as the first
  tablet to see a published result read them (``{option_id: votes}``) and the
  size of that event (bytes of compact JSON, before any compression);
- parent → ``("close",)``; the worker disconnects and ends.

One ballot per tablet and poll, no retry: a ballot not answered within
``ACK_TIMEOUT`` counts as not acknowledged, which is what the table reports.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import socketio

from server.realtime.events import CAST_BALLOT, MEETING_EVENT, MEETINGS_NAMESPACE, POLLS_CHANGED

from .live_tablets import connector, disconnect_all, join_all

ACK_TIMEOUT = 30.0


def run(url: str, meeting_id: int, deflate: bool, tablets: list[dict[str, str]],
        conn: Connection) -> None:
    try:
        asyncio.run(_voters(url, tablets, meeting_id, deflate, conn))
    finally:
        conn.close()


async def _voters(url: str, tablets: list[dict[str, str]], meeting_id: int, deflate: bool,
                  conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    seen: list[dict[tuple[int, str], float]] = [{} for _ in tablets]
    counts: dict[int, dict[int, int]] = {}
    sizes: dict[int, int] = {}  # poll → bytes of the first event that published it, as JSON

    def listen(index: int, sio: socketio.AsyncClient) -> None:
        got = seen[index]

        def on_event(event: dict[str, Any]) -> None:
            arrived = time.monotonic()  # first: the handler's own work is not counted
            if event.get("type") != POLLS_CHANGED:
                return
            for poll in (event.get("data") or {}).get("polls", []):
                got.setdefault((poll["id"], poll["status"]), arrived)
                if poll.get("results") and poll["id"] not in counts:
                    counts[poll["id"]] = {c["option_id"]: c["votes"]
                                          for c in poll["results"]["counts"]}
                    sizes[poll["id"]] = len(json.dumps(event, separators=(",", ":")))

        sio.on(MEETING_EVENT, on_event, namespace=MEETINGS_NAMESPACE)

    async with aiohttp.ClientSession(connector=connector(),
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        joined = await join_all(http, url, tablets, meeting_id, deflate, listen)
        try:
            voters = [(sio, got, answer["snapshot"]["me"]["participant_id"])
                      for sio, got, answer in zip(joined.clients, seen, joined.answers,
                                                  strict=True) if answer]
            conn.send(("ready", [p for _, _, p in voters], joined.errors[:5], joined.opened,
                       joined.done))
            while True:
                message = await loop.run_in_executor(None, conn.recv)
                if message[0] == "vote":
                    _, poll_id, orders = message
                    conn.send(("cast", await asyncio.gather(*(
                        _cast(sio, poll_id, at, option)
                        for (sio, _, _), (at, option) in zip(voters, orders, strict=True)))))
                elif message[0] == "seen":
                    _, poll_id, status, timeout = message
                    key = (poll_id, status)
                    await _wait_until([got for _, got, _ in voters], key, timeout)
                    conn.send(("seen", [got.get(key) for _, got, _ in voters],
                               counts.get(poll_id), sizes.get(poll_id, 0)))
                else:
                    return
        finally:
            await disconnect_all(joined)


async def _cast(sio: socketio.AsyncClient, poll_id: int, at: float, option_id: int
                ) -> tuple[float, float | None, str | None]:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    ballot = {"poll_id": poll_id, "ballot_id": str(uuid.uuid4()), "option_ids": [option_id]}
    sent = time.monotonic()
    try:
        answer = await sio.call(CAST_BALLOT, ballot, namespace=MEETINGS_NAMESPACE,
                                timeout=ACK_TIMEOUT)
    except Exception as e:  # noqa: BLE001 - a ballot without an answer is what is counted
        return sent, None, f"{type(e).__name__}: {e}"
    acked = time.monotonic()
    if not isinstance(answer, dict) or not answer.get("ok"):
        return sent, None, f"refused: {answer}"
    return sent, acked, None


async def _wait_until(seen: list[dict[tuple[int, str], float]], key: tuple[int, str],
                      timeout: float) -> None:
    """Until every tablet has seen ``key`` (poll, status); arrival times are taken by
    the handlers, so how often this looks does not change them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(key in got for got in seen):
        await asyncio.sleep(0.005)
