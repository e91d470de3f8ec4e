"""HTTP handlers of documents: upload, versions, details, changes, readers, manifest.

Thin on purpose: parse, authorise through :mod:`.access` (which asks the
meetings area first), call :mod:`.service`, serialise. Uploads check the
caller's right before reading a byte of the body, hold no database connection
while the file streams in, and check again in the transaction that records it,
because a long upload can outlast a change of the caller's role.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from ..annotations.service import carry_to_version
from ..auth.identity import require_user
from ..errors import InvalidField
from ..http import enum_field, id_list, int_field, json_body, json_response, path_id, string_field
from ..meetings.access import editable_meeting, readable_meeting
from ..meetings.service import ensure_editable
from ..realtime.broadcast import record_change
from ..state import SESSIONS, SETTINGS, STORE
from . import service
from .access import editable_document, readable_document
from .boardpack import board_pack_for
from .filenames import split_extension
from .intake import Intake, take_in
from .manifest import manifest_for
from .models import DocumentAccess
from .serialise import document_json, pack_url
from .serving import routes as file_routes

routes = web.RouteTableDef()
TITLE_MAX = 500
UPLOAD_FIELDS = frozenset({"title", "agenda_item_id", "access"})
VERSION_FIELDS: frozenset[str] = frozenset()
# Tablets fetch their manifest again; a deleted or replaced document may also end what the
# chair was presenting.
DOCUMENTS = ["documents", "presentation"]


async def _document_answer(db: Any, grant: Any, status: int = 200) -> web.Response:
    readers = (await service.readers_of(db, grant.document.id)
               if grant.meeting.can_edit else None)
    return json_response({"document": document_json(grant.document, readers)}, status=status)


def _upload_fields(fields: dict[str, str], default_title: str) -> dict[str, Any]:
    """The text fields of the upload form, checked like a JSON body's."""
    body: dict[str, Any] = {key: value for key, value in fields.items() if value.strip()}
    item = body.get("agenda_item_id")
    if item is not None:
        if not (item.isascii() and item.isdigit() and len(item) <= 12):
            raise InvalidField(field="agenda_item_id", reason_key="error.field_integer")
        body["agenda_item_id"] = int(item)
    title = string_field(body, "title", TITLE_MAX).strip() if "title" in body else default_title
    return {
        "title": title or default_title,
        "agenda_item_id": int_field(body, "agenda_item_id", minimum=1, required=False),
        "kind": enum_field(body, "access", DocumentAccess, DocumentAccess.MEETING),
    }


async def _discard(intake: Intake) -> None:
    await asyncio.get_running_loop().run_in_executor(None, intake.discard)


@routes.post("/api/v1/meetings/{meeting_id}/documents")
async def api_upload(request: web.Request) -> web.Response:
    user = require_user(request)
    meeting_id = path_id(request, "meeting_id")
    async with request.app[SESSIONS]() as db:
        ensure_editable((await editable_meeting(db, user, meeting_id)).meeting)
    store = request.app[STORE]
    intake = await take_in(request, store, request.app[SETTINGS].documents, UPLOAD_FIELDS)
    try:
        fields = _upload_fields(intake.fields, split_extension(intake.version.filename)[0])
        async with request.app[SESSIONS]() as db:
            access = await editable_meeting(db, user, meeting_id)
            document = await service.create_document(db, access, first=intake.version,
                                                     **fields)
            await asyncio.get_running_loop().run_in_executor(None, intake.adopt, store)
            await record_change(request.app, db, access.meeting, DOCUMENTS)
            grant = await readable_document(db, user, document.id)
            return await _document_answer(db, grant, status=201)
    finally:
        await _discard(intake)


@routes.post("/api/v1/documents/{document_id}/versions")
async def api_add_version(request: web.Request) -> web.Response:
    user = require_user(request)
    document_id = path_id(request, "document_id")
    async with request.app[SESSIONS]() as db:
        ensure_editable((await editable_document(db, user, document_id)).meeting.meeting)
    store = request.app[STORE]
    intake = await take_in(request, store, request.app[SETTINGS].documents, VERSION_FIELDS)
    try:
        async with request.app[SESSIONS]() as db:
            grant = await editable_document(db, user, document_id)
            version = await service.add_version(db, grant, intake.version)
            await carry_to_version(db, grant.document, version)
            await asyncio.get_running_loop().run_in_executor(None, intake.adopt, store)
            await record_change(request.app, db, grant.meeting.meeting, DOCUMENTS)
            return await _document_answer(db, grant, status=201)
    finally:
        await _discard(intake)


@routes.get("/api/v1/documents/{document_id}")
async def api_document(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        grant = await readable_document(db, user, path_id(request, "document_id"))
        return await _document_answer(db, grant)


def _changes(body: dict[str, Any]) -> service.Changes:
    fields: dict[str, Any] = {}
    if "title" in body:
        title = string_field(body, "title", TITLE_MAX).strip()
        if not title:
            raise InvalidField(field="title", reason_key="error.field_required")
        fields["title"] = title
    if "agenda_item_id" in body:
        fields["agenda_item_id"] = int_field(body, "agenda_item_id", minimum=1, required=False)
    if "access" in body:
        fields["access"] = enum_field(body, "access", DocumentAccess)
    if "position" in body:
        fields["position"] = int_field(body, "position", minimum=1, maximum=100_000)
    return service.Changes(**fields)


@routes.patch("/api/v1/documents/{document_id}")
async def api_update(request: web.Request) -> web.Response:
    user = require_user(request)
    document_id = path_id(request, "document_id")
    changes = _changes(await json_body(request))
    async with request.app[SESSIONS]() as db:
        grant = await editable_document(db, user, document_id)
        await service.update_document(db, grant, changes)
        await record_change(request.app, db, grant.meeting.meeting, DOCUMENTS)
        return await _document_answer(db, grant)


@routes.delete("/api/v1/documents/{document_id}")
async def api_delete(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        grant = await editable_document(db, user, path_id(request, "document_id"))
        await service.delete_document(db, grant)
        await record_change(request.app, db, grant.meeting.meeting, DOCUMENTS)
    return web.Response(status=204)


@routes.put("/api/v1/documents/{document_id}/readers")
async def api_readers(request: web.Request) -> web.Response:
    user = require_user(request)
    document_id = path_id(request, "document_id")
    participant_ids = id_list(await json_body(request), "participant_ids")
    async with request.app[SESSIONS]() as db:
        grant = await editable_document(db, user, document_id)
        await service.set_readers(db, grant, participant_ids)
        await record_change(request.app, db, grant.meeting.meeting, DOCUMENTS)
        return await _document_answer(db, grant)


@routes.get("/api/v1/meetings/{meeting_id}/manifest")
async def api_manifest(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        manifest = await manifest_for(db, access)
    # Per caller and changing with every upload: a tablet revalidates it each time.
    etag = f'"{manifest["hash"]}"'
    headers = {"Cache-Control": "private, no-cache", "ETag": etag}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    response = json_response(manifest)
    response.headers.update(headers)
    return response


@routes.get("/api/v1/meetings/{meeting_id}/board-pack")
async def api_board_pack(request: web.Request) -> web.Response:
    """A redirect to the caller's pack at its immutable URL, built first if need be."""
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        pack, plan = await board_pack_for(db, access, request.app[STORE])
    location = pack_url(plan.meeting_id, plan.key, plan.filename)
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-cache"})


# Everything this area serves, for ``create_app``: the API and the file URLs.
all_routes = [*routes, *file_routes]
