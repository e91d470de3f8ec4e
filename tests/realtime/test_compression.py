"""The Socket.IO websockets compress (permessage-deflate, as browsers ask) unless
``server.websocket_compression`` is off; python-engineio's aiohttp driver has no option
for it, so the server swaps the driver's websocket wrapper, which this test guards."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from server.settings import Settings
from tests.conftest import make_settings

HANDSHAKE = "/socket.io/?EIO=4&transport=websocket"


@pytest.fixture
def settings(database_url: str, store_path: Path, request: pytest.FixtureRequest) -> Settings:
    return make_settings(database_url, store_path,
                         server={"websocket_compression": request.param})


@pytest.mark.parametrize(("settings", "window_bits"), [(True, 15), (False, 0)],
                         indirect=["settings"], ids=["compressed", "uncompressed"])
async def test_websocket_compression_follows_the_setting(
        client: TestClient, window_bits: int) -> None:
    async with client.session.ws_connect(client.make_url(HANDSHAKE), compress=15) as ws:
        opened = await ws.receive_str()  # engine.io's open packet: the socket works either way
        assert opened.startswith("0{") and '"sid"' in opened
        assert ws.compress == window_bits
