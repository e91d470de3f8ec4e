"""HTTP handlers of the minutes: the draft and its sections, approval, signatures,
publication, the files, the export package, and verifying any signed PDF.

Thin, as elsewhere: the access rule of the meeting first (a stranger gets 404),
then :mod:`.service` or :mod:`.workflow`. The secret typed for a signature (PIN or
passphrase) goes from the request to the signer and nowhere else: not logged,
not stored, not echoed in an error.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth.identity import require_user
from ..documents.filenames import content_disposition
from ..documents.serving import StoredFile, send_stored
from ..errors import Forbidden, NotFound
from ..http import enum_field, int_field, json_body, json_response, path_id, string_field
from ..meetings.access import MeetingAccess, readable_meeting
from ..pages import request_locale
from ..realtime.broadcast import record_change
from ..state import SESSIONS
from . import service, workflow
from .document import SignerRole
from .models import Minutes, MinutesStatus
from .report import read_upload, report_json

routes = web.RouteTableDef()
BASE = "/api/v1/meetings/{meeting_id}/minutes"
SECRET_MAX = 256
VERIFY_MAX_MB = 50


SIGNED_BY = {MinutesStatus.SIGNED_CHAIR: [SignerRole.CHAIR],
             MinutesStatus.SIGNED_SECRETARY: [SignerRole.CHAIR, SignerRole.SECRETARY],
             MinutesStatus.SEALED: list(SignerRole), MinutesStatus.PUBLISHED: list(SignerRole)}


async def _answer(db: Any, access: MeetingAccess, minutes: Minutes, status: int = 200
                  ) -> web.Response:
    version = await service.current_version(db, minutes)
    body = service.minutes_json(minutes, version, with_sections=service.may_read_draft(access))
    next_role = workflow.NEXT_SIGNER.get(minutes.status)
    signed = await workflow.signatures(db, minutes)
    body.update({
        "signatures": [{"role": r.value, **signed.get(r.value, {"name": None, "signed_at": None})}
                       for r in SIGNED_BY.get(minutes.status, [])],
        "next": next_role.value if next_role else None,
        "may": {"edit": service.may_edit(access) and minutes.status != MinutesStatus.PUBLISHED,
                "approve": service.may_edit(access) and minutes.status == MinutesStatus.DRAFT,
                "sign": next_role.value if next_role and workflow.may_sign_as(access, next_role)
                else None,
                "publish": service.may_edit(access) and minutes.status == MinutesStatus.SEALED},
    })
    return json_response({"minutes": body}, status=status)


@routes.post(BASE)
async def api_start(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.start_minutes(db, access)
        await db.commit()
        return await _answer(db, access, minutes, status=201)


@routes.get(BASE)
async def api_minutes(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        return await _answer(db, access, await service.minutes_of(db, access))


@routes.put(BASE + "/sections/{key}")
async def api_save_section(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    text = string_field(body, "text", service.TEXT_MAX)
    based_on = int_field(body, "version", minimum=1) or 0
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.save_section(db, access, request.match_info["key"], text,
                                             based_on)
        await db.commit()
        return await _answer(db, access, minutes)


@routes.post(BASE + "/sections/{key}/reset")
async def api_reset_section(request: web.Request) -> web.Response:
    user = require_user(request)
    based_on = int_field(await json_body(request), "version", minimum=1) or 0
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.reset_section(db, access, request.match_info["key"], based_on)
        await db.commit()
        return await _answer(db, access, minutes)


@routes.get(BASE + "/history")
async def api_history(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        if not service.may_read_draft(access):
            raise Forbidden()
        minutes = await service.minutes_of(db, access)
        edits = await service.history(db, minutes, request.query.get("section"))
        names = await service.names_of(db, {e.saved_by_id for e in edits if e.saved_by_id})
        return json_response({"edits": [
            {"key": e.key, "version": e.version, "text": e.text, "saved_by_id": e.saved_by_id,
             "saved_by": names.get(e.saved_by_id or 0), "saved_at": e.saved_at.isoformat()}
            for e in edits]})


@routes.post(BASE + "/approve")
async def api_approve(request: web.Request) -> web.Response:
    user = require_user(request)
    based_on = int_field(await json_body(request), "version", minimum=1) or 0
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await workflow.approve(request.app, db, access, based_on)
        await db.commit()
        return await _answer(db, access, minutes)


@routes.post(BASE + "/sign")
async def api_sign(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request)
    role = enum_field(body, "role", SignerRole)
    secret = string_field(body, "secret", SECRET_MAX)
    based_on = int_field(body, "version", minimum=1) or 0
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        signed = await workflow.sign_next(request.app, db, access, role, secret, based_on)
        await db.commit()
        return await _answer(db, access, signed.minutes)


@routes.post(BASE + "/publish")
async def api_publish(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await workflow.publish(db, access)
        await record_change(request.app, db, access.meeting, ["minutes"])
        return await _answer(db, access, minutes)


def _filename(access: MeetingAccess, extension: str) -> str:
    code = access.meeting.code.replace("/", "-") or str(access.meeting.id)
    return f"Biên bản {code}.{extension}"


@routes.get("/api/v1/meetings/{meeting_id}/minutes.pdf")
async def api_minutes_pdf(request: web.Request) -> web.StreamResponse:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        minutes = await service.minutes_of(db, access)
        _version, sha256 = await workflow.current_file(db, minutes)
    if sha256 is None:
        raise NotFound()
    return send_stored(request, StoredFile(sha256, _filename(access, "pdf"), "application/pdf"))


@routes.get("/api/v1/meetings/{meeting_id}/minutes.edxml")
async def api_minutes_edxml(request: web.Request) -> web.Response:
    user = require_user(request)
    async with request.app[SESSIONS]() as db:
        access = await readable_meeting(db, user, path_id(request, "meeting_id"))
        if not service.may_edit(access):
            raise Forbidden()
        minutes = await service.minutes_of(db, access)
        data = await workflow.export_package(request.app, db, access, minutes)
    return web.Response(body=data, headers={
        "Content-Type": "application/xml; charset=utf-8",
        "Content-Disposition": content_disposition(_filename(access, "edxml"), "attachment"),
        "Cache-Control": "private, no-store",
    })


@routes.post("/api/v1/minutes/verify")
async def api_verify(request: web.Request) -> web.Response:
    """Any signed PDF, checked against the configured trust roots; the expected signers
    are a minutes' three (chair, secretary, seal)."""
    require_user(request)
    pdf = await read_upload(request, VERIFY_MAX_MB)
    report = await workflow.verify_pdf(request.app, pdf)
    return json_response(report_json(report, request_locale(request)))
