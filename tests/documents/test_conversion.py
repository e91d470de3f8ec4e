"""Office files: converted with LibreOffice when it is there, refused clearly when not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from server.settings import Settings

from .conftest import Api, count_rows, minimal_docx, minimal_odt, store_files


@pytest.fixture
def soffice() -> str:
    """LibreOffice, which the set-up installs (scripts/system-deps): its absence is a fault."""
    path = shutil.which("soffice")
    if path is None:
        pytest.fail("LibreOffice (soffice) is missing: run `make system-deps` "
                    "or apt-get install libreoffice-writer-nogui")
    return path


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "converted.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


async def test_a_docx_is_converted_to_pdf_and_the_original_kept(
    soffice: str, meeting_id: int, api: Api, client: TestClient, tmp_path: Path, store_path: Path
) -> None:
    await api.as_("thuky")
    original = minimal_docx("Tờ trình về kế hoạch đầu tư công năm 2027")
    document = await api.upload_document(meeting_id, original, "Tờ trình KH đầu tư.docx")
    current = document["current"]
    assert (current["filename"], current["source_filename"]) == (
        "Tờ trình KH đầu tư.pdf", "Tờ trình KH đầu tư.docx")
    assert current["pages"] == 1
    served = await (await client.get(current["url"])).read()
    assert served.startswith(b"%PDF-")
    assert "Tờ trình về kế hoạch đầu tư công năm 2027" in pdf_text(served, tmp_path)
    source = await client.get(current["source_url"])
    assert await source.read() == original
    assert source.headers["Content-Disposition"].startswith("attachment;")
    assert not list((store_path / ".incoming").iterdir())


async def test_an_odt_is_converted_too(
    soffice: str, meeting_id: int, api: Api, client: TestClient, tmp_path: Path
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, minimal_odt("Đề án chuyển đổi số"),
                                         "de-an.odt")
    served = await (await client.get(document["url"])).read()
    assert "Đề án chuyển đổi số" in pdf_text(served, tmp_path)


@pytest.fixture
def no_converter(settings: Settings) -> Settings:
    object.__setattr__(settings.documents, "soffice", "khong-co-soffice-o-day")
    return settings


async def test_without_a_converter_office_files_are_refused_with_advice(
    no_converter: Settings, meeting_id: int, api: Api, store_path: Path, sessions: Any
) -> None:
    await api.as_("thuky")
    files, rows = store_files(store_path), await count_rows(sessions)
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents",
                                    minimal_docx("x"), "to-trinh.docx")
    assert (status, body["error"]["code"]) == (415, "converter_missing")
    assert "chuyển tệp sang PDF" in body["error"]["message"]
    assert (store_files(store_path), await count_rows(sessions)) == (files, rows)


@pytest.fixture
def fake_soffice(settings: Settings, tmp_path: Path) -> Path:
    script = tmp_path / "soffice"
    object.__setattr__(settings.documents, "soffice", str(script))
    object.__setattr__(settings.documents, "convert_timeout_seconds", 1)
    return script


async def test_a_conversion_that_hangs_is_stopped_and_refused(
    fake_soffice: Path, meeting_id: int, api: Api, store_path: Path, sessions: Any
) -> None:
    fake_soffice.write_text("#!/bin/sh\nsleep 30\n")
    fake_soffice.chmod(0o755)
    await api.as_("thuky")
    files, rows = store_files(store_path), await count_rows(sessions)
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents",
                                    minimal_docx("x"), "treo.docx")
    assert (status, body["error"]["code"]) == (422, "conversion_failed")
    assert (store_files(store_path), await count_rows(sessions)) == (files, rows)


async def test_a_conversion_that_fails_is_refused_and_leaves_nothing(
    fake_soffice: Path, meeting_id: int, api: Api, store_path: Path, sessions: Any
) -> None:
    fake_soffice.write_text("#!/bin/sh\necho 'Error: source file could not be loaded'\nexit 1\n")
    fake_soffice.chmod(0o755)
    await api.as_("thuky")
    files, rows = store_files(store_path), await count_rows(sessions)
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents",
                                    minimal_odt("x"), "hong.odt")
    assert (status, body["error"]["code"]) == (422, "conversion_failed")
    assert (store_files(store_path), await count_rows(sessions)) == (files, rows)


async def test_a_converter_that_makes_no_real_pdf_is_refused(
    fake_soffice: Path, meeting_id: int, api: Api, store_path: Path, sessions: Any
) -> None:
    # It "succeeds" but writes garbage: the PDF check after conversion catches it.
    fake_soffice.write_text('#!/bin/sh\nwhile [ "$1" != "--outdir" ]; do shift; done\n'
                            'mkdir -p "$2"; printf "%%PDF-1.4 rubbish" > "$2/source.pdf"\n')
    fake_soffice.chmod(0o755)
    await api.as_("thuky")
    files = store_files(store_path)
    status, body = await api.upload(f"/api/v1/meetings/{meeting_id}/documents",
                                    minimal_docx("x"), "rac.docx")
    assert (status, body["error"]["code"]) == (422, "damaged_file")
    assert store_files(store_path) == files
