"""The file URLs: caching headers, conditional and range requests, nginx hand-off."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from server.settings import Settings

from .conftest import Api, make_pdf, minimal_docx


@pytest.fixture
async def document(meeting_id: int, api: Api) -> dict[str, Any]:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, make_pdf(5), "Báo cáo “tổng hợp”.pdf")
    await api.as_("daibieu03")
    return document


async def test_a_version_is_served_whole_with_immutable_caching(
    document: dict[str, Any], client: TestClient
) -> None:
    response = await client.get(document["url"])
    body = await response.read()
    assert response.status == 200
    assert body == make_pdf(5)
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"]


async def test_the_vietnamese_name_travels_in_filename_star(
    document: dict[str, Any], client: TestClient
) -> None:
    disposition = (await client.get(document["url"])).headers["Content-Disposition"]
    assert disposition == ('inline; filename="Bao cao “tong hop”.pdf"'.replace("“", "_")
                           .replace("”", "_") + "; filename*=UTF-8''"
                           + quote("Báo cáo “tổng hợp”.pdf", safe=""))


async def test_a_repeated_request_gets_304(document: dict[str, Any], client: TestClient) -> None:
    etag = (await client.get(document["url"])).headers["ETag"]
    response = await client.get(document["url"], headers={"If-None-Match": etag})
    assert response.status == 304
    assert await response.read() == b""


async def test_a_single_range_gets_206_with_those_bytes(
    document: dict[str, Any], client: TestClient
) -> None:
    whole = make_pdf(5)
    response = await client.get(document["url"], headers={"Range": "bytes=100-299"})
    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes 100-299/{len(whole)}"
    assert await response.read() == whole[100:300]


async def test_if_range_with_an_older_date_gets_the_whole_file(
    document: dict[str, Any], client: TestClient
) -> None:
    modified = (await client.get(document["url"])).headers["Last-Modified"]
    fresh = await client.get(document["url"], headers={"Range": "bytes=0-9",
                                                        "If-Range": modified})
    stale = await client.get(document["url"], headers={
        "Range": "bytes=0-9", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert (fresh.status, stale.status) == (206, 200)


async def test_if_range_with_the_etag_gets_the_range(
    document: dict[str, Any], client: TestClient
) -> None:
    # aiohttp compares If-Range only as a date; the URL's bytes cannot change (the hash is
    # in it), so answering the range is right for any entity tag a client can hold.
    etag = (await client.get(document["url"])).headers["ETag"]
    response = await client.get(document["url"], headers={"Range": "bytes=0-9",
                                                          "If-Range": etag})
    assert response.status == 206


async def test_a_range_past_the_end_gets_416(document: dict[str, Any], client: TestClient) -> None:
    response = await client.get(document["url"], headers={"Range": "bytes=99999999-"})
    assert response.status == 416


async def test_the_file_name_in_the_url_is_cosmetic(
    document: dict[str, Any], client: TestClient
) -> None:
    url = document["url"].rsplit("/", 1)[0] + "/../../etc/passwd"
    response = await client.get(url)
    assert response.status in (200, 404)
    if response.status == 200:
        assert await response.read() == make_pdf(5)


@pytest.fixture
def accel(settings: Settings) -> Settings:
    object.__setattr__(settings.documents, "accel_redirect", "/_protected/")
    return settings


async def test_with_accel_redirect_nginx_is_told_to_send_the_bytes(
    accel: Settings, meeting_id: int, api: Api, client: TestClient
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, make_pdf(1))
    sha = document["current"]["sha256"]
    await api.as_("daibieu04")
    response = await client.get(document["url"])
    assert response.status == 200
    assert response.headers["X-Accel-Redirect"] == f"/_protected/{sha[:2]}/{sha}"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert await response.read() == b""


async def test_with_accel_redirect_a_stranger_still_gets_404(
    accel: Settings, meeting_id: int, api: Api, client: TestClient, stranger: str
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, make_pdf(1))
    await api.as_(stranger)
    response = await client.get(document["url"])
    assert response.status == 404
    assert "X-Accel-Redirect" not in response.headers


async def test_the_demo_documents_are_served(
    meeting_id: int, api: Api, client: TestClient, store_path: Path
) -> None:
    await api.as_("daibieu05")
    _, manifest = await api.get(f"/api/v1/meetings/{meeting_id}/manifest")
    assert len(manifest["documents"]) == 4
    for entry in manifest["documents"]:
        response = await client.get(entry["url"])
        assert response.status == 200
        assert len(await response.read()) == entry["size"]


def test_a_docx_fixture_is_a_zip_with_a_word_part() -> None:
    # Guards the hand-made .docx the conversion tests rely on.
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(minimal_docx("x"))).namelist()
    assert {"[Content_Types].xml", "word/document.xml"} <= set(names)
