"""Fixtures of the meetings tests: an API client that signs in as anyone in one line."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from server.meetings.models import Meeting
from tests.api import Api

__all__ = ["Api"]


@pytest.fixture
def api(client: TestClient, login: Any) -> Api:
    return Api(client, login)


@pytest.fixture
async def demo_meeting(demo: None, sessions: Any) -> int:
    """The id of the demo's scheduled meeting (thuky is its secretary, chutoa its chair)."""
    async with sessions() as db:
        return int(await db.scalar(select(Meeting.id)))
