"""The JSON API as one signed-in user: ``await api.as_("thuky")``, then
``status, body = await api.post(path, {...})`` (``body`` None for a 204)."""

from __future__ import annotations

from typing import Any, Self

from aiohttp.test_utils import TestClient


class Api:
    password = "demo"

    def __init__(self, client: TestClient, login: Any) -> None:
        self.client, self._login, self.csrf = client, login, ""

    async def as_(self, username: str, password: str | None = None) -> Self:
        self.csrf = await self._login(username, password or self.password)
        return self

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = await self.client.request(method, path, json=body, headers=self.headers)
        return response.status, (await response.json() if response.status != 204 else None)

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
