"""The manifest tablets prefetch from: agenda order, hashes, and a hash of it all."""

from __future__ import annotations

import hashlib

from aiohttp.test_utils import TestClient

from .conftest import Api, make_pdf


async def test_the_manifest_lists_the_demo_documents_in_agenda_order(
    meeting_id: int, api: Api
) -> None:
    await api.as_("daibieu09")
    _, agenda = await api.get(f"/api/v1/meetings/{meeting_id}/agenda")
    status, manifest = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    assert status == 200
    order = [item["id"] for item in agenda["agenda"]]
    positions = [order.index(d["agenda_item_id"]) for d in manifest["documents"]]
    assert positions == sorted(positions)
    entry = manifest["documents"][0]
    assert entry["version"] == 1 and entry["pages"] >= 1 and len(entry["sha256"]) == 64
    assert entry["url"] == f"/files/{entry['id']}/{entry['sha256']}/{entry['filename']}"
    assert manifest["board_pack"]["documents"] == 4


async def test_the_hash_changes_when_a_document_changes(meeting_id: int, api: Api) -> None:
    await api.as_("thuky")
    _, before = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    document = await api.upload_document(meeting_id, make_pdf(1, "Mới"))
    _, after = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    assert after["hash"] != before["hash"]
    assert after["documents"][-1]["id"] == document["id"]  # general documents come last
    assert after["documents"][-1]["sha256"] == hashlib.sha256(make_pdf(1, "Mới")).hexdigest()


async def test_an_unchanged_manifest_answers_304(
    meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu09")
    first = await client.get(f"/api/v1/meetings/{meeting_id}/manifest")
    etag = first.headers["ETag"]
    assert etag == f'"{(await first.json())["hash"]}"'
    again = await client.get(f"/api/v1/meetings/{meeting_id}/manifest",
                             headers={"If-None-Match": etag})
    assert again.status == 304
    assert first.headers["Cache-Control"] == "private, no-cache"


async def test_a_draft_meetings_manifest_is_hidden_from_delegates(
    meeting_id: int, api: Api
) -> None:
    await api.as_("thuky")
    assert (await api.call("POST", f"/api/v1/meetings/{meeting_id}/status",
                           {"status": "draft"}))[0] == 200
    await api.as_("daibieu09")
    assert (await api.get(f"/api/v1/meetings/{meeting_id}/manifest"))[0] == 404
