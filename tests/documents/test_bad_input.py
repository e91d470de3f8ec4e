"""Bad uploads get a clear refusal in the user's language, and leave no trace.

After each refusal the store holds exactly the files it held before (no new
file, no temporary file) and the database the same rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.settings import Settings

from .conftest import (
    PNG,
    Api,
    count_rows,
    encrypted_pdf,
    make_pdf,
    plain_zip,
    raw_request,
    store_files,
    zero_page_pdf,
)


@pytest.fixture
async def unchanged(
    meeting_id: int, api: Api, store_path: Path, sessions: Any
) -> AsyncIterator[None]:
    """Signs in as the secretary; after the test, the store and the rows are as before."""
    await api.as_("thuky")
    files, rows = store_files(store_path), await count_rows(sessions)
    yield
    assert store_files(store_path) == files
    assert await count_rows(sessions) == rows


async def refused(api: Api, meeting_id: int, data: bytes, filename: str) -> tuple[int, str, str]:
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents", data, filename)
    return status, body["error"]["code"], body["error"]["message"]


async def test_a_zip_renamed_docx_is_refused_and_nothing_is_stored(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    status, code, message = await refused(api, meeting_id, plain_zip(), "Tờ trình.docx")
    assert (status, code) == (415, "file_type_mismatch")
    assert message == ("Tên tệp có đuôi .docx nhưng nội dung là một tệp nén zip, không phải tài "
                       "liệu Office. Hãy kiểm tra lại và chọn đúng tệp.")


async def test_an_image_renamed_pdf_is_refused_and_nothing_is_stored(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    status, code, message = await refused(api, meeting_id, PNG, "anh-chup.pdf")
    assert (status, code) == (415, "file_type_mismatch")
    assert "một ảnh" in message


async def test_an_image_is_refused_whatever_its_name(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    assert (await refused(api, meeting_id, PNG, "anh.png"))[:2] == (415, "unsupported_file_type")


async def test_a_pdf_named_docx_is_refused_as_a_mismatch(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    assert (await refused(api, meeting_id, make_pdf(), "bao-cao.docx"))[:2] == (
        415, "file_type_mismatch")


async def test_an_empty_file_is_refused(meeting_id: int, api: Api, unchanged: None) -> None:
    status, code, message = await refused(api, meeting_id, b"", "rong.pdf")
    assert (status, code) == (422, "empty_file")
    assert message == "Tệp rỗng (0 byte). Hãy chọn đúng tệp tài liệu."


async def test_an_encrypted_pdf_is_refused(meeting_id: int, api: Api, unchanged: None) -> None:
    assert (await refused(api, meeting_id, encrypted_pdf(), "mat.pdf"))[:2] == (
        422, "encrypted_file")


async def test_a_truncated_pdf_is_refused_as_damaged(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    data = make_pdf(4)
    assert (await refused(api, meeting_id, data[: len(data) // 2], "cut.pdf"))[:2] == (
        422, "damaged_file")


async def test_a_pdf_with_garbage_inside_is_refused_as_damaged(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    data = b"%PDF-1.7\n" + b"\x00garbage " * 500 + b"\n%%EOF\n"
    assert (await refused(api, meeting_id, data, "rac.pdf"))[:2] == (422, "damaged_file")


async def test_a_pdf_without_pages_is_refused(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    assert (await refused(api, meeting_id, zero_page_pdf(), "trong.pdf"))[:2] == (
        422, "no_pages")


async def test_the_refusal_is_in_english_for_an_english_reader(
    meeting_id: int, api: Api, client: TestClient, unchanged: None
) -> None:
    client.session.cookie_jar.update_cookies({"lang": "en"})
    _, _, message = await refused(api, meeting_id, b"", "empty.pdf")
    assert message == "The file is empty (0 bytes). Choose the right document file."


@pytest.fixture
def small_limit(settings: Settings) -> Settings:
    # One megabyte, so that going over it is quick; the app is built from these settings.
    object.__setattr__(settings.documents, "max_upload_mb", 1)
    return settings


async def test_a_chunked_upload_over_the_limit_is_refused_as_it_arrives(
    small_limit: Settings, meeting_id: int, api: Api, client: TestClient, unchanged: None
) -> None:
    # No Content-Length at all: only counting the bytes can stop it.
    boundary = "ranh-gioi"

    async def body() -> AsyncIterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"lon.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        yield b"%PDF-1.7\n"
        for _ in range(40):
            yield b"0" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        f"/api/v1/meetings/{meeting_id}/documents", data=body(),
        headers={**api.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    answer = await response.json()
    assert (response.status, answer["error"]["code"]) == (413, "upload_too_large")
    assert "1 MB" in answer["error"]["message"]


async def test_a_content_length_over_the_limit_is_refused_before_the_body(
    small_limit: Settings, meeting_id: int, api: Api, client: TestClient, unchanged: None
) -> None:
    head = (f"POST /api/v1/meetings/{meeting_id}/documents HTTP/1.1\nHost: localhost\n"
            f"Cookie: phonghop_session={api.session_cookie()}\nX-CSRF-Token: {api.csrf}\n"
            "Content-Type: multipart/form-data; boundary=x\nContent-Length: 50000000\n"
            "Connection: close\n")
    answer = await raw_request(client, head)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"upload_too_large" in answer


async def test_a_false_content_length_gets_no_more_bytes_in(
    small_limit: Settings, meeting_id: int, api: Api, client: TestClient, unchanged: None
) -> None:
    # It claims a small body and sends a large one: the server reads only what was
    # declared, finds the multipart cut short (or the HTTP parser the bytes after it)
    # and refuses it.
    boundary = "x"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"lon.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /api/v1/meetings/{meeting_id}/documents HTTP/1.1\nHost: localhost\n"
            f"Cookie: phonghop_session={api.session_cookie()}\nX-CSRF-Token: {api.csrf}\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\nContent-Length: 4000\n"
            "Connection: close\n")
    answer = await raw_request(client, head, [body])
    assert answer[:12] in (b"HTTP/1.1 400", b"HTTP/1.0 400"), answer[:200]


async def test_a_body_cut_short_is_refused_as_malformed(
    meeting_id: int, api: Api, client: TestClient, unchanged: None
) -> None:
    # Exactly the declared bytes arrive, but the multipart ends in the middle of the file.
    body = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + make_pdf(2))[:3000]
    head = (f"POST /api/v1/meetings/{meeting_id}/documents HTTP/1.1\nHost: localhost\n"
            f"Cookie: phonghop_session={api.session_cookie()}\nX-CSRF-Token: {api.csrf}\n"
            f"Content-Type: multipart/form-data; boundary=x\nContent-Length: {len(body)}\n"
            "Connection: close\n")
    answer = await raw_request(client, head, [body])
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"upload_malformed" in answer


async def test_a_form_without_a_file_is_refused(
    meeting_id: int, api: Api, client: TestClient, unchanged: None
) -> None:
    response = await client.post(f"/api/v1/meetings/{meeting_id}/documents",
                                 data={"title": "Không có tệp"}, headers=api.headers)
    assert (await response.json())["error"]["code"] in ("upload_no_file", "upload_malformed")
    assert response.status == 400


async def test_a_json_body_is_not_an_upload(
    meeting_id: int, api: Api, unchanged: None
) -> None:
    status, body = await api.call("POST", f"/api/v1/meetings/{meeting_id}/documents",
                                  {"title": "x"})
    assert (status, body["error"]["code"]) == (400, "upload_malformed")


@pytest.mark.parametrize("fields, field", [
    ({"agenda_item_id": "abc"}, "agenda_item_id"),
    ({"agenda_item_id": "999999"}, None),
    ({"access": "everyone"}, "access"),
    ({"title": "T" * 501}, "title"),
])
async def test_bad_form_fields_are_refused_and_nothing_is_stored(
    meeting_id: int, api: Api, unchanged: None, fields: dict[str, str], field: str | None
) -> None:
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents", make_pdf(),
                                    **fields)
    assert status == 400, body
    if field:
        assert field in body["error"]["message"]


async def test_an_agenda_item_of_another_meeting_is_refused(
    meeting_id: int, api: Api, store_path: Path, sessions: Any
) -> None:
    await api.as_("thuky")
    status, copy = await api.call("POST", f"/api/v1/meetings/{meeting_id}/copy",
                                  {"starts_at": "2026-12-07T08:00:00+07:00"})
    assert status == 201, copy
    _, agenda = await api.get(f"/api/v1/meetings/{copy['meeting']['id']}/agenda")
    files, rows = store_files(store_path), await count_rows(sessions)
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents", make_pdf(),
                                    agenda_item_id=agenda["agenda"][0]["id"])
    assert (status, body["error"]["code"]) == (400, "unknown_reference")
    assert (store_files(store_path), await count_rows(sessions)) == (files, rows)


@pytest.mark.parametrize("path", [
    "/api/v1/meetings/0/documents", "/api/v1/meetings/-1/documents",
    "/api/v1/meetings/abc/documents", "/api/v1/meetings/99999999/documents",
    "/api/v1/meetings/1e3/documents", "/api/v1/documents/0/versions",
    "/api/v1/documents/99999999/versions", "/api/v1/documents/%F0%9F%98%80/versions",
])
async def test_unknown_or_malformed_ids_get_404(
    meeting_id: int, api: Api, path: str, unchanged: None
) -> None:
    status, body = await api.upload(path, make_pdf())
    assert (status, body["error"]["code"]) == (404, "not_found")
