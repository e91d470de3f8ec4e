"""A server restarted in the middle of a meeting: tablets find the live state again by
themselves, because it lives in the database and every reconnect asks for a snapshot."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import aiohttp
import socketio
from sqlalchemy import select
from yarl import URL

from server.documents.models import Document
from server.realtime import events as wire
from server.settings import Settings

from .conftest import Tablet, sign_in
from .processes import free_port, serve, server_env, wait_healthy


class FollowingTablet(Tablet):
    """Reconnects by itself and joins again on every connect, as live-client.js does.

    Its cookie lives in its own HTTP session's jar, as in a browser: the Engine.IO client
    drops a Cookie header after the first connection, so a reconnect would go without."""

    def __init__(self, url: str, cookie: str, meeting_id: int) -> None:
        super().__init__(url, cookie)
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.http.cookie_jar.update_cookies({"phonghop_session": cookie}, URL(url))
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2,
                                        reconnection_delay_max=1, http_session=self.http)
        self.sio.on(wire.MEETING_EVENT, self.events.append, namespace=wire.MEETINGS_NAMESPACE)
        self.sio.on("connect", self._rejoin, namespace=wire.MEETINGS_NAMESPACE)
        self.meeting_id, self.snapshots = meeting_id, []
        self._tasks: set[asyncio.Task[None]] = set()

    async def _rejoin(self) -> None:
        task = asyncio.get_running_loop().create_task(self._join_again())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _join_again(self) -> None:
        self.snapshots.append(await self.join(self.meeting_id))

    async def connect(self) -> None:
        await self.sio.connect(self.url, namespaces=[wire.MEETINGS_NAMESPACE],
                               transports=["websocket"], wait_timeout=5)

    async def close(self) -> None:
        await self.sio.disconnect()
        await self.http.close()


async def test_tablets_recover_the_live_state_after_a_server_restart(
    settings: Settings, meeting_id: int, sessions: Any
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(settings, PHONGHOP_REDIS_URL="")
    process = serve(env, port)
    async with sessions() as db:
        document = await db.scalar(select(Document).where(Document.meeting_id == meeting_id))
    chair = delegate = None
    try:
        await wait_healthy(url, process)
        chair = Tablet(url, await sign_in(url, "chutoa"))
        await chair.connect()
        await chair.join(meeting_id)
        delegate = FollowingTablet(url, await sign_in(url, "daibieu01"), meeting_id)
        await delegate.connect()
        await chair.act(wire.START_MEETING)
        await chair.act(wire.PRESENT, {"document_id": document.id, "page": 1})
        before = await chair.act(wire.TURN_PAGE, {"page": 3})

        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        await chair.close()
        process = serve(env, port)
        await wait_healthy(url, process)

        for _ in range(1000):
            if delegate.snapshots and delegate.snapshots[-1]["rev"] == before["rev"] \
                    and len(delegate.snapshots) >= 2:
                break
            await asyncio.sleep(0.01)
        recovered = delegate.snapshots[-1]
        assert len(delegate.snapshots) >= 2, "the tablet did not join again"
        assert recovered["presentation"]["page"] == 3
        assert recovered["meeting"]["status"] == "live"
    finally:
        if delegate is not None:
            await delegate.close()
        if chair is not None and chair.sio.connected:
            await chair.close()
        process.terminate()
        process.wait(timeout=10)
