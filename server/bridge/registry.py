"""The bridge workers as the server sees them: their load, which one holds a meeting,
and what to do when one goes away.

Every second the server asks each configured worker for its ``/status``. A new
meeting goes to the least loaded worker that answers (by peers, then meetings);
the placement is a row in the database, so every server process sends a
meeting's rooms to the same worker. A worker that has not answered for three
polls is taken as dead: its meetings are placed again and their endpoints told
to ``reconnect``, which they do with a new offer to the new worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..realtime.broadcast import publish
from ..realtime.events import VIDEO_COMMAND, meeting_room
from ..state import SESSIONS, SETTINGS
from .client import WorkerClient
from .errors import NoBridge
from .models import BridgePlacement

log = logging.getLogger("phonghop.bridge")
POLL_SECONDS = 1.0
DEAD_AFTER = 3  # polls without an answer


@dataclass
class WorkerState:
    client: WorkerClient
    status: dict[str, Any] = field(default_factory=dict)
    missed: int = DEAD_AFTER  # unknown until it first answers

    @property
    def alive(self) -> bool:
        return self.missed < DEAD_AFTER

    @property
    def load(self) -> tuple[int, int]:
        return int(self.status.get("peers", 0)), int(self.status.get("meetings", 0))


class Registry:
    def __init__(self, app: web.Application, urls: list[str], secret: str,
                 http: aiohttp.ClientSession) -> None:
        self.app = app
        self.workers = {url: WorkerState(WorkerClient(url, secret, http)) for url in urls}

    def alive(self) -> list[WorkerState]:
        return [w for w in self.workers.values() if w.alive]

    async def poll(self) -> list[str]:
        """Ask every worker; the URLs of those that just died."""
        died = []
        for url, worker in self.workers.items():
            try:
                worker.status = await worker.client.status()
                worker.missed = 0
            except NoBridge:
                was_alive = worker.alive
                worker.missed += 1
                if was_alive and not worker.alive:
                    died.append(url)
        return died

    async def placed(self, meeting_id: int) -> WorkerClient | None:
        """The meeting's worker if it has one that is alive; never places it."""
        async with self.app[SESSIONS]() as db:
            placement = await db.get(BridgePlacement, meeting_id)
        if placement is None or placement.worker not in self.workers \
                or not self.workers[placement.worker].alive:
            return None
        return self.workers[placement.worker].client

    async def worker_for(self, meeting_id: int) -> WorkerClient:
        """The meeting's worker, placing it on the least loaded live one the first time."""
        async with self.app[SESSIONS]() as db:
            placed = await db.get(BridgePlacement, meeting_id)
            if placed is not None and placed.worker in self.workers \
                    and self.workers[placed.worker].alive:
                return self.workers[placed.worker].client
            if not self.alive():
                await self.poll()  # just started, or all were down a moment ago
            candidates = sorted(self.alive(), key=lambda w: w.load)
            if not candidates:
                raise NoBridge()
            chosen = candidates[0].client.url
            if placed is not None:
                placed.worker = chosen
            else:
                db.add(BridgePlacement(meeting_id=meeting_id, worker=chosen))
            try:
                await db.commit()
            except IntegrityError:
                await db.rollback()  # another process placed it first: take its choice
                placed = await db.get(BridgePlacement, meeting_id)
                chosen = placed.worker if placed else chosen
        return self.workers[chosen].client

    async def move_meetings_of(self, url: str) -> list[int]:
        """Forget the placements on a dead worker and tell those meetings to reconnect."""
        async with self.app[SESSIONS]() as db:
            meetings = list(await db.scalars(select(BridgePlacement.meeting_id)
                                             .where(BridgePlacement.worker == url)))
            await db.execute(delete(BridgePlacement).where(BridgePlacement.worker == url))
            await db.commit()
        for meeting_id in meetings:
            log.warning("bridge worker %s is gone: meeting %s reconnects", url, meeting_id)
            publish(self.app, meeting_room(meeting_id), VIDEO_COMMAND,
                    [{"command": "reconnect", "reason": "worker"}])
        return meetings

    async def run(self) -> None:
        while True:
            try:
                for url in await self.poll():
                    await self.move_meetings_of(url)
            except Exception:
                log.exception("polling the bridge workers failed")
            await asyncio.sleep(POLL_SECONDS)


REGISTRY = web.AppKey("bridge_registry", Registry)


async def bridge_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS].bridge
    async with aiohttp.ClientSession() as http:
        registry = Registry(app, list(settings.workers), str(settings.secret), http)
        app[REGISTRY] = registry
        task = asyncio.get_running_loop().create_task(registry.run(), name="bridge registry")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
