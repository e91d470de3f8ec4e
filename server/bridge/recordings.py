"""A meeting's recordings on disk, as the bridge workers leave them.

A worker writes ``{recordings}/{meeting id}/{UTC start}-{pid}.mkv`` (docs/video.md),
named by :func:`file_name`; a meeting that moved to another worker, or was recorded
again after a pause, has several. Only names of exactly that shape are listed or
served, so nothing else in the folder (and nothing outside it) can be reached through a
request's path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import NotFound

NAME = re.compile(r"(?P<start>\d{8}T\d{6}Z)-\d{1,10}\.mkv")
STARTED = "%Y%m%dT%H%M%SZ"  # the start in a name, UTC
MEDIA_TYPE = "video/x-matroska"


def file_name(started: datetime, pid: int) -> str:
    """The name a worker (process ``pid``) gives a recording started at ``started``."""
    return f"{started.astimezone(UTC).strftime(STARTED)}-{pid}.mkv"


@dataclass(frozen=True)
class Recording:
    name: str
    path: Path
    size: int
    started_at: datetime
    updated_at: datetime


def _recording(path: Path) -> Recording | None:
    match = NAME.fullmatch(path.name)
    if match is None or not path.is_file():
        return None
    stat = path.stat()
    return Recording(
        name=path.name, path=path, size=stat.st_size,
        started_at=datetime.strptime(match["start"], STARTED).replace(tzinfo=UTC),
        updated_at=datetime.fromtimestamp(stat.st_mtime, UTC))


def recordings_of(folder: Path, meeting_id: int) -> list[Recording]:
    """The meeting's recordings, oldest first (none when nothing was recorded)."""
    meeting_folder = folder / str(meeting_id)
    if not meeting_folder.is_dir():
        return []
    found = (_recording(p) for p in meeting_folder.iterdir())
    return sorted((r for r in found if r is not None), key=lambda r: (r.started_at, r.name))


def recording(folder: Path, meeting_id: int, name: str) -> Recording:
    """One recording by its file name; :class:`NotFound` for any other name."""
    found = _recording(folder / str(meeting_id) / name) if NAME.fullmatch(name) else None
    if found is None:
        raise NotFound()
    return found
