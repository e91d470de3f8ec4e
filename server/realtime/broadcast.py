"""Meeting events leave here: after the commit, from background tasks, in order.

:func:`record_change` raises the meeting's revision once per changed part,
builds the events inside the transaction (so each carries exactly the state of
its revision), commits, and only then hands them to :func:`publish`. Emits to
one room are chained, each task waiting for the one before it, so a tablet
sees a meeting's events in the order they were committed on this process; one
that arrives out of order anyway (two processes) looks like a gap to the tablet,
which asks for a snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ..meetings.live import next_revision
from ..meetings.live_state import events_for
from ..meetings.models import Meeting
from .events import MEETING_EVENT, MEETINGS_NAMESPACE, meeting_room, user_room
from .fanout import LAST_EMIT, spawn


def publish(app: web.Application, room: str, event: str, payloads: list[Any]) -> None:
    """Send ``payloads`` as ``event`` to ``room``, after whatever was sent there before."""
    from .server import SIO

    sio = app[SIO]
    chain = app[LAST_EMIT]
    previous = chain.get(room)

    async def run() -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        for payload in payloads:
            await sio.emit(event, payload, room=room, namespace=MEETINGS_NAMESPACE)

    task = spawn(app, run(), f"{event} to {room}")
    chain[room] = task
    task.add_done_callback(lambda t: chain.pop(room, None) if chain.get(room) is t else None)


def publish_to_users(
    app: web.Application, user_ids: frozenset[int], event: str, payload: Any
) -> None:
    """One event to every socket of these users, on any process."""
    if not user_ids:
        return
    from .server import SIO

    rooms = [user_room(u) for u in sorted(user_ids)]
    spawn(app, app[SIO].emit(event, payload, room=rooms, namespace=MEETINGS_NAMESPACE),
          f"{event} to {len(rooms)} users")


PartHook = Callable[[web.Application, int], Awaitable[None]]
PART_HOOKS = web.AppKey("part_hooks", dict[str, list[PartHook]])


def on_part(app: web.Application, part: str, hook: PartHook) -> None:
    """Run ``hook(app, meeting_id)`` in the background after every committed change of
    ``part`` (the video bridge follows the floor this way). Registered at start-up."""
    app.setdefault(PART_HOOKS, {}).setdefault(part, []).append(hook)


async def record_change(
    app: web.Application, db: AsyncSession, meeting: Meeting, parts: list[str]
) -> int:
    """Commit a change of the live state and broadcast it; the new revision."""
    if not parts:
        await db.commit()
        await db.refresh(meeting)
        return meeting.revision
    revisions = [await next_revision(db, meeting.id) for _ in parts]
    await db.refresh(meeting)  # what the database did too (a deleted document unpresented)
    events = await events_for(db, meeting, parts, revisions)
    await db.commit()
    publish(app, meeting_room(meeting.id), MEETING_EVENT, events)
    for part in parts:
        for hook in app.get(PART_HOOKS, {}).get(part, []):
            spawn(app, hook(app, meeting.id), f"{part} hook of meeting {meeting.id}")
    return revisions[-1]
