"""Real server processes for the tests that need more than the in-process app: several
processes behind one Redis, or one that is killed and started again."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

from server.settings import ROOT, Settings

from ..conftest import CHEAP_ARGON2, REDIS_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_answering(url: str, process: subprocess.Popen[bytes] | None = None,
                         headers: dict[str, str] | None = None, log: Path | None = None) -> None:
    """Until ``url`` answers 200 (15 s at most); fails at once, with its log, if ``process``
    (the one that should answer) has exited."""
    async with aiohttp.ClientSession(headers=headers) as http:
        for _ in range(300):
            if process is not None and process.poll() is not None:
                said = (log.read_text(errors="replace") if log is not None else
                        process.stderr.read().decode() if process.stderr else "")
                raise AssertionError(f"the process for {url} exited: {said}")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not answer")


async def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    await wait_answering(f"{url}/healthz", process)


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PHONGHOP_DATABASE_URL": settings.database.url,
        "PHONGHOP_DOCUMENTS_STORE": settings.documents.store,
        "PHONGHOP_REDIS_URL": REDIS_URL,
        "PHONGHOP_REDIS_CHANNEL": f"phonghop-test-{secrets.token_hex(4)}",
        "PHONGHOP_LOGGING_LEVEL": "WARNING",
        **{f"PHONGHOP_AUTH_{k.upper()}": str(v) for k, v in CHEAP_ARGON2.items()},
        **extra,
    }


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
