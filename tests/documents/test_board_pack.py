"""The board pack: cover, agenda order, bookmarks, page labels, built once, per reader."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from server.documents.models import BoardPack

from .conftest import Api, make_pdf


async def fetch_pack(api: Api, client: TestClient, meeting_id: int) -> tuple[str, bytes]:
    response = await client.get(f"/api/v1/meetings/{meeting_id}/board-pack",
                                allow_redirects=False)
    assert response.status == 302, await response.text()
    location = response.headers["Location"]
    pack = await client.get(location)
    assert pack.status == 200
    assert pack.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    return location, await pack.read()


def outline_titles(reader: PdfReader) -> list[Any]:
    def walk(items: list[Any]) -> list[Any]:
        return [walk(i) if isinstance(i, list) else i.title for i in items]
    return walk(reader.outline)


async def test_the_demo_meeting_has_a_board_pack_in_agenda_order(
    meeting_id: int, api: Api, client: TestClient, tmp_path: Path
) -> None:
    await api.as_("daibieu07")
    _, meeting = await api.get(f"/api/v1/meetings/{meeting_id}")
    _, manifest = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    _, data = await fetch_pack(api, client, meeting_id)
    reader = PdfReader(io.BytesIO(data))
    document_pages = sum(d["pages"] for d in manifest["documents"])
    cover_pages = len(reader.pages) - document_pages
    assert cover_pages >= 1
    labels = reader.page_labels
    assert labels[0] == "i"
    assert labels[cover_pages: cover_pages + 2] == ["1-1", "1-2"]
    assert labels[-1] == f"4-{manifest['documents'][-1]['pages']}"
    titles = outline_titles(reader)
    assert titles[0] == "Bìa và danh mục"
    flat = [t for t in str(titles).split("'") if t.strip(" ,[]")]
    for entry in manifest["documents"]:
        assert entry["title"] in flat
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    cover = subprocess.run(["pdftotext", "-l", str(cover_pages), str(path), "-"],
                           check=True, capture_output=True, text=True).stdout
    cover = " ".join(cover.split())
    assert "BỘ TÀI LIỆU CUỘC HỌP" in cover
    assert meeting["meeting"]["title"] in cover
    assert f"Số: {meeting['meeting']['code']}" in cover
    assert "Thời gian:" in cover and "Địa điểm:" in cover


async def test_a_board_pack_is_built_once_per_manifest(
    meeting_id: int, api: Api, client: TestClient, sessions: Any
) -> None:
    await api.as_("daibieu07")
    first, data = await fetch_pack(api, client, meeting_id)
    await api.as_("daibieu08")
    second, again = await fetch_pack(api, client, meeting_id)
    assert (first, data) == (second, again)
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(BoardPack)) == 1


async def test_a_new_version_makes_a_new_pack(
    meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    before, _ = await fetch_pack(api, client, meeting_id)
    _, manifest = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    first = manifest["documents"][0]
    status, _ = await api.upload(f"/api/v1/documents/{first['id']}/versions",
                                 make_pdf(6, "Bản sửa"))
    assert status == 201
    after, data = await fetch_pack(api, client, meeting_id)
    assert after != before
    assert len(PdfReader(io.BytesIO(data)).pages) > 6
    # The old pack's URL no longer answers: its plan is not this caller's any more.
    assert (await client.get(before)).status == 404


async def test_confidential_documents_stay_out_of_the_pack(
    meeting_id: int, api: Api, client: TestClient, tmp_path: Path
) -> None:
    await api.as_("thuky")
    await api.upload_document(meeting_id, make_pdf(2, "Nội dung mật"), "mat.pdf",
                              access="confidential")
    _, data = await fetch_pack(api, client, meeting_id)
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Nội dung mật" not in text


async def test_a_named_document_is_only_in_its_readers_pack(
    meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    named = await api.upload_document(meeting_id, make_pdf(2, "Riêng"), access="named")
    reader = await api.participant_id(meeting_id, "daibieu01")
    await api.call("PUT", f"/api/v1/documents/{named['id']}/readers",
                   {"participant_ids": [reader]})
    await api.as_("daibieu01")
    theirs, with_named = await fetch_pack(api, client, meeting_id)
    await api.as_("daibieu02")
    mine, without = await fetch_pack(api, client, meeting_id)
    assert len(PdfReader(io.BytesIO(with_named)).pages) == len(
        PdfReader(io.BytesIO(without)).pages) + 2
    # daibieu02 cannot fetch daibieu01's pack by its URL.
    assert (await client.get(theirs)).status == 404
    assert (await client.get(mine)).status == 200


async def test_a_meeting_without_documents_has_no_pack(
    meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    _, manifest = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    for entry in manifest["documents"]:
        assert (await api.call("DELETE", f"/api/v1/documents/{entry['id']}"))[0] == 204
    status, body = await api.get(f"/api/v1/meetings/{meeting_id}/board-pack")
    assert (status, body["error"]["code"]) == (409, "nothing_to_pack")


async def test_sub_items_are_nested_under_their_item(
    meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    _, agenda = await api.get(f"/api/v1/meetings/{meeting_id}/agenda")
    parent = agenda["agenda"][0]
    status, body = await api.call("POST", f"/api/v1/meetings/{meeting_id}/agenda",
                                  {"title": "Ý kiến các huyện", "parent_id": parent["id"]})
    assert status == 201, body
    await api.upload_document(meeting_id, make_pdf(1, "Ý kiến"), "y-kien.pdf",
                              title="Tổng hợp ý kiến", agenda_item_id=body["added"])
    _, data = await fetch_pack(api, client, meeting_id)
    titles = outline_titles(PdfReader(io.BytesIO(data)))
    assert titles[1].startswith("1. ")
    nested = titles[2]
    assert any(isinstance(t, list) and "Tổng hợp ý kiến" in t for t in nested) or (
        "Tổng hợp ý kiến" in str(nested))
