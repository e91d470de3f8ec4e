"""Broadcasts that leave the request: sent from background tasks, never awaited inline.

A handler calls one of these and answers at once; the emit (which can take
tens of milliseconds to a big room, and crosses processes through Redis) runs
in a task that the app owns and awaits at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from ..i18n import translate
from ..state import SETTINGS
from .events import MEETINGS_NAMESPACE, SESSION_ENDED, session_room

log = logging.getLogger("phonghop.realtime")
TASKS = web.AppKey("fanout_tasks", set[asyncio.Task[None]])
# The last broadcast task of each room, which the next one to that room waits for.
LAST_EMIT = web.AppKey("last_emit", dict[str, asyncio.Task[None]])


def spawn(
    app: web.Application, coro: Coroutine[Any, Any, None], what: str
) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(coro)
    tasks = app[TASKS]
    tasks.add(task)

    def done(t: asyncio.Task[None]) -> None:
        tasks.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.error("broadcast %s failed", what, exc_info=t.exception())

    task.add_done_callback(done)
    return task


async def end_session_sockets(app: web.Application, session_id: int) -> None:
    """Tell every socket opened with this login (on any process) that it has ended,
    then disconnect those on this process. Sockets on other processes are refused
    at their next reconnect, since the session no longer exists."""
    from .server import SIO

    sio = app[SIO]
    message = {"message": translate(app[SETTINGS].i18n.default_locale, "realtime.session_ended")}

    async def run() -> None:
        room = session_room(session_id)
        await sio.emit(SESSION_ENDED, message, room=room, namespace=MEETINGS_NAMESPACE)
        for sid, _eio_sid in list(sio.manager.get_participants(MEETINGS_NAMESPACE, room)):
            await sio.disconnect(sid, namespace=MEETINGS_NAMESPACE)

    spawn(app, run(), f"session_ended {session_id}")


async def fanout_context(app: web.Application) -> Any:
    app[TASKS] = set()
    app[LAST_EMIT] = {}
    yield
    if app[TASKS]:
        await asyncio.wait(list(app[TASKS]), timeout=5)
