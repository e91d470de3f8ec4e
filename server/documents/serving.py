"""The file URLs: document versions by hash, confidential copies, board packs.

``/files/{document_id}/{sha256}/{name}`` answers with bytes that can never
change, so it is cached for a year as ``immutable`` (``private``: only the
reader's own browser keeps it). aiohttp's FileResponse sends it with sendfile
and handles ETag, If-None-Match (304), single Range requests and If-Range, which
PDF.js uses to show the first page before the rest has arrived. With
``documents.accel_redirect`` set the same access check runs and nginx sends the
bytes instead (``X-Accel-Redirect`` to an ``internal`` location).

Every URL is checked like the API: a stranger, a participant not named on the
document, a hash that is not one of that document's versions, and any hash URL
of a confidential document all get the same 404. Confidential documents are
only ever served by ``/files/{document_id}/stamped/{name}``: a copy stamped
for this reader now, ``no-store``, without ETag or ranges, so nothing caches it
and no two readers share one.
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from ..auth.identity import require_user
from ..errors import NotFound
from ..http import path_id
from ..state import SESSIONS, SETTINGS, STORE
from .access import readable_document
from .boardpack import pack_file
from .filenames import content_disposition
from .models import DocumentAccess
from .stamping import Stamp, stamp_pdf

routes = web.RouteTableDef()
IMMUTABLE = "private, max-age=31536000, immutable"
PDF = "application/pdf"
SHA = "{sha256:[0-9a-f]{64}}"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    filename: str
    content_type: str
    disposition: str = "inline"


def send_stored(request: web.Request, stored: StoredFile) -> web.StreamResponse:
    """The stored bytes of ``stored``, by sendfile or through nginx."""
    headers = {
        "Cache-Control": IMMUTABLE,
        "Content-Type": stored.content_type,
        "Content-Disposition": content_disposition(stored.filename, stored.disposition),
        "X-Content-Type-Options": "nosniff",
    }
    accel = request.app[SETTINGS].documents.accel_redirect
    if accel:
        headers["X-Accel-Redirect"] = f"{accel}{stored.sha256[:2]}/{stored.sha256}"
        return web.Response(headers=headers)
    path: Path = request.app[STORE].path_for(stored.sha256)
    if not path.is_file():
        raise NotFound()
    return web.FileResponse(path, headers=headers)


@routes.get("/files/{document_id:\\d+}/" + SHA + "/{filename}")
async def version_file(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    sha256 = request.match_info["sha256"]
    async with request.app[SESSIONS]() as db:
        grant = await readable_document(db, user, path_id(request, "document_id"))
    document = grant.document
    if document.access == DocumentAccess.CONFIDENTIAL:
        raise NotFound()
    for version in document.versions:
        if version.sha256 == sha256:
            return send_stored(request, StoredFile(sha256, version.filename, PDF))
        if version.source_sha256 == sha256:
            kind = mimetypes.guess_type(version.source_filename)[0]
            return send_stored(request, StoredFile(
                sha256, version.source_filename, kind or "application/octet-stream",
                "attachment"))
    raise NotFound()


@routes.get("/files/{document_id:\\d+}/stamped/{filename}")
async def stamped_file(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        grant = await readable_document(db, user, path_id(request, "document_id"))
        unit = user.unit.name if user.unit else ""
    document = grant.document
    if document.access != DocumentAccess.CONFIDENTIAL:
        raise NotFound()
    current = document.current
    source = request.app[STORE].path_for(current.sha256)
    stamp = Stamp(full_name=user.full_name, unit=unit, at=datetime.now(UTC))
    data = await asyncio.get_running_loop().run_in_executor(None, stamp_pdf, source, stamp)
    return web.Response(body=data, headers={
        "Content-Type": PDF,
        "Cache-Control": "no-store",
        "Content-Disposition": content_disposition(current.filename),
        "X-Content-Type-Options": "nosniff",
    })


@routes.get("/files/board-packs/{meeting_id:\\d+}/{pack_hash:[0-9a-f]{64}}/{filename}")
async def board_pack_file(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        found = await pack_file(db, user, path_id(request, "meeting_id"),
                                request.match_info["pack_hash"])
    return send_stored(request, StoredFile(found.sha256, found.filename, PDF))
