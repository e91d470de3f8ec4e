"""Uploading documents and new versions: what is stored, and who may do it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .conftest import Api, count_rows, make_pdf, store_files


async def test_a_secretary_uploads_a_pdf_and_it_is_stored_under_its_hash(
    meeting_id: int, api: Api, store_path: Path
) -> None:
    await api.as_("thuky")
    data = make_pdf(3)
    document = await api.upload_document(meeting_id, data, "Báo cáo quý IV.pdf",
                                         title="Báo cáo quý IV năm 2026")
    digest = hashlib.sha256(data).hexdigest()
    assert document["title"] == "Báo cáo quý IV năm 2026"
    assert document["current"] | {"created_at": None} == {
        "number": 1, "filename": "Báo cáo quý IV.pdf", "sha256": digest, "size": len(data),
        "pages": 3, "source_filename": None, "created_at": None,
        "url": document["url"], "source_url": None}
    assert (store_path / digest[:2] / digest).read_bytes() == data
    assert not list((store_path / ".incoming").iterdir())


async def test_the_title_defaults_to_the_file_name(meeting_id: int, api: Api) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, filename="Tờ trình số 5.pdf")
    assert document["title"] == "Tờ trình số 5"


async def test_a_document_is_attached_to_an_agenda_item_with_its_access(
    meeting_id: int, api: Api
) -> None:
    await api.as_("thuky")
    _, agenda = await api.get(f"/api/v1/meetings/{meeting_id}/agenda")
    item = agenda["agenda"][1]["id"]
    document = await api.upload_document(meeting_id, agenda_item_id=item, access="named")
    assert (document["agenda_item_id"], document["access"]) == (item, "named")


async def test_identical_uploads_share_one_stored_file(
    meeting_id: int, api: Api, store_path: Path
) -> None:
    await api.as_("thuky")
    before = store_files(store_path)
    data = make_pdf(1, "Giống nhau")
    first = await api.upload_document(meeting_id, data, "a.pdf")
    second = await api.upload_document(meeting_id, data, "b.pdf")
    assert first["id"] != second["id"]
    assert len(store_files(store_path) - before) == 1


async def test_a_new_version_keeps_the_earlier_one_readable(
    meeting_id: int, api: Api, client: Any
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, make_pdf(1, "Bản đầu"))
    status, body = await api.upload(f"/api/v1/documents/{document['id']}/versions",
                                    make_pdf(2, "Bản sửa"), "ban-sua.pdf")
    assert status == 201, body
    versions = body["document"]["versions"]
    assert [(v["number"], v["pages"]) for v in versions] == [(1, 1), (2, 2)]
    assert body["document"]["current"]["number"] == 2
    for version in versions:
        assert (await client.get(version["url"])).status == 200


async def test_uploads_larger_than_the_general_body_limit_are_accepted(
    meeting_id: int, api: Api
) -> None:
    # The app refuses other bodies over server.max_body_mb (2 MB); uploads stream past it.
    await api.as_("thuky")
    data = make_pdf(1, padding=3 * 1024 * 1024)
    document = await api.upload_document(meeting_id, data)
    assert document["current"]["size"] == len(data) > 3 * 1024 * 1024


async def test_only_editors_upload(
    meeting_id: int, api: Api, stranger: str, sessions: Any
) -> None:
    before = await count_rows(sessions)
    path = f"/api/v1/meetings/{meeting_id}/documents"
    await api.as_("daibieu01")
    status, body = await api.upload(path, make_pdf())
    assert (status, body["error"]["code"]) == (403, "forbidden")
    await api.as_("chutoa")
    assert (await api.upload(path, make_pdf()))[0] == 403
    await api.as_(stranger)
    assert (await api.upload(path, make_pdf()))[0] == 404
    assert await count_rows(sessions) == before
    await api.as_("admin")
    assert (await api.upload(path, make_pdf()))[0] == 201


async def test_signed_out_callers_get_401(meeting_id: int, api: Api) -> None:
    status, _ = await api.upload(f"/api/v1/meetings/{meeting_id}/documents", make_pdf())
    assert status == 401


async def test_a_delegate_may_not_add_a_version(meeting_id: int, api: Api) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id)
    await api.as_("daibieu02")
    status, _ = await api.upload(f"/api/v1/documents/{document['id']}/versions", make_pdf())
    assert status == 403


async def test_an_ended_meetings_documents_stay_as_they_were(
    meeting_id: int, api: Api
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id)
    for status in ("live", "ended"):
        assert (await api.call("POST", f"/api/v1/meetings/{meeting_id}/status",
                               {"status": status}))[0] == 200
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents", make_pdf())
    assert (status, body["error"]["code"]) == (409, "meeting_frozen")
    status, _ = await api.upload(f"/api/v1/documents/{document['id']}/versions", make_pdf())
    assert status == 409


def test_what_a_crash_left_in_incoming_is_swept_on_the_first_upload(tmp_path: Path) -> None:
    import os
    import time

    from server.documents.store import DocumentStore

    store = DocumentStore(tmp_path / "store")
    store.incoming.mkdir(parents=True)
    old_file, old_folder = store.incoming / "upload-old", store.incoming / "convert-old"
    old_file.write_bytes(b"half")
    (old_folder / "out").mkdir(parents=True)
    fresh = store.incoming / "upload-fresh"
    fresh.write_bytes(b"in progress")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (old_file, old_folder):
        os.utime(path, (two_days_ago, two_days_ago))
    created = store.new_incoming()
    assert sorted(p.name for p in store.incoming.iterdir()) == sorted(
        [created.name, "upload-fresh"])
