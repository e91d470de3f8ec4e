"""Tablets in one line: ``tablet = await tablets("daibieu01")`` is a signed-in Socket.IO
client that has joined the demo meeting and records every event it receives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from server.meetings.models import Meeting
from server.realtime import events as wire


class Tablet:
    """A python-socketio client as a tablet uses the contract: join, act, listen."""

    def __init__(self, url: str, cookie: str, csrf: str = "") -> None:
        self.url, self.cookie, self.csrf = url, cookie, csrf
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[dict[str, Any]] = []
        self.annotations: list[dict[str, Any]] = []
        self.presence: list[dict[str, Any]] = []
        self.snapshot: dict[str, Any] = {}
        self.sio.on(wire.MEETING_EVENT, self.events.append, namespace=wire.MEETINGS_NAMESPACE)
        self.sio.on(wire.ANNOTATION_EVENT, self.annotations.append,
                    namespace=wire.MEETINGS_NAMESPACE)
        self.sio.on(wire.PRESENCE_EVENT, self.presence.append, namespace=wire.MEETINGS_NAMESPACE)

    async def connect(self) -> None:
        await self.sio.connect(self.url, namespaces=[wire.MEETINGS_NAMESPACE],
                               transports=["websocket"], wait_timeout=5,
                               headers={"Cookie": f"phonghop_session={self.cookie}"})

    async def act(self, event: str, payload: Any = None) -> dict[str, Any]:
        args = {} if payload is None else payload
        return await self.sio.call(event, args, namespace=wire.MEETINGS_NAMESPACE, timeout=30)

    async def join(self, meeting_id: int, device: str = "tablet") -> dict[str, Any]:
        answer = await self.act(wire.JOIN, {"meeting_id": meeting_id, "device": device})
        assert answer.get("ok"), answer
        self.snapshot = answer["snapshot"]
        return self.snapshot

    async def next_event(self, type_: str, after: int = 0, timeout: float = 5) -> dict[str, Any]:
        """The first event of ``type_`` with a revision above ``after``."""
        for _ in range(int(timeout / 0.01)):
            for event in self.events:
                if event["type"] == type_ and event["rev"] > after:
                    return event
            await asyncio.sleep(0.01)
        raise AssertionError(f"no {type_} event after rev {after}: {self.events}")

    async def close(self) -> None:
        await self.sio.disconnect()

    async def http(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """The HTTP API as this tablet's user."""
        async with aiohttp.ClientSession(cookies={"phonghop_session": self.cookie}) as http, \
                http.request(method, f"{self.url}{path}", json=body,
                             headers={"X-CSRF-Token": self.csrf}) as response:
            return response.status, (await response.json() if response.status != 204 else None)


async def log_in(url: str, username: str, password: str = "demo") -> tuple[str, str]:
    """The session cookie and CSRF token of a fresh login."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            http.post(f"{url}/api/v1/auth/login",
                      json={"username": username, "password": password}) as response:
        assert response.status == 200, await response.text()
        return response.cookies["phonghop_session"].value, (await response.json())["csrf_token"]


async def sign_in(url: str, username: str, password: str = "demo") -> str:
    return (await log_in(url, username, password))[0]


Tablets = Callable[..., Awaitable[Tablet]]


@pytest.fixture
async def meeting_id(demo: None, sessions: Any) -> int:
    async with sessions() as db:
        return int(await db.scalar(select(Meeting.id)))


@pytest.fixture
async def tablets(client: TestClient, meeting_id: int) -> AsyncIterator[Tablets]:
    """``await tablets("daibieu01")`` signs in, connects and joins the demo meeting;
    ``join=False`` stops after connecting."""
    url = f"http://{client.host}:{client.port}"
    opened: list[Tablet] = []

    async def open_tablet(username: str, *, join: bool = True) -> Tablet:
        tablet = Tablet(url, *await log_in(url, username))
        await tablet.connect()
        opened.append(tablet)
        if join:
            await tablet.join(meeting_id)
        return tablet

    yield open_tablet
    for tablet in opened:
        await tablet.close()


async def eventually(condition: Callable[[], Any], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
