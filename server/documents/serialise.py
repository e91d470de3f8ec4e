"""JSON shapes and URLs of documents, shared by the API, the manifest and the pages.

File URLs carry the SHA-256 of the bytes they answer with, so they never change
meaning: a tablet caches each one for good and fetches a new version only when
the manifest shows a new hash. A confidential document has no such URL; its
``url`` is the stamped copy, made afresh for each request.
"""

from __future__ import annotations

from typing import Any

from .filenames import url_segment
from .models import Document, DocumentAccess, DocumentVersion


def file_url(document_id: int, sha256: str, filename: str) -> str:
    return f"/files/{document_id}/{sha256}/{url_segment(filename)}"


def stamped_url(document: Document) -> str:
    return f"/files/{document.id}/stamped/{url_segment(document.current.filename)}"


def pack_url(meeting_id: int, pack_hash: str, filename: str) -> str:
    return f"/files/board-packs/{meeting_id}/{pack_hash}/{url_segment(filename)}"


def version_json(document: Document, version: DocumentVersion) -> dict[str, Any]:
    confidential = document.access == DocumentAccess.CONFIDENTIAL
    return {
        "number": version.number,
        "filename": version.filename,
        "sha256": None if confidential else version.sha256,
        "size": None if confidential else version.size,
        "pages": version.pages,
        "source_filename": version.source_filename or None,
        "created_at": version.created_at.isoformat() if version.created_at else None,
        "url": None if confidential else file_url(document.id, version.sha256, version.filename),
        "source_url": None if confidential or not version.source_sha256 else file_url(
            document.id, version.source_sha256, version.source_filename),
    }


def document_url(document: Document) -> str:
    """Where a reader opens the current version."""
    if document.access == DocumentAccess.CONFIDENTIAL:
        return stamped_url(document)
    current = document.current
    return file_url(document.id, current.sha256, current.filename)


def document_json(document: Document, readers: list[int] | None = None) -> dict[str, Any]:
    """The document with every version; ``readers`` (participant ids) for editors only."""
    data: dict[str, Any] = {
        "id": document.id,
        "meeting_id": document.meeting_id,
        "title": document.title,
        "agenda_item_id": document.agenda_item_id,
        "access": document.access.value,
        "position": document.position,
        "view_only": document.access == DocumentAccess.CONFIDENTIAL,
        "url": document_url(document),
        "current": version_json(document, document.current),
        "versions": [version_json(document, v) for v in document.versions],
    }
    if readers is not None:
        data["readers"] = readers
    return data
