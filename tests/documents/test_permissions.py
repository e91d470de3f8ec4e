"""Who reads and who changes a document, through the HTTP API and the file URLs.

The cast of the demo meeting: thuky (its secretary, an editor), admin (edits every
meeting without taking part), chutoa (the chair, a participant), daibieu01 (named
on the named and confidential documents), daibieu02 (a participant not named),
and a stranger from outside the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from .conftest import Api, make_pdf


@dataclass
class Papers:
    meeting: dict[str, Any]
    named: dict[str, Any]
    confidential: dict[str, Any]


@pytest.fixture
async def papers(meeting_id: int, api: Api) -> Papers:
    await api.as_("thuky")
    documents = {}
    for access in ("meeting", "named", "confidential"):
        documents[access] = await api.upload_document(
            meeting_id, make_pdf(1, f"Tài liệu {access}"), f"{access}.pdf", access=access)
    reader = await api.participant_id(meeting_id, "daibieu01")
    for access in ("named", "confidential"):
        status, _ = await api.call("PUT", f"/api/v1/documents/{documents[access]['id']}/readers",
                                   {"participant_ids": [reader]})
        assert status == 200
    return Papers(documents["meeting"], documents["named"], documents["confidential"])


async def reads(api: Api, client: TestClient, document: dict[str, Any]) -> tuple[int, int]:
    """(status of the API answer, status of the file URL)."""
    status, _ = await api.get(f"/api/v1/documents/{document['id']}")
    file_status = (await client.get(document["url"])).status
    return status, file_status


async def in_manifest(api: Api, meeting_id: int) -> set[int]:
    _, body = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    return {d["id"] for d in body["documents"]}


@pytest.mark.parametrize("username, meeting, named, confidential", [
    ("thuky", 200, 200, 200),
    ("admin", 200, 200, 200),
    ("chutoa", 200, 404, 404),
    ("daibieu01", 200, 200, 200),
    ("daibieu02", 200, 404, 404),
    ("nguoila", 404, 404, 404),
])
async def test_who_reads_each_kind_of_document(
    meeting_id: int, papers: Papers, api: Api, client: TestClient, stranger: str,
    username: str, meeting: int, named: int, confidential: int,
) -> None:
    await api.as_(username)
    assert await reads(api, client, papers.meeting) == (meeting, meeting)
    assert await reads(api, client, papers.named) == (named, named)
    assert await reads(api, client, papers.confidential) == (confidential, confidential)


async def test_the_manifest_lists_only_what_the_caller_may_read(
    meeting_id: int, papers: Papers, api: Api
) -> None:
    await api.as_("daibieu02")
    listed = await in_manifest(api, meeting_id)
    assert papers.meeting["id"] in listed
    assert not {papers.named["id"], papers.confidential["id"]} & listed
    await api.as_("daibieu01")
    assert {papers.named["id"], papers.confidential["id"]} <= await in_manifest(api, meeting_id)


async def test_a_stranger_gets_404_for_the_file_url(
    meeting_id: int, papers: Papers, api: Api, client: TestClient, stranger: str
) -> None:
    await api.as_(stranger)
    for url in (papers.meeting["url"], papers.confidential["url"],
                f"/api/v1/meetings/{meeting_id}/manifest",
                f"/api/v1/meetings/{meeting_id}/board-pack"):
        response = await client.get(url, allow_redirects=False)
        assert response.status == 404, url


async def test_a_stranger_sees_the_same_404_as_for_a_document_that_does_not_exist(
    meeting_id: int, papers: Papers, api: Api, stranger: str
) -> None:
    await api.as_(stranger)
    assert await api.get(f"/api/v1/documents/{papers.meeting['id']}") == await api.get(
        "/api/v1/documents/987654")


async def test_a_participant_not_named_cannot_tell_a_named_document_exists(
    meeting_id: int, papers: Papers, api: Api
) -> None:
    await api.as_("daibieu02")
    assert await api.get(f"/api/v1/documents/{papers.named['id']}") == await api.get(
        "/api/v1/documents/987654")
    status, _ = await api.call("PATCH", f"/api/v1/documents/{papers.named['id']}",
                               {"title": "x"})
    assert status == 404


async def test_the_hash_of_another_document_gets_404(
    meeting_id: int, papers: Papers, api: Api, client: TestClient
) -> None:
    await api.as_("daibieu02")
    other = papers.named["current"]["sha256"] or ""
    url = f"/files/{papers.meeting['id']}/{other}/named.pdf"
    assert (await client.get(url)).status == 404
    assert (await client.get(f"/files/{papers.meeting['id']}/{'0' * 64}/x.pdf")).status == 404


async def test_signed_out_callers_get_401_for_files(
    meeting_id: int, papers: Papers, client: TestClient
) -> None:
    client.session.cookie_jar.clear()
    assert (await client.get(papers.meeting["url"])).status == 401


async def test_only_editors_change_documents(
    meeting_id: int, papers: Papers, api: Api, stranger: str
) -> None:
    document = papers.meeting["id"]
    writes = [("PATCH", f"/api/v1/documents/{document}", {"title": "Đổi tên"}),
              ("PUT", f"/api/v1/documents/{document}/readers", {"participant_ids": []}),
              ("DELETE", f"/api/v1/documents/{document}", None)]
    for username, expected in (("daibieu01", 403), ("chutoa", 403), (stranger, 404)):
        await api.as_(username)
        for method, path, body in writes:
            status, _ = await api.call(method, path, body)
            assert status == expected, (username, method, path)


async def test_an_admin_edits_documents_of_any_meeting(
    meeting_id: int, papers: Papers, api: Api
) -> None:
    await api.as_("admin")
    status, body = await api.call("PATCH", f"/api/v1/documents/{papers.meeting['id']}",
                                  {"title": "Tên mới", "access": "named", "position": 7})
    assert status == 200, body
    assert (body["document"]["title"], body["document"]["access"],
            body["document"]["position"]) == ("Tên mới", "named", 7)


async def test_the_secretary_moves_a_document_to_another_agenda_item_and_deletes_it(
    meeting_id: int, papers: Papers, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    _, agenda = await api.get(f"/api/v1/meetings/{meeting_id}/agenda")
    item = agenda["agenda"][2]["id"]
    document = papers.meeting["id"]
    status, body = await api.call("PATCH", f"/api/v1/documents/{document}",
                                  {"agenda_item_id": item})
    assert (status, body["document"]["agenda_item_id"]) == (200, item)
    status, body = await api.call("PATCH", f"/api/v1/documents/{document}",
                                  {"agenda_item_id": None})
    assert (status, body["document"]["agenda_item_id"]) == (200, None)
    assert (await api.call("DELETE", f"/api/v1/documents/{document}"))[0] == 204
    assert (await api.get(f"/api/v1/documents/{document}"))[0] == 404
    assert (await client.get(papers.meeting["url"])).status == 404


async def test_readers_must_be_participants_of_the_same_meeting(
    meeting_id: int, papers: Papers, api: Api
) -> None:
    await api.as_("thuky")
    path = f"/api/v1/documents/{papers.named['id']}/readers"
    status, body = await api.call("PUT", path, {"participant_ids": [999999]})
    assert (status, body["error"]["code"]) == (400, "reader_not_participant")
    assert "999999" in body["error"]["message"]
    for bad in ([0], ["1"], [True], "1", None):
        status, body = await api.call("PUT", path, {"participant_ids": bad})
        assert (status, body["error"]["code"]) == (400, "invalid_field"), bad
    _, document = await api.get(f"/api/v1/documents/{papers.named['id']}")
    assert len(document["document"]["readers"]) == 1


async def test_only_editors_see_who_the_readers_are(
    meeting_id: int, papers: Papers, api: Api
) -> None:
    await api.as_("daibieu01")
    _, body = await api.get(f"/api/v1/documents/{papers.named['id']}")
    assert "readers" not in body["document"]


async def test_a_named_reader_loses_access_when_taken_off_the_list(
    meeting_id: int, papers: Papers, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    await api.call("PUT", f"/api/v1/documents/{papers.named['id']}/readers",
                   {"participant_ids": []})
    await api.as_("daibieu01")
    assert await reads(api, client, papers.named) == (404, 404)


async def test_making_a_document_named_hides_it_from_the_others(
    meeting_id: int, papers: Papers, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    await api.call("PATCH", f"/api/v1/documents/{papers.meeting['id']}", {"access": "named"})
    await api.as_("daibieu02")
    assert await reads(api, client, papers.meeting) == (404, 404)


@pytest.mark.parametrize("body", [
    {"title": ""}, {"title": 5}, {"access": "public"}, {"position": 0},
    {"agenda_item_id": "2"}, {"agenda_item_id": 999999},
])
async def test_bad_changes_are_refused(
    meeting_id: int, papers: Papers, api: Api, body: dict[str, Any]
) -> None:
    await api.as_("thuky")
    status, answer = await api.call("PATCH", f"/api/v1/documents/{papers.meeting['id']}", body)
    assert status == 400, answer
    _, after = await api.get(f"/api/v1/documents/{papers.meeting['id']}")
    assert after["document"]["title"] == papers.meeting["title"]


@pytest.mark.parametrize("path", ["/api/v1/documents/0", "/api/v1/documents/abc",
                                  "/api/v1/documents/-3", "/api/v1/documents/99999999999999999999",
                                  "/files/0/" + "a" * 64 + "/x.pdf", "/files/1/short/x.pdf",
                                  "/api/v1/meetings/0/manifest", "/api/v1/meetings/x/board-pack"])
async def test_malformed_ids_get_404(
    meeting_id: int, api: Api, client: TestClient, path: str
) -> None:
    await api.as_("thuky")
    # File URLs are opened by browsers, which get the HTML error page.
    assert (await client.get(path, headers={"Accept": "application/json"})).status == 404
    if path.startswith("/api/"):
        assert (await api.get(path))[1]["error"]["code"] == "not_found"
