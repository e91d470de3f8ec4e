"""Fixtures of the documents tests: sign in as anyone, upload in one line, make test files.

Every file the tests upload is made here, in memory, so no binary lives in the
repository: PDFs drawn with reportlab, an encrypted one from pypdf, a .docx and
an .odt zipped by hand (python-docx is not a dependency), an image, a plain zip.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from server.documents.models import Document, DocumentVersion
from server.meetings.models import Meeting
from tests.api import Api as BaseApi

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
       b"\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def make_pdf(pages: int = 2, text: str = "Tài liệu thử", size: tuple[float, float] = (595, 842),
             padding: int = 0) -> bytes:
    """A PDF of ``pages`` pages saying ``text`` (and, with ``padding``, that many bytes more
    in an attachment, to make it large without drawing anything)."""
    from reportlab.pdfgen.canvas import Canvas

    from server.fonts import register_serif, render_lock

    family = register_serif()
    buffer = io.BytesIO()
    with render_lock:
        canvas = Canvas(buffer, pagesize=size, invariant=True)
        for number in range(1, pages + 1):
            canvas.setFont(family, 14)
            canvas.drawString(72, size[1] - 72, f"{text} — trang {number}")
            canvas.showPage()
        canvas.save()
    data = buffer.getvalue()
    if padding:
        import os

        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.add_attachment("phu-luc.bin", os.urandom(padding))
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zero_page_pdf() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ghi-chu.txt", "Không phải văn bản Word")
    return buffer.getvalue()


def minimal_docx(text: str) -> bytes:
    """The smallest .docx Word and LibreOffice open: three parts, one paragraph."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>'))
        archive.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            f'main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>'))
    return buffer.getvalue()


def minimal_odt(text: str) -> bytes:
    """An OpenDocument text: ``mimetype`` first and stored, then the manifest and content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.text"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>'))
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text='
            '"urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            f'<office:body><office:text><text:p>{text}</text:p></office:text></office:body>'
            '</office:document-content>'))
    return buffer.getvalue()


def store_files(store: Path) -> set[str]:
    """Every file under the store, temporary ones included."""
    return {str(p.relative_to(store)) for p in store.rglob("*") if p.is_file()} \
        if store.exists() else set()


class Api(BaseApi):
    """The JSON API (tests/api.py) and uploads, as one signed-in user."""

    async def upload(self, path: str, data: bytes, filename: str = "tai-lieu.pdf",
                     **fields: Any) -> tuple[int, Any]:
        form = aiohttp.FormData()
        for name, value in fields.items():
            form.add_field(name, str(value))
        form.add_field("file", data, filename=filename, content_type="application/pdf")
        response = await self.client.post(path, data=form, headers=self.headers)
        return response.status, await response.json()

    async def upload_document(self, meeting_id: int, data: bytes | None = None,
                              filename: str = "tai-lieu.pdf", **fields: Any) -> dict[str, Any]:
        status, body = await self.upload(f"/api/v1/meetings/{meeting_id}/documents",
                                         make_pdf() if data is None else data, filename,
                                         **fields)
        assert status == 201, body
        return body["document"]

    async def participant_id(self, meeting_id: int, username: str) -> int:
        _, body = await self.get(f"/api/v1/meetings/{meeting_id}")
        return next(p["id"] for p in body["participants"] if p["user"]["username"] == username)

    def session_cookie(self) -> str:
        return next(c.value for c in self.client.session.cookie_jar
                    if c.key == "phonghop_session")


@pytest.fixture
def api(client: TestClient, login: Any) -> Api:
    return Api(client, login)


@pytest.fixture
async def meeting_id(demo: None, sessions: Any) -> int:
    """The demo's scheduled meeting: thuky is its secretary, chutoa its chair, daibieu01..20
    delegates; four documents, one version each, readable by everyone in it."""
    async with sessions() as db:
        return int(await db.scalar(select(Meeting.id)))


@pytest.fixture
async def stranger(make_user: Any) -> str:
    await make_user("nguoila", full_name="Người Lạ", password="demo")
    return "nguoila"


async def count_rows(sessions: Any) -> tuple[int, int]:
    async with sessions() as db:
        return (int(await db.scalar(select(func.count()).select_from(Document)) or 0),
                int(await db.scalar(select(func.count()).select_from(DocumentVersion)) or 0))


async def raw_request(client: TestClient, head: str, body: Iterable[bytes] = (),
                      read: int = 65536) -> bytes:
    """Send bytes as they are (a false Content-Length, say) and return the raw answer."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n")
        for chunk in body:
            writer.write(chunk)
        await writer.drain()
        return await asyncio.wait_for(reader.read(read), 10)
    finally:
        writer.close()
