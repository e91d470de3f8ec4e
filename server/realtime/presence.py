"""Presence: who is connected to a meeting, from which device, since when.

With one server process it is a dictionary in memory. With several (``redis.url``
set) each meeting's connections are a Redis hash, and every entry names the
process holding the socket; a process keeps a short-lived key alive while it
runs, so the entries of a process that died (no disconnect events for its
sockets) are dropped as soon as its key expires, instead of showing delegates
who left long ago.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from aiohttp import web

from ..state import SETTINGS
from .broadcast import publish
from .coalesce import Coalescer
from .events import PRESENCE_EVENT, console_room

log = logging.getLogger("phonghop.realtime")
HEARTBEAT_SECONDS = 5
PROCESS_TTL_SECONDS = 15


@dataclass(frozen=True)
class Connection:
    sid: str
    user_id: int
    name: str
    participant_id: int | None
    device: str
    since: str


class Presence(Protocol):
    async def add(self, meeting_id: int, connection: Connection) -> None: ...
    async def remove(self, meeting_id: int, sid: str) -> None: ...
    async def connections(self, meeting_id: int) -> list[Connection]: ...


class MemoryPresence:
    def __init__(self) -> None:
        self._meetings: dict[int, dict[str, Connection]] = {}

    async def add(self, meeting_id: int, connection: Connection) -> None:
        self._meetings.setdefault(meeting_id, {})[connection.sid] = connection

    async def remove(self, meeting_id: int, sid: str) -> None:
        connections = self._meetings.get(meeting_id, {})
        connections.pop(sid, None)
        if not connections:
            self._meetings.pop(meeting_id, None)

    async def connections(self, meeting_id: int) -> list[Connection]:
        return sorted(self._meetings.get(meeting_id, {}).values(), key=lambda c: c.since)


class RedisPresence:
    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.client, self.prefix = client, prefix
        self.process = secrets.token_hex(8)

    def _meeting_key(self, meeting_id: int) -> str:
        return f"{self.prefix}:presence:{meeting_id}"

    def _process_key(self, process: str) -> str:
        return f"{self.prefix}:process:{process}"

    async def heartbeat(self) -> None:
        await self.client.set(self._process_key(self.process), "1", ex=PROCESS_TTL_SECONDS)

    async def add(self, meeting_id: int, connection: Connection) -> None:
        entry = json.dumps({**asdict(connection), "process": self.process}, ensure_ascii=False)
        await self.client.hset(self._meeting_key(meeting_id), connection.sid, entry)

    async def remove(self, meeting_id: int, sid: str) -> None:
        await self.client.hdel(self._meeting_key(meeting_id), sid)

    async def connections(self, meeting_id: int) -> list[Connection]:
        key = self._meeting_key(meeting_id)
        entries = {sid: json.loads(raw) for sid, raw in (await self.client.hgetall(key)).items()}
        processes = {e["process"] for e in entries.values()}
        alive = {p for p in processes if await self.client.exists(self._process_key(p))}
        dead = [sid for sid, e in entries.items() if e["process"] not in alive]
        if dead:
            await self.client.hdel(key, *dead)
        return sorted((Connection(**{k: v for k, v in e.items() if k != "process"})
                       for e in entries.values() if e["process"] in alive),
                      key=lambda c: c.since)


PRESENCE = web.AppKey("presence", Presence)


def connection_json(connection: Connection) -> dict[str, Any]:
    return {k: v for k, v in asdict(connection).items() if k != "sid"}


PRESENCE_EVERY = 0.5
PRESENCE_UPDATES = web.AppKey("presence_updates", Coalescer)


def presence_sender(app: web.Application) -> Coalescer:
    """Who is connected, to the console, at most twice a second: five hundred tablets
    joining at once make one list every half second, not five hundred."""

    async def send(meeting_id: int) -> None:
        connections = await app[PRESENCE].connections(meeting_id)
        publish(app, console_room(meeting_id), PRESENCE_EVENT,
                [{"connections": [connection_json(c) for c in connections]}])

    return Coalescer(send, PRESENCE_EVERY, "presence")


async def _beat(presence: RedisPresence) -> None:
    while True:
        try:
            await presence.heartbeat()
        except aioredis.RedisError:
            log.warning("presence heartbeat to Redis failed", exc_info=True)
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def presence_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS].redis
    client = aioredis.from_url(settings.url, decode_responses=True) if settings.url else None
    presence = RedisPresence(client, settings.channel) if client else None
    app[PRESENCE] = presence or MemoryPresence()
    app[PRESENCE_UPDATES] = presence_sender(app)
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(app[PRESENCE_UPDATES].run(), name="presence updates")]
    if presence is not None:
        await presence.heartbeat()
        tasks.append(loop.create_task(_beat(presence), name="presence heartbeat"))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if presence is not None and client is not None:
            with contextlib.suppress(aioredis.RedisError):
                await client.delete(presence._process_key(presence.process))
            await client.aclose()
