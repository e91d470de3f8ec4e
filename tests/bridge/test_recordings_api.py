"""A meeting's recording on the server's side: the secretary turns it on, every live page
is told, and the recordings the workers wrote are listed and served to those who run the
meeting, and to nobody else, by exact file name only. (The worker's writing of the file
is tests/bridge/test_recording.py; both together: test_failover.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.meetings.models import Meeting
from server.settings import Settings
from tests.conftest import make_settings

FIRST = "20261202T013000Z-4242.mkv"
SECOND = "20261202T020500Z-5151.mkv"


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def settings(database_url: str, store_path: Path, recordings: Path) -> Settings:
    return make_settings(database_url, store_path, bridge={"recordings": str(recordings)})


def _write(recordings: Path, meeting_id: int, name: str, data: bytes) -> None:
    folder = recordings / str(meeting_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


async def test_the_secretary_turns_recording_on_and_the_live_state_says_so(
    meeting_id: int, sessions: Any, client: TestClient, login: Any
) -> None:
    csrf = await login("thuky")
    before = await (await client.get(f"/api/v1/meetings/{meeting_id}/live")).json()
    assert before["meeting"]["record_video"] is False

    response = await client.patch(f"/api/v1/meetings/{meeting_id}", json={"record_video": True},
                                  headers={"X-CSRF-Token": csrf})
    assert response.status == 200, await response.text()
    assert (await response.json())["meeting"]["record_video"] is True
    after = await (await client.get(f"/api/v1/meetings/{meeting_id}/live")).json()
    assert after["meeting"]["record_video"] is True
    assert after["rev"] > before["rev"]  # tablets that hold the old state see the change


async def test_recording_is_refused_to_a_delegate_and_needs_a_boolean(
    meeting_id: int, sessions: Any, client: TestClient, login: Any
) -> None:
    csrf = await login("thuky")
    wrong = await client.patch(f"/api/v1/meetings/{meeting_id}", json={"record_video": "có"},
                               headers={"X-CSRF-Token": csrf})
    assert wrong.status == 400
    error = (await wrong.json())["error"]
    assert error["code"] == "invalid_field" and "true hoặc false" in error["message"]
    csrf = await login("daibieu01")
    refused = await client.patch(f"/api/v1/meetings/{meeting_id}", json={"record_video": True},
                                 headers={"X-CSRF-Token": csrf})
    assert refused.status == 403
    async with sessions() as db:
        assert (await db.get(Meeting, meeting_id)).record_video is False


async def test_the_chair_lists_and_downloads_the_recordings_of_the_meeting(
    meeting_id: int, sessions: Any, client: TestClient, login: Any, recordings: Path
) -> None:
    _write(recordings, meeting_id, SECOND, b"\x1a\x45\xdf\xa3 second part")
    _write(recordings, meeting_id, FIRST, b"\x1a\x45\xdf\xa3 first part")
    _write(recordings, meeting_id, "ghi-chu.txt", b"not a recording")
    _write(recordings, meeting_id + 1, "20261202T013000Z-1.mkv", b"another meeting's")
    await login("chutoa")

    listing = await client.get(f"/api/v1/meetings/{meeting_id}/recordings")
    assert listing.status == 200, await listing.text()
    items = (await listing.json())["recordings"]
    assert [i["name"] for i in items] == [FIRST, SECOND]
    assert items[0]["started_at"] == "2026-12-02T01:30:00+00:00"
    assert items[0]["size"] == len(b"\x1a\x45\xdf\xa3 first part")

    download = await client.get(items[1]["url"])
    assert download.status == 200
    assert await download.read() == b"\x1a\x45\xdf\xa3 second part"
    assert download.headers["Content-Type"] == "video/x-matroska"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download.headers["Cache-Control"]


@pytest.mark.parametrize("name", [
    "ghi-chu.txt", "20261202T013000Z-4242.mkv.part", "..%2F..%2Fdocuments",
    "20261202T013000Z-1.mkv%00.txt", "%2Fetc%2Fpasswd",
])
async def test_only_names_a_worker_writes_are_served(
    meeting_id: int, sessions: Any, client: TestClient, login: Any, recordings: Path, name: str
) -> None:
    _write(recordings, meeting_id, "ghi-chu.txt", b"not a recording")
    _write(recordings, meeting_id, "20261202T013000Z-4242.mkv.part", b"half")
    await login("chutoa")
    response = await client.get(f"/api/v1/meetings/{meeting_id}/recordings/{name}")
    assert response.status == 404


async def test_a_delegate_may_not_list_or_download_recordings(
    meeting_id: int, sessions: Any, client: TestClient, login: Any, recordings: Path
) -> None:
    _write(recordings, meeting_id, FIRST, b"\x1a\x45\xdf\xa3")
    await login("daibieu01")
    listing = await client.get(f"/api/v1/meetings/{meeting_id}/recordings")
    download = await client.get(f"/api/v1/meetings/{meeting_id}/recordings/{FIRST}")
    assert (listing.status, download.status) == (403, 403)
    page = await (await client.get(f"/meetings/{meeting_id}")).text()
    assert FIRST not in page


async def test_the_meeting_page_offers_the_recordings_to_the_chair(
    meeting_id: int, sessions: Any, client: TestClient, login: Any, recordings: Path
) -> None:
    _write(recordings, meeting_id, FIRST, b"\x1a\x45\xdf\xa3" * 1000)
    await login("chutoa")
    page = await (await client.get(f"/meetings/{meeting_id}")).text()
    assert f'href="/api/v1/meetings/{meeting_id}/recordings/{FIRST}"' in page
    assert "Bản ghi từ" in page and "08:30" in page  # 01:30 UTC in Vietnam time
