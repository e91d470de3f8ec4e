"""Fixtures of the meetings tests: an API client that signs in as anyone in one line."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from server.meetings.models import Meeting


class Api:
    """``await api.as_("thuky")`` then ``status, body = await api.post(path, {...})``."""

    def __init__(self, client: TestClient, login: Any) -> None:
        self.client, self._login, self.csrf = client, login, ""

    async def as_(self, username: str, password: str = "demo") -> Api:
        self.csrf = await self._login(username, password)
        return self

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = await self.client.request(
            method, path, json=body, headers={"X-CSRF-Token": self.csrf})
        return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Any]:
        return await self.call("GET", path)

    async def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        return await self.call("POST", path, {} if body is None else body)

    async def patch(self, path: str, body: Any) -> tuple[int, Any]:
        return await self.call("PATCH", path, body)

    async def put(self, path: str, body: Any) -> tuple[int, Any]:
        return await self.call("PUT", path, body)

    async def delete(self, path: str) -> tuple[int, Any]:
        return await self.call("DELETE", path)


@pytest.fixture
def api(client: TestClient, login: Any) -> Api:
    return Api(client, login)


@pytest.fixture
async def demo_meeting(demo: None, sessions: Any) -> int:
    """The id of the demo's scheduled meeting (thuky is its secretary, chutoa its chair)."""
    async with sessions() as db:
        return int(await db.scalar(select(Meeting.id)))
