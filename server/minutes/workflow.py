"""The minutes' way to legal value: approve (render, create every signature field), the
chair's signature, the secretary's, the seal with its timestamp, publication.

Each step reads the version's current file from the document store, makes the
next one in an executor (reportlab and pyHanko block), stores it by hash, and
only then records it in the same transaction as the new status and its audit
entry: a refused signature (wrong PIN, expired certificate, out of order) leaves
the last good file as it was, and a crash between the two leaves an unused file
in the store, never a status pointing at a file that is not there. The minutes
row is locked first, so two signers pressing at once sign one after the other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..audit.models import AuditEntry
from ..audit.service import append as audit
from ..auth.models import User
from ..db import utcnow
from ..errors import Forbidden
from ..meetings.access import MeetingAccess
from ..meetings.models import MeetingRole, Unit
from ..meetings.participants import participants_of
from ..pages import VIETNAM
from ..state import SETTINGS, STORE
from .appearance import Appearance
from .document import SignerRole
from .draft import document_of, unknown_polls
from .draft_errors import KeyMissing, StaleVersion, UnknownPolls, WrongMinutesStatus
from .edxml import Organisation, Package, edxml_package
from .models import KeyKind, Minutes, MinutesStatus, MinutesVersion, SigningKey
from .render import render_minutes
from .service import current_version, may_edit, minutes_of
from .signing import Pkcs12Key, SignerKey, TokenKey, prepare_fields, sign
from .trust import timestamper_from_settings, trust_from_settings
from .verify import Report, verify_with

# Whose turn it is after each status, and the status a signature leads to.
NEXT_SIGNER = {MinutesStatus.APPROVED: SignerRole.CHAIR,
               MinutesStatus.SIGNED_CHAIR: SignerRole.SECRETARY,
               MinutesStatus.SIGNED_SECRETARY: SignerRole.SEAL}
AFTER = {SignerRole.CHAIR: MinutesStatus.SIGNED_CHAIR,
         SignerRole.SECRETARY: MinutesStatus.SIGNED_SECRETARY,
         SignerRole.SEAL: MinutesStatus.SEALED}


async def _run(function: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


async def lock_minutes(db: AsyncSession, minutes: Minutes) -> None:
    await db.execute(update(Minutes).where(Minutes.id == minutes.id)
                     .values(status=Minutes.status)
                     .execution_options(synchronize_session=False))
    await db.refresh(minutes)


def _expect(minutes: Minutes, *statuses: MinutesStatus) -> None:
    if minutes.status not in statuses:
        raise WrongMinutesStatus(current_key=f"minutes_status.{minutes.status.value}")


def may_sign_as(access: MeetingAccess, role: SignerRole) -> bool:
    """The chair signs as chair, the secretary as secretary; the seal is applied by whoever
    keeps the minutes (the secretary, or an administrator acting as văn thư)."""
    me = access.participant
    if role is SignerRole.CHAIR:
        return me is not None and me.role == MeetingRole.CHAIR
    if role is SignerRole.SECRETARY:
        return me is not None and me.role == MeetingRole.SECRETARY
    return may_edit(access)


async def approve(app: web.Application, db: AsyncSession, access: MeetingAccess,
                  based_on: int) -> Minutes:
    if not may_edit(access):
        raise Forbidden()
    minutes = await minutes_of(db, access)
    await lock_minutes(db, minutes)
    _expect(minutes, MinutesStatus.DRAFT)
    if minutes.version != based_on:
        raise StaleVersion(current=minutes.version)
    version = await current_version(db, minutes)
    missing = await unknown_polls(db, access.meeting, version.sections)
    if missing:
        raise UnknownPolls(ids=", ".join(map(str, missing)))
    document = await document_of(db, access.meeting, version.sections)
    rendered = await _run(render_minutes, document)
    prepared = await _run(prepare_fields, rendered.pdf, rendered.boxes)
    sha256 = await _run(app[STORE].put, prepared)
    version.prepared_sha256, version.signed_sha256 = sha256, None
    version.pages, version.approved_at, version.approved_by_id = rendered.pages, utcnow(), \
        access.user.id
    minutes.status = MinutesStatus.APPROVED
    await db.flush()
    await audit(db, action="minutes_approved", actor=access.user, meeting_id=access.meeting.id,
                data={"minutes_id": minutes.id, "version": version.number, "sha256": sha256,
                      "pages": rendered.pages})
    return minutes


async def signing_key_for(db: AsyncSession, access: MeetingAccess, role: SignerRole
                          ) -> SigningKey:
    if role is SignerRole.SEAL:
        query = select(SigningKey).where(SigningKey.unit_id == access.meeting.organiser_unit_id)
    else:
        query = select(SigningKey).where(SigningKey.user_id == access.user.id)
    key = await db.scalar(query)
    if key is None:
        raise KeyMissing()
    return key


def signer_key(key: SigningKey, secret: str) -> SignerKey:
    if key.kind == KeyKind.PKCS12:
        return Pkcs12Key(Path(key.pkcs12_path), passphrase=secret)
    return TokenKey(module=key.pkcs11_module, token_label=key.token_label, pin=secret,
                    key_label=key.key_label)


@dataclass(frozen=True)
class Signed:
    minutes: Minutes
    role: SignerRole


async def sign_next(app: web.Application, db: AsyncSession, access: MeetingAccess,
                    role: SignerRole, secret: str, based_on: int) -> Signed:
    minutes = await minutes_of(db, access)
    await lock_minutes(db, minutes)
    if minutes.version != based_on:
        raise StaleVersion(current=minutes.version)
    if NEXT_SIGNER.get(minutes.status) is not role:
        raise WrongMinutesStatus(current_key=f"minutes_status.{minutes.status.value}")
    if not may_sign_as(access, role):
        raise Forbidden()
    key = await signing_key_for(db, access, role)
    version = await current_version(db, minutes)
    store = app[STORE]
    current = version.signed_sha256 or version.prepared_sha256
    assert current is not None  # approved versions always have their prepared file
    pdf = await _run(store.path_for(current).read_bytes)
    appearance = await _appearance(db, access, role, key, store)
    settings = app[SETTINGS].signing
    signed = await _run(_sign, pdf, role, signer_key(key, secret), appearance, settings)
    sha256 = await _run(store.put, signed)
    version.signed_sha256 = sha256
    minutes.status = AFTER[role]
    await db.flush()
    await audit(db, action="minutes_signed", actor=access.user, meeting_id=access.meeting.id,
                data={"minutes_id": minutes.id, "version": version.number, "role": role.value,
                      "sha256": sha256})
    return Signed(minutes, role)


def _sign(pdf: bytes, role: SignerRole, key: SignerKey, appearance: Appearance,
          settings: Any) -> bytes:
    trust = trust_from_settings(settings) if role is SignerRole.SEAL else None
    return sign(pdf, role, key, appearance, timestamper_from_settings(settings), trust=trust)


async def _appearance(db: AsyncSession, access: MeetingAccess, role: SignerRole,
                      key: SigningKey, store: Any) -> Appearance:
    image = await _run(store.path_for(key.image_sha256).read_bytes) if key.image_sha256 \
        else None
    if role is SignerRole.SEAL:
        return Appearance(name=access.meeting.organiser.name, title="", image_png=image)
    user = await db.get(User, access.user.id)
    assert user is not None
    return Appearance(name=user.full_name, title=user.title, image_png=image)


async def publish(db: AsyncSession, access: MeetingAccess) -> Minutes:
    if not may_edit(access):
        raise Forbidden()
    minutes = await minutes_of(db, access)
    await lock_minutes(db, minutes)
    _expect(minutes, MinutesStatus.SEALED)
    minutes.status, minutes.published_at = MinutesStatus.PUBLISHED, utcnow()
    version = await current_version(db, minutes)
    await db.flush()
    await audit(db, action="minutes_published", actor=access.user, meeting_id=access.meeting.id,
                data={"minutes_id": minutes.id, "version": version.number,
                      "sha256": version.signed_sha256})
    return minutes


async def current_file(db: AsyncSession, minutes: Minutes) -> tuple[MinutesVersion, str | None]:
    version = await current_version(db, minutes)
    return version, version.signed_sha256 or version.prepared_sha256


async def export_package(app: web.Application, db: AsyncSession, access: MeetingAccess,
                         minutes: Minutes) -> bytes:
    """The edXML package of the published minutes, for the provincial document exchange."""
    _expect(minutes, MinutesStatus.PUBLISHED)
    version, sha256 = await current_file(db, minutes)
    assert sha256 is not None  # published minutes are sealed
    meeting = access.meeting
    organiser = meeting.organiser
    parent = await db.get(Unit, organiser.parent_id) if organiser.parent_id else None
    chair = next((p for p in await participants_of(db, meeting.id)
                  if p.role == MeetingRole.CHAIR), None)
    package = Package(
        sender=_organisation(organiser), recipients=[_organisation(parent or organiser)],
        document_id=f"phonghop-{meeting.id}-{minutes.id}-{version.number}",
        code=meeting.code, place=meeting.hall.name if meeting.hall else "",
        issued=(minutes.published_at or utcnow()).astimezone(VIETNAM), subject=meeting.title,
        signer_name=chair.user.full_name if chair else "",
        signer_position=chair.user.title if chair else "", pages=version.pages or 0,
        filename=f"bien-ban-{meeting.id}.pdf",
        pdf=await _run(app[STORE].path_for(sha256).read_bytes))
    return await _run(edxml_package, package)


def _organisation(unit: Unit) -> Organisation:
    return Organisation(organ_id=unit.short_name or str(unit.id), name=unit.name)


async def verify_pdf(app: web.Application, pdf: bytes) -> Report:
    """Any signed PDF against the configured trust roots and CRLs; a minutes' three signers
    are expected."""
    trust = await _run(trust_from_settings, app[SETTINGS].signing)
    return await _run(verify_with, pdf, trust, list(SignerRole))


async def signatures(db: AsyncSession, minutes: Minutes) -> dict[str, dict[str, Any]]:
    """Who signed the current version as which role, and when: from the audit log, which
    records each signature with its signer in the transaction that stored it."""
    entries = await db.scalars(select(AuditEntry).where(
        AuditEntry.meeting_id == minutes.meeting_id, AuditEntry.action == "minutes_signed")
        .order_by(AuditEntry.seq))
    return {e.data["role"]: {"name": e.actor, "signed_at": e.at.isoformat()} for e in entries
            if e.data.get("minutes_id") == minutes.id and e.data.get("version") == minutes.version}
