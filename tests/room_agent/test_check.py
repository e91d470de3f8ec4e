"""The room agent authenticates with its token and tells who it is."""

from __future__ import annotations

import asyncio
import sys

from aiohttp.test_utils import TestClient

from server.auth import service
from server.settings import ROOT


async def _agent(client: TestClient, token: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "room_agent", "--server", f"http://{client.host}:{client.port}",
        "--token", token, "--check", "--timeout", "5", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_agent_connects_as_its_room(client: TestClient, sessions, make_user) -> None:
    user = await make_user("huyen1", full_name="Điểm cầu huyện Tân Lập")
    async with sessions() as db:
        secret, _ = await service.issue_token(db, user, "room agent")
        await db.commit()
    code, out, _err = await _agent(client, secret)
    assert (code, out.strip()) == (0, "huyen1: Điểm cầu huyện Tân Lập")


async def test_the_agent_reports_a_refused_token(client: TestClient) -> None:
    code, _out, err = await _agent(client, "phk_sai")
    assert code == 2
    assert "từ chối" in err
