"""Receiving an upload: the multipart body streamed to disk, hashed and counted.

The app refuses bodies over ``server.max_body_mb`` (2 MB) for everything that
reads them whole; document uploads may be 100 MB, so their handlers never call
``request.post()``: they walk ``request.multipart()`` part by part, and the file
part goes straight to a temporary file in the store's ``.incoming`` folder while
its SHA-256 and length are computed. The limit is enforced twice: at once when
``Content-Length`` already says too much, and on the bytes really received,
which is what counts when the header is missing (chunked) or false. Either way
the answer is 413 and the temporary file is gone.

Writing and hashing happen in an executor, a megabyte at a time, so a large
upload never holds the event loop.

Browsers send this form with the ``X-CSRF-Token`` header (the upload script
does); a token in a form field would make the CSRF check read the whole body
first, and with it the 2 MB limit.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from aiohttp import BodyPartReader, web

from ..errors import InvalidField
from .errors import UploadMalformed, UploadNoFile, UploadTooLarge
from .filenames import form_filename
from .store import DocumentStore

# Room for the multipart boundaries and the small text fields beside the file.
ENVELOPE = 64 * 1024
FIELD_MAX = 4096
CHUNK = 256 * 1024
FLUSH = 1024 * 1024


@dataclass
class Received:
    path: Path              # the temporary file: adopt it into the store or delete it
    sha256: str
    size: int
    filename: str           # as the client sent it: clean it before showing it
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


async def receive_upload(
    request: web.Request, store: DocumentStore, max_mb: int, text_fields: frozenset[str]
) -> Received:
    """Read the multipart body: one part named ``file`` and the named text fields."""
    limit = max_mb * 1024 * 1024
    declared = request.content_length
    if declared is not None and declared > limit + ENVELOPE:
        raise UploadTooLarge(max_mb=max_mb)
    if request.content_type != "multipart/form-data":
        raise UploadMalformed()
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError):
        raise UploadMalformed() from None
    received: Received | None = None
    fields: dict[str, str] = {}
    try:
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise UploadMalformed()
            if part.name == "file":
                if received is not None:
                    raise UploadMalformed()
                # Created here, not in an executor: a cancelled await could lose the name.
                received = Received(path=store.new_incoming(), sha256="", size=0,
                                    filename=form_filename(part.filename or ""))
                await _stream_file(part, received, limit, max_mb)
            elif part.name in text_fields:
                fields[part.name] = await _read_field(part)
            else:
                await part.release()
    except (UploadTooLarge, UploadMalformed, InvalidField):
        if received is not None:
            received.discard()
        raise
    except (ValueError, EOFError, asyncio.IncompleteReadError, OSError,
            web.HTTPException) as error:
        # A body cut short, a broken part header or a lost connection.
        if received is not None:
            received.discard()
        if isinstance(error, web.HTTPRequestEntityTooLarge):
            raise UploadTooLarge(max_mb=max_mb) from None
        raise UploadMalformed() from None
    except BaseException:
        if received is not None:
            received.discard()
        raise
    if received is None:
        raise UploadNoFile()
    received.fields = fields
    return received


async def _stream_file(part: BodyPartReader, received: Received, limit: int, max_mb: int) -> None:
    loop = asyncio.get_running_loop()
    digest = hashlib.sha256()
    pending: list[bytes] = []
    buffered = 0
    with received.path.open("wb") as out:
        while True:
            chunk = await part.read_chunk(CHUNK)
            if not chunk:
                break
            received.size += len(chunk)
            if received.size > limit:
                raise UploadTooLarge(max_mb=max_mb)
            pending.append(chunk)
            buffered += len(chunk)
            if buffered >= FLUSH:
                await loop.run_in_executor(None, _write, out, digest, pending)
                pending, buffered = [], 0
        if pending:
            await loop.run_in_executor(None, _write, out, digest, pending)
    received.sha256 = digest.hexdigest()


def _write(out: BinaryIO, digest: Any, chunks: list[bytes]) -> None:
    for chunk in chunks:
        digest.update(chunk)
        out.write(chunk)


async def _read_field(part: BodyPartReader) -> str:
    data = bytearray()
    while True:
        chunk = await part.read_chunk(FIELD_MAX)
        if not chunk:
            break
        data += chunk
        if len(data) > FIELD_MAX:
            raise InvalidField(field=part.name or "", reason_key="error.field_too_long",
                               reason={"max": FIELD_MAX})
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidField(field=part.name or "", reason_key="error.field_string") from None
