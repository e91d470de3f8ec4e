"""HTTP handlers of annotations: what I may see, a batch from a tablet, my annotated copy.

A batch answers one result per change, in order, with the stored annotation or
the reason it was refused, and then tells every device concerned (the owner's
other tablets, those it is shared with) through Socket.IO, after the commit.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from ..auth.identity import require_user
from ..documents.access import readable_document
from ..documents.filenames import content_disposition, split_extension
from ..documents.models import DocumentAccess
from ..errors import DomainError, InvalidField, error_payload
from ..http import (
    bool_field,
    enum_field,
    id_list,
    int_field,
    json_body,
    json_response,
    path_id,
    uuid_field,
)
from ..i18n import translate
from ..meetings.access import readable_meeting
from ..pages import request_locale
from ..realtime.broadcast import publish_to_users
from ..realtime.events import ANNOTATION_EVENT
from ..state import SESSIONS, STORE
from . import service
from .errors import TooManyChanges, ViewOnly
from .export import Mark, annotated_pdf
from .models import Annotation, AnnotationKind, Visibility

routes = web.RouteTableDef()


def annotation_json(annotation: Annotation, readers: list[int] | tuple[int, ...]) -> dict[str, Any]:
    return {
        "id": annotation.id, "uid": annotation.uid, "document_id": annotation.document_id,
        "version": annotation.version, "page": annotation.page, "kind": annotation.kind.value,
        "data": annotation.data, "visibility": annotation.visibility.value,
        "readers": list(readers),
        "owner": {"user_id": annotation.owner_id, "name": annotation.owner.full_name},
        "deleted": annotation.deleted, "carried_from_id": annotation.carried_from_id,
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
    }


def _change(entry: Any) -> service.AnnotationChange:
    if not isinstance(entry, dict):
        raise InvalidField(field="changes", reason_key="error.field_list")
    visibility = enum_field(entry, "visibility", Visibility, Visibility.PRIVATE)
    return service.AnnotationChange(
        uid=uuid_field(entry, "uid"),
        document_id=int_field(entry, "document_id", minimum=1) or 0,
        version=int_field(entry, "version", minimum=1) or 0,
        page=int_field(entry, "page", minimum=1) or 0,
        kind=enum_field(entry, "kind", AnnotationKind),
        data=entry.get("data"),
        visibility=visibility,
        readers=id_list(entry, "readers") if visibility == Visibility.NAMED else [],
        deleted=bool_field(entry, "deleted", False),
    )


def _parsed(entry: Any) -> service.AnnotationChange | DomainError:
    try:
        return _change(entry)
    except DomainError as error:
        return error


@routes.get("/api/v1/meetings/{meeting_id}/annotations")
async def api_annotations(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        annotations, readers = await service.visible_annotations(db, access)
        return json_response({"annotations": [annotation_json(a, readers.get(a.id, []))
                                              for a in annotations]})


@routes.post("/api/v1/meetings/{meeting_id}/annotations/sync")
async def api_sync(request: web.Request) -> web.Response:
    user = require_user(request)
    meeting_id = path_id(request, "meeting_id")
    body = await json_body(request)
    entries = body.get("changes")
    if not isinstance(entries, list):
        raise InvalidField(field="changes", reason_key="error.field_list")
    if len(entries) > service.MAX_CHANGES:
        raise TooManyChanges(max=service.MAX_CHANGES)
    locale = request_locale(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, meeting_id)
        outcomes = await service.apply_changes(db, access, [_parsed(e) for e in entries])
        results = [{"uid": o.uid, **error_payload(o.error, locale)} if o.error else
                   {"uid": o.uid, "annotation": annotation_json(o.annotation, o.readers)}
                   for o in outcomes]
        await db.commit()
    for outcome, result in zip(outcomes, results, strict=True):
        if outcome.annotation is None:
            continue
        publish_to_users(request.app, outcome.viewers | {user.id}, ANNOTATION_EVENT,
                         {"annotation": result["annotation"]})
        publish_to_users(request.app, outcome.lost_viewers, ANNOTATION_EVENT,
                         {"annotation": {**result["annotation"], "deleted": True}})
    return json_response({"results": results})


@routes.get("/api/v1/documents/{document_id}/annotated.pdf")
async def api_annotated_copy(request: web.Request) -> web.StreamResponse:
    """The current version with the caller's own notes drawn in, as real PDF annotations."""
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        grant = await readable_document(db, user, path_id(request, "document_id"))
        document = grant.document
        if document.access == DocumentAccess.CONFIDENTIAL:
            raise ViewOnly()
        current = document.current
        marks = [Mark(page=a.page, kind=a.kind.value, data=a.data, author=user.full_name,
                      created=a.updated_at)
                 for a in await service.own_marks(db, user.id, document.id, current.number)]
    source = request.app[STORE].path_for(current.sha256)
    data = await asyncio.get_running_loop().run_in_executor(None, annotated_pdf, source, marks)
    stem, _ = split_extension(current.filename)
    suffix = translate(request_locale(request), "annotations.annotated_suffix")
    return web.Response(body=data, headers={
        "Content-Type": "application/pdf",
        "Cache-Control": "private, no-store",
        "Content-Disposition": content_disposition(f"{stem} ({suffix}).pdf", "attachment"),
        "X-Content-Type-Options": "nosniff",
    })
