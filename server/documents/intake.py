"""From a received upload to a checked PDF ready for the store, or a clear refusal.

The order is the point: receive (streamed, counted), clean the name, sniff the
real type, convert Office files, open and count the PDF, and only then move
the bytes into the store, right before the database row is committed. Every
step before that works on temporary files that :meth:`Intake.discard` removes
whatever happens, so a refused upload leaves the store as it found it.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from ..settings import DocumentSettings
from .conversion import convert_to_pdf, find_soffice
from .filenames import clean_filename, extension_of, with_extension
from .service import NewVersion
from .store import DocumentStore
from .upload import Received, receive_upload
from .validation import Kind, check_pdf, sniff


@dataclass
class Intake:
    version: NewVersion
    fields: dict[str, str]
    # (temporary file, its hash) to move into the store once everything else is checked.
    files: list[tuple[Path, str]] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)

    def adopt(self, store: DocumentStore) -> None:
        """Move the checked files into the store (blocking)."""
        for path, sha256 in self.files:
            store.adopt(path, sha256)

    def discard(self) -> None:
        """Remove whatever is left of the temporary files (blocking; harmless after adopt)."""
        for path, _ in self.files:
            path.unlink(missing_ok=True)
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


async def take_in(
    request: web.Request, store: DocumentStore, settings: DocumentSettings,
    text_fields: frozenset[str],
) -> Intake:
    """Receive and check one upload; the caller adopts or discards the result."""
    loop = asyncio.get_running_loop()
    received = await receive_upload(request, store, settings.max_upload_mb, text_fields)
    intake = Intake(version=NewVersion("", "", 0, 0), fields=received.fields,
                    files=[(received.path, received.sha256)])
    try:
        filename = clean_filename(received.filename)
        kind = await loop.run_in_executor(None, sniff, received.path, filename)
        if kind is Kind.PDF:
            checked = await loop.run_in_executor(None, check_pdf, received.path)
            display = filename if extension_of(filename) == ".pdf" else with_extension(
                filename, ".pdf")
            intake.version = NewVersion(display, received.sha256, received.size, checked.pages)
        else:
            intake.version = await _convert(intake, received, kind, filename, store, settings)
    except BaseException:
        await loop.run_in_executor(None, intake.discard)
        raise
    return intake


async def _convert(
    intake: Intake, received: Received, kind: Kind, filename: str, store: DocumentStore,
    settings: DocumentSettings,
) -> NewVersion:
    loop = asyncio.get_running_loop()
    converted = await convert_to_pdf(
        find_soffice(settings.soffice), received.path, kind, store.incoming,
        settings.convert_timeout_seconds)
    intake.folders.append(converted.folder)
    checked = await loop.run_in_executor(None, check_pdf, converted.pdf)
    sha256, size = await loop.run_in_executor(None, _hash_file, converted.pdf)
    intake.files.append((converted.pdf, sha256))
    return NewVersion(
        filename=with_extension(filename, ".pdf"), sha256=sha256, size=size,
        pages=checked.pages, source_filename=filename, source_sha256=received.sha256)
