"""The live bench's baseline: a bare python-socketio server, no database, no auth.

``python -m bench.live_baseline PORT`` serves the same namespace, event names and
payload shapes as the real server (``server/realtime/events.py``), so the same
tablets and chair drive both: ``join`` puts a socket in the meeting's room, and
every chair action raises a revision, answers ``{"ok", "rev"}`` and broadcasts one
``meeting_event`` to the room from a background task, as ``server/realtime/fanout.py``
does. What the real server adds on top (sessions, access checks, a transaction per
page turn, snapshots) is the difference between the two rows of the table.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

import socketio
from aiohttp import web

from server.realtime.events import (
    JOIN,
    MEETING_EVENT,
    MEETINGS_NAMESPACE,
    PRESENT,
    PRESENTATION_CHANGED,
    START_MEETING,
    STATUS_CHANGED,
    TURN_PAGE,
    meeting_room,
)

ROOM = meeting_room(1)


def create_app() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
    app = web.Application()
    sio.attach(app, socketio_path="socket.io")
    state: dict[str, Any] = {"rev": 0, "presentation": None}
    tasks: set[asyncio.Task[None]] = set()

    def broadcast(kind: str, data: dict[str, Any]) -> int:
        state["rev"] += 1
        event = {"rev": state["rev"], "type": kind, "data": data,
                 "at": datetime.now(UTC).isoformat()}
        task = asyncio.get_running_loop().create_task(
            sio.emit(MEETING_EVENT, event, room=ROOM, namespace=MEETINGS_NAMESPACE))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return int(state["rev"])

    @sio.on("connect", namespace=MEETINGS_NAMESPACE)
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        return None

    @sio.on(JOIN, namespace=MEETINGS_NAMESPACE)
    async def join(sid: str, data: Any) -> dict[str, Any]:
        await sio.enter_room(sid, ROOM, namespace=MEETINGS_NAMESPACE)
        return {"ok": True, "snapshot": {"rev": state["rev"],
                                         "presentation": state["presentation"]}}

    @sio.on(START_MEETING, namespace=MEETINGS_NAMESPACE)
    async def start(sid: str, data: Any = None) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        rev = broadcast(STATUS_CHANGED, {"status": "live", "started_at": now, "ended_at": None})
        return {"ok": True, "rev": rev}

    async def show(page: int, document_id: int) -> dict[str, Any]:
        state["presentation"] = {"document_id": document_id, "version": 1, "page": page,
                                 "pages": 3, "since": datetime.now(UTC).isoformat()}
        return {"ok": True, "rev": broadcast(PRESENTATION_CHANGED,
                                             {"presentation": state["presentation"]})}

    @sio.on(PRESENT, namespace=MEETINGS_NAMESPACE)
    async def present(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        return await show(int(data["page"]), int(data["document_id"]))

    @sio.on(TURN_PAGE, namespace=MEETINGS_NAMESPACE)
    async def turn_page(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        current = state["presentation"] or {"document_id": 1}
        return await show(int(data["page"]), int(current["document_id"]))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None,
                access_log=None)
