"""The document store: files named by their SHA-256, written once, never changed.

A file is written to a temporary name in the same folder, flushed to disk and
renamed into place, so a reader never sees half a file and a crash leaves at
most an orphaned temporary file, never a wrong one. Identical content shares
one file.

Uploads arrive in pieces, so they are written to a temporary file in
``.incoming/`` (inside the store, hence on the same file system, so that the
final rename is atomic) and adopted under their hash only once they have been
checked; a refused upload's temporary file is deleted and leaves no trace.
What a crash leaves there is swept away on the first upload after a start,
once it is a day old (a live upload or conversion is never that old).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..settings import ROOT

STALE_SECONDS = 24 * 3600


class DocumentStore:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        path = Path(folder)
        self.root = path if path.is_absolute() else ROOT / path
        self._swept = False

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (blocking: call from an executor) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    @property
    def incoming(self) -> Path:
        return self.root / ".incoming"

    def new_incoming(self, suffix: str = "") -> Path:
        """A fresh, empty temporary file in the store's ``.incoming`` folder (blocking)."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        if not self._swept:
            self._swept = True
            self.sweep_incoming()
        fd, name = tempfile.mkstemp(dir=self.incoming, prefix="upload-", suffix=suffix)
        os.close(fd)
        return Path(name)

    def adopt(self, tmp: Path, sha256: str) -> None:
        """Move the checked temporary file ``tmp`` into place as ``sha256`` (blocking).

        The caller computed the hash while writing; an existing file of that hash is
        kept (same bytes) and ``tmp`` removed.
        """
        target = self.path_for(sha256)
        try:
            if target.exists():
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def sweep_incoming(self, older_than: float = STALE_SECONDS) -> int:
        """Remove uploads and conversions left in ``.incoming`` by a crash (blocking)."""
        removed = 0
        limit = time.time() - older_than
        for entry in self.incoming.iterdir() if self.incoming.is_dir() else ():
            try:
                if entry.lstat().st_mtime >= limit:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed += 1
            except FileNotFoundError:
                continue
        return removed
