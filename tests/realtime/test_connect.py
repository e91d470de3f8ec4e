"""The Socket.IO server accepts only a live session or a valid bearer token."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestClient

from server.auth import service
from server.realtime.events import MEETINGS_NAMESPACE, SESSION_ENDED, WELCOME

PASSWORD = "mật-khẩu-đúng"


def _url(client: TestClient) -> str:
    return f"http://{client.host}:{client.port}"


def _cookie_header(client: TestClient) -> dict[str, str]:
    cookies = client.session.cookie_jar.filter_cookies(client.make_url("/"))
    return {"Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items())}


async def _connect(client: TestClient, **kwargs: Any) -> tuple[socketio.AsyncClient, list[Any]]:
    sio = socketio.AsyncClient(reconnection=False)
    received: list[Any] = []
    sio.on(WELCOME, received.append, namespace=MEETINGS_NAMESPACE)
    sio.on(SESSION_ENDED, received.append, namespace=MEETINGS_NAMESPACE)
    await sio.connect(_url(client), namespaces=[MEETINGS_NAMESPACE], transports=["websocket"],
                      wait_timeout=5, **kwargs)
    return sio, received


async def _eventually(condition: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_a_connection_without_credentials_is_refused(client: TestClient) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _connect(client)


async def test_a_forged_cookie_or_token_is_refused(client: TestClient) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _connect(client, headers={"Cookie": "phonghop_session=gia-mao"})
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _connect(client, auth={"token": "phk_gia-mao"})


async def test_a_signed_in_browser_is_welcomed_by_name(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu01", full_name="Lê Thị Hoa")
    await login("daibieu01", PASSWORD)
    sio, received = await _connect(client, headers=_cookie_header(client))
    try:
        await _eventually(lambda: received)
        assert received[0]["user"]["full_name"] == "Lê Thị Hoa"
    finally:
        await sio.disconnect()


async def test_a_room_agent_connects_with_its_token(
    client: TestClient, sessions, make_user
) -> None:
    user = await make_user("huyen1", full_name="Điểm cầu huyện Tân Lập")
    async with sessions() as db:
        secret, _ = await service.issue_token(db, user, "room agent")
        await db.commit()
    sio, received = await _connect(client, auth={"token": secret})
    try:
        await _eventually(lambda: received)
        assert received[0]["user"]["username"] == "huyen1"
    finally:
        await sio.disconnect()


async def test_logout_ends_the_sockets_of_that_session(
    client: TestClient, make_user, login
) -> None:
    await make_user("daibieu01")
    csrf = await login("daibieu01", PASSWORD)
    sio, received = await _connect(client, headers=_cookie_header(client))
    try:
        await _eventually(lambda: received)
        await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        await _eventually(lambda: not sio.connected)
        assert "message" in received[-1]
    finally:
        await sio.disconnect()
