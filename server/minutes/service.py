"""Rules of the minutes: who may read and edit them, the versions, and their order
draft → approved → signed by the chair → by the secretary → sealed → published.

The secretary (and an administrator) edits; the chair reads the draft and signs;
participants read the minutes once published. A section saved after the chair
has signed starts a new version, which is approved and signed again from the
start; a save while approved, before any signature, only takes the approval
back. The files of each version (rendered with signature fields, then after
each signature) are in the document store by hash; :mod:`.workflow` makes them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..db import utcnow
from ..errors import Forbidden, NotFound
from ..meetings.access import MeetingAccess
from ..meetings.models import MeetingRole, MeetingStatus
from .draft import SECTION_KEYS, draft_sections
from .draft_errors import (
    MeetingNotEnded,
    MinutesExist,
    MinutesPublished,
    StaleVersion,
    UnknownSection,
)
from .models import Minutes, MinutesEdit, MinutesStatus, MinutesVersion

TEXT_MAX = 200_000
SIGNED = frozenset({MinutesStatus.SIGNED_CHAIR, MinutesStatus.SIGNED_SECRETARY,
                    MinutesStatus.SEALED})
READERS_OF_DRAFTS = frozenset({MeetingRole.CHAIR, MeetingRole.CO_CHAIR, MeetingRole.SECRETARY})


def may_edit(access: MeetingAccess) -> bool:
    return access.can_edit


def may_read_draft(access: MeetingAccess) -> bool:
    return access.can_edit or (access.participant is not None
                               and access.participant.role in READERS_OF_DRAFTS)


async def minutes_of(db: AsyncSession, access: MeetingAccess) -> Minutes:
    """The meeting's minutes as the caller may see them: drafts only for those who make
    and sign them, published minutes for every participant; 404 otherwise."""
    minutes = await db.scalar(select(Minutes).where(Minutes.meeting_id == access.meeting.id))
    if minutes is None:
        raise NotFound()
    if minutes.status != MinutesStatus.PUBLISHED and not may_read_draft(access):
        raise NotFound()
    return minutes


async def current_version(db: AsyncSession, minutes: Minutes) -> MinutesVersion:
    version = await db.scalar(select(MinutesVersion).where(
        MinutesVersion.minutes_id == minutes.id, MinutesVersion.number == minutes.version))
    assert version is not None  # created with the minutes and with every new number
    return version


async def start_minutes(db: AsyncSession, access: MeetingAccess) -> Minutes:
    """The first draft, written from the record of an ended meeting."""
    if not may_edit(access):
        raise Forbidden()
    meeting = access.meeting
    if meeting.status not in (MeetingStatus.ENDED, MeetingStatus.ARCHIVED):
        raise MeetingNotEnded()
    if await db.scalar(select(Minutes.id).where(Minutes.meeting_id == meeting.id)):
        raise MinutesExist()
    minutes = Minutes(meeting_id=meeting.id, status=MinutesStatus.DRAFT, version=1)
    db.add(minutes)
    await db.flush()
    db.add(MinutesVersion(minutes_id=minutes.id, number=1,
                          sections=await draft_sections(db, meeting)))
    await db.flush()
    return minutes


async def _editable_version(db: AsyncSession, minutes: Minutes) -> MinutesVersion:
    """The version a save goes into: a new one once anyone has signed."""
    if minutes.status == MinutesStatus.PUBLISHED:
        raise MinutesPublished()
    version = await current_version(db, minutes)
    if minutes.status in SIGNED:
        version = MinutesVersion(minutes_id=minutes.id, number=version.number + 1,
                                 sections=[dict(s) for s in version.sections])
        db.add(version)
        minutes.version = version.number
    minutes.status = MinutesStatus.DRAFT
    return version


async def save_section(
    db: AsyncSession, access: MeetingAccess, key: str, text: str, based_on: int
) -> Minutes:
    """Save one section. ``based_on`` is the version the editor had: an older one means
    another tab or person moved the minutes on, and the save is refused rather than
    written over a signed version's successor unseen."""
    if not may_edit(access):
        raise Forbidden()
    if key not in SECTION_KEYS:
        raise UnknownSection(section=key[:40])
    minutes = await minutes_of(db, access)
    if based_on != minutes.version:
        raise StaleVersion(current=minutes.version)
    text = unicodedata.normalize("NFC", text)
    version = await _editable_version(db, minutes)
    version.sections = [{**s, "text": text} if s["key"] == key else s for s in version.sections]
    version.prepared_sha256 = version.signed_sha256 = None
    version.approved_at, version.approved_by_id = None, None
    db.add(MinutesEdit(minutes_id=minutes.id, version=version.number, key=key, text=text,
                       saved_by_id=access.user.id, saved_at=utcnow()))
    await db.flush()
    return minutes


async def reset_section(db: AsyncSession, access: MeetingAccess, key: str,
                        based_on: int) -> Minutes:
    if key not in SECTION_KEYS:
        raise UnknownSection(section=key[:40])
    fresh = {s["key"]: s["text"] for s in await draft_sections(db, access.meeting)}
    return await save_section(db, access, key, fresh[key], based_on)


async def history(db: AsyncSession, minutes: Minutes, key: str | None = None) -> list[MinutesEdit]:
    query = select(MinutesEdit).where(MinutesEdit.minutes_id == minutes.id)
    if key is not None:
        query = query.where(MinutesEdit.key == key)
    return list(await db.scalars(query.order_by(MinutesEdit.id.desc()).limit(200)))


def minutes_json(minutes: Minutes, version: MinutesVersion, *, with_sections: bool
                 ) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": minutes.id, "meeting_id": minutes.meeting_id, "status": minutes.status.value,
        "version": minutes.version,
        "published_at": minutes.published_at.isoformat() if minutes.published_at else None,
        "approved_at": version.approved_at.isoformat() if version.approved_at else None,
        "pages": version.pages,
        "pdf_url": f"/api/v1/meetings/{minutes.meeting_id}/minutes.pdf"
        if (version.signed_sha256 or version.prepared_sha256) else None,
    }
    if with_sections:
        answer["sections"] = version.sections
    return answer


async def names_of(db: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    rows = await db.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
    return {int(user_id): name for user_id, name in rows}
