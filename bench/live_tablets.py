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
"""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import socketio

from server.realtime.events import JOIN, MEETING_EVENT, MEETINGS_NAMESPACE, PRESENTATION_CHANGED

# Connections opened at once per process: the server's accept loop and the database
# behind each handshake see bursts of 10 processes × this.
OPENING = 10


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


def run(url: str, tablets: list[dict[str, str]], meeting_id: int, deflate: bool,
        conn: Connection) -> None:
    try:
        asyncio.run(_tablets(url, tablets, meeting_id, deflate, conn))
    finally:
        conn.close()


async def _tablets(url: str, tablets: list[dict[str, str]], meeting_id: int, deflate: bool,
                   conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    arrivals: list[list[tuple[int, float]]] = [[] for _ in tablets]
    joined = [False] * len(tablets)
    clients: list[socketio.AsyncClient] = []
    errors: list[str] = []
    opening = asyncio.Semaphore(OPENING)
    # No connection limit: every tablet holds its websocket for the whole run.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:

        async def open_one(index: int, headers: dict[str, str]) -> None:
            sio = client(headers, deflate, http)
            got = arrivals[index]

            def on_event(event: dict[str, Any]) -> None:
                arrived = time.monotonic()  # first: the handler's own work is not counted
                if event.get("type") == PRESENTATION_CHANGED:
                    got.append((event["rev"], arrived))

            sio.on(MEETING_EVENT, on_event, namespace=MEETINGS_NAMESPACE)
            try:
                async with opening:
                    await sio.connect(url, transports=["websocket"],
                                      namespaces=[MEETINGS_NAMESPACE], wait_timeout=30)
                    clients.append(sio)
                    ack = await sio.call(JOIN, {"meeting_id": meeting_id, "device": "bench"},
                                         namespace=MEETINGS_NAMESPACE, timeout=30)
                if ack.get("ok"):
                    joined[index] = True
                else:
                    errors.append(f"join refused: {ack}")
            except Exception as e:  # noqa: BLE001 - every failure is reported to the parent
                errors.append(f"{type(e).__name__}: {e}")

        opened = time.monotonic()
        await asyncio.gather(*(open_one(i, c) for i, c in enumerate(tablets)))
        listening = [got for got, ok in zip(arrivals, joined, strict=True) if ok]
        conn.send(("ready", len(listening), errors[:5], opened, time.monotonic()))
        try:
            message = await loop.run_in_executor(None, conn.recv)
            if message[0] == "finish":
                _, revs, timeout = message
                await _wait_for(listening, set(revs), timeout)
                conn.send(("arrivals", listening))
                await loop.run_in_executor(None, conn.recv)  # ("close",)
        finally:
            await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


async def _wait_for(arrivals: list[list[tuple[int, float]]], revs: set[int],
                    timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(revs <= {rev for rev, _ in got} for got in arrivals):
            return
        await asyncio.sleep(0.02)
