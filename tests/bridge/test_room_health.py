"""The administrator sees each room agent's last heartbeat on the rooms page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.bridge.models import RoomHealth
from server.db import utcnow
from server.meetings.models import Room


async def test_the_rooms_page_shows_each_agents_last_heartbeat(
    demo: None, sessions: Any, client: Any, login: Any
) -> None:
    async with sessions() as db:
        room = await db.scalar(select(Room).where(Room.name.like("Điểm cầu%")))
        db.add(RoomHealth(room_id=room.id, data={
            "cpu": 0.37, "bitrate_kbps": 812.4, "packet_loss": 0.012, "frames_received": 4210,
            "source": "pattern"}, at=utcnow()))
        await db.commit()
    await login("admin")
    page = await (await client.get("/admin/rooms")).text()
    assert "CPU 37% · 812 kbit/s · mất gói 1.2% · 4210 khung hình" in page
    assert "Chưa có tín hiệu từ máy điểm cầu" in page  # the rooms without an agent
