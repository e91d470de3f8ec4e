"""Annotations: private by default, shared on purpose, taken in once however often a
tablet sends them, refused on pages that do not exist, carried to a new version."""

from __future__ import annotations

import re
import subprocess
import uuid
from typing import Any

from tests.documents.conftest import Api, make_pdf
from tests.realtime.conftest import Tablets, eventually


def note(document: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"uid": str(uuid.uuid4()), "document_id": document["id"], "version": 1, "page": 1,
            "kind": "note", "data": {"x": 72, "y": 700, "text": "Đề nghị làm rõ số liệu"},
            **fields}


async def sync(api: Api, meeting_id: int, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    status, body = await api.call("POST", f"/api/v1/meetings/{meeting_id}/annotations/sync",
                                  {"changes": list(changes)})
    assert status == 200, body
    return body["results"]


async def visible(api: Api, meeting_id: int) -> list[dict[str, Any]]:
    status, body = await api.get(f"/api/v1/meetings/{meeting_id}/annotations")
    assert status == 200, body
    return body["annotations"]


async def upload(api: Api, meeting_id: int, pages: int = 3, **fields: Any) -> dict[str, Any]:
    await api.as_("thuky")
    return await api.upload_document(meeting_id, make_pdf(pages), **fields)


async def test_a_note_is_private_unless_shared(api: Api, meeting_id: int) -> None:
    document = await upload(api, meeting_id)
    await api.as_("daibieu01")
    private = note(document)
    shared = note(document, visibility="meeting", data={"x": 1, "y": 2, "text": "Chung"})
    await sync(api, meeting_id, private, shared)
    await api.as_("daibieu02")
    seen = {a["uid"] for a in await visible(api, meeting_id)}
    assert seen == {shared["uid"]}


async def test_a_note_shared_with_named_people_reaches_only_them(
    api: Api, meeting_id: int
) -> None:
    document = await upload(api, meeting_id)
    named = await api.participant_id(meeting_id, "daibieu02")
    await api.as_("daibieu01")
    await sync(api, meeting_id, note(document, visibility="named", readers=[named]))
    await api.as_("daibieu02")
    assert len(await visible(api, meeting_id)) == 1
    await api.as_("daibieu03")
    assert await visible(api, meeting_id) == []


async def test_sharing_never_opens_a_document_to_someone_it_is_closed_to(
    api: Api, meeting_id: int
) -> None:
    reader = await api.as_("thuky") and await api.participant_id(meeting_id, "daibieu01")
    document = await upload(api, meeting_id, access="named")
    status, _ = await api.call("PUT", f"/api/v1/documents/{document['id']}/readers",
                              {"participant_ids": [reader]})
    assert status == 200
    await api.as_("daibieu01")
    await sync(api, meeting_id, note(document, visibility="meeting"))
    await api.as_("daibieu02")
    assert await visible(api, meeting_id) == []


async def test_a_batch_sent_twice_is_stored_once(api: Api, meeting_id: int) -> None:
    document = await upload(api, meeting_id)
    await api.as_("daibieu01")
    change = note(document)
    first, again = await sync(api, meeting_id, change), await sync(api, meeting_id, change)
    assert first[0]["annotation"]["id"] == again[0]["annotation"]["id"]
    assert len(await visible(api, meeting_id)) == 1


async def test_each_bad_change_is_refused_alone(api: Api, meeting_id: int) -> None:
    document = await upload(api, meeting_id, pages=3)
    await api.as_("daibieu01")
    good = note(document)
    results = await sync(
        api, meeting_id, good, note(document, page=4), note(document, uid="khong-phai-uuid"),
        note(document, kind="ink", data={"strokes": [[[1e9, 0]]]}),
        note(document, document_id=999_999), note(document, version=2))
    codes = [r.get("error", {}).get("code") for r in results]
    assert codes == [None, "page_out_of_range", "invalid_field", "invalid_field",
                     "unknown_document", "unknown_document"]
    assert results[1]["error"]["message"] == "Tài liệu này chỉ có trang 1 đến 3."
    assert [a["uid"] for a in await visible(api, meeting_id)] == [good["uid"]]


async def test_a_stranger_cannot_annotate_or_read_notes(
    api: Api, meeting_id: int, make_user: Any
) -> None:
    document = await upload(api, meeting_id)
    await make_user("nguoila", password="demo")
    await api.as_("nguoila")
    status, _ = await api.call("POST", f"/api/v1/meetings/{meeting_id}/annotations/sync",
                               {"changes": [note(document)]})
    assert status == 404
    assert (await api.get(f"/api/v1/meetings/{meeting_id}/annotations"))[0] == 404


async def test_one_user_cannot_overwrite_anothers_note_with_its_uid(
    api: Api, meeting_id: int
) -> None:
    document = await upload(api, meeting_id)
    await api.as_("daibieu01")
    change = note(document, visibility="meeting")
    await sync(api, meeting_id, change)
    await api.as_("daibieu02")
    await sync(api, meeting_id, {**change, "data": {"x": 1, "y": 1, "text": "Sửa trộm"}})
    texts = sorted(a["data"]["text"] for a in await visible(api, meeting_id))
    assert texts == ["Sửa trộm", "Đề nghị làm rõ số liệu"]


async def test_a_deleted_note_disappears_from_every_device(
    api: Api, meeting_id: int, tablets: Tablets
) -> None:
    document = await upload(api, meeting_id)
    other_device = await tablets("daibieu01")
    await api.as_("daibieu01")
    change = note(document)
    await sync(api, meeting_id, change)
    await sync(api, meeting_id, {**change, "deleted": True})
    await eventually(lambda: len(other_device.annotations) == 2)
    assert other_device.annotations[-1]["annotation"]["deleted"] is True
    assert await visible(api, meeting_id) == []


async def test_a_shared_note_reaches_the_others_tablets_and_unsharing_takes_it_back(
    api: Api, meeting_id: int, tablets: Tablets
) -> None:
    document = await upload(api, meeting_id)
    neighbour = await tablets("daibieu02")
    await api.as_("daibieu01")
    change = note(document, visibility="meeting")
    await sync(api, meeting_id, change)
    await eventually(lambda: neighbour.annotations)
    assert neighbour.annotations[0]["annotation"]["data"]["text"] == "Đề nghị làm rõ số liệu"
    await sync(api, meeting_id, {**change, "visibility": "private"})
    await eventually(lambda: len(neighbour.annotations) == 2)
    assert neighbour.annotations[1]["annotation"]["deleted"] is True


async def test_notes_follow_a_new_version_where_the_page_still_exists(
    api: Api, meeting_id: int
) -> None:
    document = await upload(api, meeting_id, pages=3)
    await api.as_("daibieu01")
    await sync(api, meeting_id, note(document, page=1), note(document, page=3))
    await api.as_("thuky")
    status, _ = await api.upload(f"/api/v1/documents/{document['id']}/versions", make_pdf(2))
    assert status == 201
    await api.as_("daibieu01")
    mine = await visible(api, meeting_id)
    assert sorted((a["version"], a["page"]) for a in mine) == [(1, 1), (1, 3), (2, 1)]
    carried = next(a for a in mine if a["version"] == 2)
    assert carried["carried_from_id"] is not None


async def test_my_annotated_copy_carries_my_notes_only(
    api: Api, meeting_id: int, tmp_path: Any
) -> None:
    document = await upload(api, meeting_id)
    await api.as_("daibieu02")
    await sync(api, meeting_id, note(document, data={"x": 1, "y": 1, "text": "Của người khác"},
                                     visibility="meeting"))
    await api.as_("daibieu01")
    await sync(api, meeting_id, note(document))
    response = await api.client.get(f"/api/v1/documents/{document['id']}/annotated.pdf")
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "copy.pdf"
    path.write_bytes(await response.read())
    from pypdf import PdfReader

    contents = [a.get_object().get("/Contents") for page in PdfReader(path).pages
                for a in page.get("/Annots", [])]
    assert contents == ["Đề nghị làm rõ số liệu"]
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+3$", info.stdout, re.MULTILINE)


async def test_a_confidential_document_has_no_annotated_copy(
    api: Api, meeting_id: int
) -> None:
    reader = await api.as_("thuky") and await api.participant_id(meeting_id, "daibieu01")
    document = await upload(api, meeting_id, access="confidential")
    await api.call("PUT", f"/api/v1/documents/{document['id']}/readers",
                   {"participant_ids": [reader]})
    await api.as_("daibieu01")
    response = await api.client.get(f"/api/v1/documents/{document['id']}/annotated.pdf")
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "view_only"
