"""One process of the live bench's tablets: many Socket.IO clients that join and listen.

:func:`run` is the target of a worker process (``multiprocessing``, spawn). It
opens one ``socketio.AsyncClient`` per tablet (websocket transport, as tablets
use), joins the meeting, and records ``time.monotonic()`` on arrival of every
``presentation`` meeting_event. On Linux that clock is one system-wide clock, so
arrival times compare directly with the chair's send times in the parent process.

The parent drives it through a pipe:

- worker → ``("ready", joined, errors, opened, done)`` once every tablet has joined
  (or failed), with the times its first connection began and its last join ended;
- parent → ``("finish", revs, timeout)``; the worker waits until every tablet has
  every revision in ``revs`` or ``timeout`` seconds passed, then sends
  ``("arrivals", [[(rev, t), ...] per tablet that joined])``;
- parent → ``("close",)``; the worker disconnects and ends.

:func:`client` and :func:`join_all` (connect and join many tablets in one process)
are shared with the voting bench's tablets (:mod:`bench.voting_tablets`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import socketio

from server.realtime.events import JOIN, MEETING_EVENT, MEETINGS_NAMESPACE, PRESENTATION_CHANGED

# Connections opened at once per process: the server's accept loop and the database
# behind each handshake see bursts of 10 processes × this.
OPENING = 10
# Seconds a connect or a join may take. Joins get slower as the meeting fills (each
# answer is a snapshot over every participant) and a busy machine slows them more;
# the time they took is reported, so waiting long here hides nothing.
TIMEOUT = 120


def client(headers: dict[str, str], deflate: bool, http: aiohttp.ClientSession | None = None
           ) -> socketio.AsyncClient:
    """A client that sends ``headers`` (a session cookie) with its websocket handshake.

    Given in ``connect(headers=...)``, python-engineio moves a cookie into the HTTP
    session's cookie jar, which tablets sharing one session would overwrite; headers
    in ``websocket_extra_options`` go on the request as they are. With ``deflate`` the
    client asks for permessage-deflate as browsers do (aiohttp's client does not by
    default), and the server then compresses every message for every tablet.
    """
    options: dict[str, Any] = {"headers": dict(headers), "compress": 15 if deflate else 0}
    return socketio.AsyncClient(reconnection=False, http_session=http, handle_sigint=False,
                                websocket_extra_options=options)


@dataclass
class Joined:
    """Tablets of one process after connecting and joining the meeting."""

    clients: list[socketio.AsyncClient]  # one per tablet, in order, each to disconnect
    answers: list[dict[str, Any] | None]  # per tablet: its join answer, None if it failed
    errors: list[str]
    opened: float  # when the first connection began
    done: float  # when the last join ended


async def join_all(http: aiohttp.ClientSession, url: str, tablets: list[dict[str, str]],
                   meeting_id: int, deflate: bool,
                   listen: Callable[[int, socketio.AsyncClient], None]) -> Joined:
    """Connect every tablet (``OPENING`` at a time) and join the meeting; ``listen``
    adds each client's handlers before it connects, so nothing sent at once is missed."""
    joined = Joined([client(h, deflate, http) for h in tablets], [None] * len(tablets), [],
                    time.monotonic(), 0.0)
    opening = asyncio.Semaphore(OPENING)

    async def open_one(index: int, sio: socketio.AsyncClient) -> None:
        listen(index, sio)
        step = "connect"
        try:
            async with opening:
                await sio.connect(url, transports=["websocket"],
                                  namespaces=[MEETINGS_NAMESPACE], wait_timeout=TIMEOUT)
                step = "join"
                ack = await sio.call(JOIN, {"meeting_id": meeting_id, "device": "bench"},
                                     namespace=MEETINGS_NAMESPACE, timeout=TIMEOUT)
            if ack.get("ok"):
                joined.answers[index] = ack
            else:
                joined.errors.append(f"join refused: {ack}")
        except Exception as e:  # noqa: BLE001 - every failure is reported to the parent
            joined.errors.append(f"{step} failed: {type(e).__name__} {e}".strip())

    await asyncio.gather(*(open_one(i, sio) for i, sio in enumerate(joined.clients)))
    joined.done = time.monotonic()
    return joined


async def disconnect_all(joined: Joined) -> None:
    await asyncio.gather(*(c.disconnect() for c in joined.clients), return_exceptions=True)


def connector() -> aiohttp.TCPConnector:
    # No connection limit: every tablet holds its websocket for the whole run.
    return aiohttp.TCPConnector(limit=0)


def run(url: str, meeting_id: int, deflate: bool, tablets: list[dict[str, str]],
        conn: Connection) -> None:
    try:
        asyncio.run(_tablets(url, tablets, meeting_id, deflate, conn))
    finally:
        conn.close()


async def _tablets(url: str, tablets: list[dict[str, str]], meeting_id: int, deflate: bool,
                   conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    arrivals: list[list[tuple[int, float]]] = [[] for _ in tablets]

    def listen(index: int, sio: socketio.AsyncClient) -> None:
        got = arrivals[index]

        def on_event(event: dict[str, Any]) -> None:
            arrived = time.monotonic()  # first: the handler's own work is not counted
            if event.get("type") == PRESENTATION_CHANGED:
                got.append((event["rev"], arrived))

        sio.on(MEETING_EVENT, on_event, namespace=MEETINGS_NAMESPACE)

    async with aiohttp.ClientSession(connector=connector(),
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        joined = await join_all(http, url, tablets, meeting_id, deflate, listen)
        try:
            listening = [got for got, ok in zip(arrivals, joined.answers, strict=True) if ok]
            conn.send(("ready", len(listening), joined.errors[:5], joined.opened, joined.done))
            message = await loop.run_in_executor(None, conn.recv)
            if message[0] == "finish":
                _, revs, timeout = message
                await _wait_for(listening, set(revs), timeout)
                conn.send(("arrivals", listening))
                await loop.run_in_executor(None, conn.recv)  # ("close",)
        finally:
            await disconnect_all(joined)


async def _wait_for(arrivals: list[list[tuple[int, float]]], revs: set[int],
                    timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(revs <= {rev for rev, _ in got} for got in arrivals):
            return
        await asyncio.sleep(0.02)
