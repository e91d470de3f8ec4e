"""Several server processes behind a load balancer share broadcasts through Redis."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio

from server.realtime.events import MEETINGS_NAMESPACE, SESSION_ENDED, WELCOME
from server.settings import ROOT, Settings

from ..conftest import CHEAP_ARGON2, REDIS_URL

pytestmark = pytest.mark.redis
PASSWORD = "mật-khẩu-đúng"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not become healthy")


@pytest.fixture
async def two_servers(settings: Settings, db_engine: Any) -> AsyncIterator[list[str]]:
    env = {
        **os.environ,
        "PHONGHOP_DATABASE_URL": settings.database.url,
        "PHONGHOP_DOCUMENTS_STORE": settings.documents.store,
        "PHONGHOP_REDIS_URL": REDIS_URL,
        "PHONGHOP_REDIS_CHANNEL": f"phonghop-test-{secrets.token_hex(4)}",
        "PHONGHOP_LOGGING_LEVEL": "WARNING",
        **{f"PHONGHOP_AUTH_{k.upper()}": str(v) for k, v in CHEAP_ARGON2.items()},
    }
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--port", str(port)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, processes, strict=True):
            await _wait_healthy(url, process)
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
