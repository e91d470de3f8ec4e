"""Fixtures of the bridge tests: an SFU in the test's process, the worker's HTTP app
around one, endpoints to join them (peers.py), and the realtime tests' tablets on the
demo meeting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.bridge.sfu import Sfu
from server.bridge.worker import create_worker_app, host_addresses
from server.settings import load_settings
from tests.bridge.peers import BRIDGE_KEY, Endpoint
from tests.realtime.conftest import meeting_id, tablets  # noqa: F401  (fixtures)


@pytest.fixture
def loopback() -> Iterator[None]:
    with host_addresses(["127.0.0.1"]):
        yield


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
async def sfu(loopback: None, recordings: Path) -> AsyncIterator[Sfu]:
    bridge = Sfu(codec="VP8", max_thumbnails=2, recordings=recordings)
    bridge.start()
    try:
        yield bridge
    finally:
        await bridge.close()


@pytest.fixture
async def endpoints() -> AsyncIterator[Callable[..., Endpoint]]:
    made: list[Endpoint] = []

    def make(*args: Any, **kwargs: Any) -> Endpoint:
        made.append(Endpoint(*args, **kwargs))
        return made[-1]

    try:
        yield make
    finally:
        await asyncio.gather(*(e.close() for e in made))


@pytest.fixture
async def worker(loopback: None, recordings: Path,
                 aiohttp_client: Callable[..., Awaitable[TestClient]]) -> TestClient:
    settings = load_settings(environ={"PHONGHOP_BRIDGE_SECRET": BRIDGE_KEY,
                                      "PHONGHOP_BRIDGE_HOST_ADDRESSES": "127.0.0.1",
                                      "PHONGHOP_BRIDGE_RECORDINGS": str(recordings)})
    return await aiohttp_client(create_worker_app(settings.bridge))
