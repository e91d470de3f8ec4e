"""A meeting's manifest: what this caller may read, in agenda order, with hashes.

Tablets fetch it when they open a meeting (and again when told something
changed), compare it with what they hold and prefetch the missing files before
the meeting starts, when the hall's Wi-Fi is quiet. Its ``hash`` summarises the
whole list, so "anything new?" is one comparison. Each caller has their own
manifest, since named and confidential documents differ per reader.

Confidential entries are marked ``view_only`` and carry no hash or size: their
bytes are a stamped copy made per request, which a tablet must not cache.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..meetings.access import MeetingAccess
from ..meetings.agenda import agenda_tree, numbered_items
from .access import may_read, named_documents
from .models import Document, DocumentAccess
from .serialise import document_url
from .service import documents_of


@dataclass(frozen=True)
class Section:
    """An agenda item (or, with ``item_id`` None, the general documents) and its papers."""

    item_id: int | None
    number: str  # "2.1"; "" for the general documents
    title: str
    depth: int
    documents: list[Document]


async def readable_sections(db: AsyncSession, access: MeetingAccess) -> list[Section]:
    """The caller's readable documents grouped by agenda item, in agenda order."""
    named = await named_documents(db, access)
    documents = [d for d in await documents_of(db, access.meeting.id)
                 if may_read(access, d, named)]
    by_item: dict[int | None, list[Document]] = {}
    for document in documents:
        by_item.setdefault(document.agenda_item_id, []).append(document)
    sections = [Section(node.item.id, number, node.item.title, depth,
                        by_item.get(node.item.id, []))
                for number, depth, node in numbered_items(await agenda_tree(db, access.meeting.id))]
    sections.append(Section(None, "", "", 0, by_item.get(None, [])))
    return sections


def entry_json(document: Document, section: Section) -> dict[str, Any]:
    current = document.current
    confidential = document.access == DocumentAccess.CONFIDENTIAL
    return {
        "id": document.id,
        "title": document.title,
        "agenda_item_id": document.agenda_item_id,
        "agenda_number": section.number or None,
        "access": document.access.value,
        "view_only": confidential,
        "version": current.number,
        "filename": current.filename,
        "sha256": None if confidential else current.sha256,
        "size": None if confidential else current.size,
        "pages": current.pages,
        "url": document_url(document),
    }


def manifest_hash(entries: list[dict[str, Any]]) -> str:
    canonical = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def manifest_for(db: AsyncSession, access: MeetingAccess) -> dict[str, Any]:
    sections = await readable_sections(db, access)
    entries = [entry_json(d, s) for s in sections for d in s.documents]
    meeting_id = access.meeting.id
    return {
        "meeting_id": meeting_id,
        "hash": manifest_hash(entries),
        "documents": entries,
        "board_pack": {
            "url": f"/api/v1/meetings/{meeting_id}/board-pack",
            "documents": sum(not e["view_only"] for e in entries),
        },
    }
