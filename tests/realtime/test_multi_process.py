"""Several server processes behind a load balancer share broadcasts through Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio
from sqlalchemy import select

from server.documents.models import Document
from server.realtime import events as wire
from server.realtime.events import MEETINGS_NAMESPACE, SESSION_ENDED, WELCOME
from server.settings import Settings

from .conftest import Tablet, sign_in
from .processes import free_port, serve, server_env, wait_healthy

pytestmark = pytest.mark.redis
PASSWORD = "mật-khẩu-đúng"


@pytest.fixture
async def two_servers(settings: Settings, db_engine: Any) -> AsyncIterator[list[str]]:
    env = server_env(settings)  # one Redis channel for both
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(serve(env, port))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            await wait_healthy(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


async def test_logout_on_one_process_reaches_sockets_on_another(
    two_servers: list[str], make_user
) -> None:
    await make_user("daibieu01")
    first, second = two_servers
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{second}/api/v1/auth/login",
                             json={"username": "daibieu01", "password": PASSWORD}) as response:
            assert response.status == 200
            csrf = (await response.json())["csrf_token"]
            cookie = response.cookies["phonghop_session"].value

        sio = socketio.AsyncClient(reconnection=False)
        received: dict[str, asyncio.Event] = {WELCOME: asyncio.Event(),
                                              SESSION_ENDED: asyncio.Event()}
        for name, event in received.items():
            sio.on(name, lambda *_a, e=event: e.set(), namespace=MEETINGS_NAMESPACE)
        await sio.connect(first, namespaces=[MEETINGS_NAMESPACE], transports=["websocket"],
                          headers={"Cookie": f"phonghop_session={cookie}"}, wait_timeout=5)
        try:
            await asyncio.wait_for(received[WELCOME].wait(), 5)
            async with http.post(f"{second}/api/v1/auth/logout",
                                 headers={"X-CSRF-Token": csrf}) as response:
                assert response.status == 200
            await asyncio.wait_for(received[SESSION_ENDED].wait(), 5)
        finally:
            await sio.disconnect()


async def test_a_page_turned_on_one_process_reaches_a_tablet_on_another(
    two_servers: list[str], meeting_id: int, sessions: Any
) -> None:
    first, second = two_servers
    chair = Tablet(first, await sign_in(first, "chutoa"))
    delegate = Tablet(second, await sign_in(second, "daibieu01"))
    async with sessions() as db:
        document = await db.scalar(select(Document).where(Document.meeting_id == meeting_id))
    try:
        for tablet in (chair, delegate):
            await tablet.connect()
            await tablet.join(meeting_id)
        await chair.act(wire.START_MEETING)
        await chair.act(wire.PRESENT, {"document_id": document.id, "page": 1})
        answer = await chair.act(wire.TURN_PAGE, {"page": 2})
        event = await delegate.next_event("presentation", after=answer["rev"] - 1)
        assert event["data"]["presentation"]["page"] == 2
    finally:
        await chair.close()
        await delegate.close()
