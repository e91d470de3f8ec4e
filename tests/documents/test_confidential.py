"""Confidential documents: only stamped copies, made per reader, never cached."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from server.auth.models import User

from .conftest import Api, make_pdf

ORIGINAL = make_pdf(3, "Phương án nhân sự")


@pytest.fixture
async def secret(meeting_id: int, api: Api) -> dict[str, Any]:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, ORIGINAL, "Phương án nhân sự.pdf",
                                         access="confidential")
    readers = [await api.participant_id(meeting_id, name) for name in ("daibieu01", "daibieu02")]
    status, _ = await api.call("PUT", f"/api/v1/documents/{document['id']}/readers",
                               {"participant_ids": readers})
    assert status == 200
    return document


def page_text(data: bytes, tmp_path: Path, page: int) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


async def test_confidential_copies_carry_the_readers_name(
    secret: dict[str, Any], api: Api, client: TestClient, tmp_path: Path, sessions: Any
) -> None:
    async with sessions() as db:
        await db.execute(update(User).where(User.username == "daibieu01")
                         .values(full_name="Nguyễn Thị Ánh Tuyết"))
        await db.commit()
    await api.as_("daibieu01")
    response = await client.get(secret["url"])
    data = await response.read()
    assert response.status == 200
    for page in (1, 3):
        text = " ".join(page_text(data, tmp_path, page).split())
        assert "Bản của Nguyễn Thị Ánh Tuyết" in text
        assert "(giờ Việt Nam)" in text
        assert "Phương án nhân sự — trang" in text


async def test_the_stamp_names_the_readers_unit_and_the_time_of_download(
    secret: dict[str, Any], api: Api, client: TestClient, tmp_path: Path
) -> None:
    import re

    await api.as_("daibieu01")
    _, me = await api.get("/api/v1/me")
    unit = (me.get("user", me).get("unit") or {}).get("name")
    text = " ".join(page_text(await (await client.get(secret["url"])).read(), tmp_path, 2)
                    .split())
    assert unit and unit in text
    assert re.search(r"tải lúc \d\d:\d\d:\d\d, [^ ]+ [^ ]+ \d\d/\d\d/\d{4}", text), text


async def test_two_readers_never_get_the_same_copy(
    secret: dict[str, Any], api: Api, client: TestClient, tmp_path: Path
) -> None:
    await api.as_("daibieu01")
    first = await (await client.get(secret["url"])).read()
    await api.as_("daibieu02")
    second = await (await client.get(secret["url"])).read()
    assert first != second
    assert "Bản của Daibieu02" not in page_text(first, tmp_path, 1)


async def test_a_stamped_copy_is_not_cached_and_has_no_etag_or_ranges(
    secret: dict[str, Any], api: Api, client: TestClient
) -> None:
    await api.as_("daibieu01")
    response = await client.get(secret["url"], headers={"Range": "bytes=0-99"})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert "Accept-Ranges" not in response.headers


async def test_the_original_bytes_are_served_to_no_one(
    secret: dict[str, Any], api: Api, client: TestClient, store_path: Path
) -> None:
    import hashlib

    sha = hashlib.sha256(ORIGINAL).hexdigest()
    for username in ("thuky", "admin", "daibieu01"):
        await api.as_(username)
        _, body = await api.get(f"/api/v1/documents/{secret['id']}")
        assert body["document"]["current"]["sha256"] is None
        assert body["document"]["current"]["url"] is None
        assert (await client.get(f"/files/{secret['id']}/{sha}/x.pdf")).status == 404
        stamped = await (await client.get(secret["url"])).read()
        assert stamped != ORIGINAL


async def test_the_manifest_marks_confidential_documents_view_only(
    secret: dict[str, Any], meeting_id: int, api: Api
) -> None:
    await api.as_("daibieu02")
    _, manifest = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    entry = next(d for d in manifest["documents"] if d["id"] == secret["id"])
    assert entry | {"id": 0, "agenda_item_id": 0} == {
        "id": 0, "title": "Phương án nhân sự", "agenda_item_id": 0, "agenda_number": None,
        "access": "confidential", "view_only": True, "version": 1,
        "filename": "Phương án nhân sự.pdf", "sha256": None, "size": None, "pages": 3,
        "url": secret["url"]}
    assert "/stamped/" in entry["url"]


async def test_the_stamped_url_of_an_ordinary_document_gets_404(
    meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id)
    assert (await client.get(f"/files/{document['id']}/stamped/x.pdf")).status == 404


async def test_a_rotated_landscape_page_is_stamped_too(
    meeting_id: int, api: Api, client: TestClient, tmp_path: Path
) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(2, size=(842, 595)))))
    writer.pages[1].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, out.getvalue(), access="confidential")
    data = await (await client.get(document["url"])).read()
    assert "Bản của" in " ".join(page_text(data, tmp_path, 2).split())
