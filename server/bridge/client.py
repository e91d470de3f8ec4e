"""The server's client of a bridge worker's internal HTTP API (docs/video.md).

Short timeouts: a worker that does not answer within a couple of seconds is as
good as gone for a room waiting to connect, and the registry moves its meetings.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from .errors import InvalidSdp, NoBridge

TIMEOUT = aiohttp.ClientTimeout(total=10, connect=2)


class WorkerClient:
    def __init__(self, url: str, secret: str, http: aiohttp.ClientSession) -> None:
        self.url, self._secret, self._http = url.rstrip("/"), secret, http

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            async with self._http.request(
                    method, f"{self.url}{path}", json=body, timeout=TIMEOUT,
                    headers={"X-Bridge-Key": self._secret}) as response:
                if response.status == 400:
                    raise InvalidSdp()
                if response.status >= 300:
                    raise NoBridge()
                return await response.json() if response.status != 204 else None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise NoBridge() from error

    async def status(self) -> dict[str, Any]:
        return dict(await self._call("GET", "/status"))

    async def add_peer(self, meeting_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return dict(await self._call("POST", f"/meetings/{meeting_id}/peers", body))

    async def remove_peer(self, meeting_id: int, peer_id: str) -> None:
        await self._call("DELETE", f"/meetings/{meeting_id}/peers/{peer_id}")

    async def set_floor(self, meeting_id: int, peer_id: str | None) -> None:
        await self._call("PUT", f"/meetings/{meeting_id}/floor", {"peer_id": peer_id})

    async def set_muted(self, meeting_id: int, peer_id: str, audio: bool) -> None:
        await self._call("PUT", f"/meetings/{meeting_id}/peers/{peer_id}/muted",
                         {"audio": audio})

    async def set_recording(self, meeting_id: int, on: bool) -> str | None:
        """Start or stop recording the meeting; the name of the file being written."""
        answer = await self._call("PUT", f"/meetings/{meeting_id}/recording", {"on": on})
        return answer.get("recording")

    async def meeting(self, meeting_id: int) -> dict[str, Any]:
        return dict(await self._call("GET", f"/meetings/{meeting_id}"))
