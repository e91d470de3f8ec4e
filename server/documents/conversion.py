"""Office files to PDF with LibreOffice headless, when it is installed.

Tablets show PDF only (PDF.js), so a .docx is turned into a PDF once, at upload,
and the original is kept beside it (``source_sha256``). LibreOffice runs as a
child process, never in the server: each conversion gets its own throwaway
profile folder (``-env:UserInstallation``), because two soffice processes
sharing a profile block each other or quietly hand the job to the first one,
and its own process group, so that a conversion that hangs on a strange file is
killed whole (soffice starts ``soffice.bin`` beneath it) when the timeout comes.

Without LibreOffice (``documents.soffice`` empty or not found) Office files are
refused with a message asking for a PDF: a server that cannot convert should
say so, not store a file no tablet can open.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ConversionFailed, ConverterMissing
from .validation import Kind

log = logging.getLogger("phonghop.documents")


def find_soffice(setting: str) -> str | None:
    """The LibreOffice command named by ``documents.soffice``, or None when there is none."""
    if not setting:
        return None
    return shutil.which(setting)


@dataclass(frozen=True)
class Converted:
    folder: Path  # the conversion's own folder: remove it with shutil.rmtree when done
    pdf: Path


async def convert_to_pdf(
    soffice: str | None, source: Path, kind: Kind, work_root: Path, timeout: float
) -> Converted:
    """Convert ``source`` (an Office file of ``kind``) to PDF in a fresh folder under
    ``work_root``, which the caller removes once the PDF has been stored or refused."""
    if soffice is None:
        raise ConverterMissing()
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=work_root, prefix="convert-"))
    # soffice picks its import filter partly from the extension, so give it the real one.
    named = work / f"source.{kind.value}"
    os.link(source, named)
    out = work / "out"
    command = [
        soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless", "--norestore", "--nolockcheck", "--nodefault",
        "--convert-to", "pdf", "--outdir", str(out), str(named),
    ]
    env = {**os.environ, "HOME": str(work)}
    process = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        _kill_group(process)
        await process.wait()
        shutil.rmtree(work, ignore_errors=True)
        log.warning("LibreOffice did not finish a %s conversion in %ss", kind.value, timeout)
        raise ConversionFailed() from None
    except asyncio.CancelledError:
        # The uploader went away: stop LibreOffice too, and let the cancellation go on.
        _kill_group(process)
        shutil.rmtree(work, ignore_errors=True)
        raise
    result = out / "source.pdf"
    if process.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
        log.warning("LibreOffice could not convert a %s file (status %s): %s", kind.value,
                    process.returncode, output.decode(errors="replace")[-500:])
        shutil.rmtree(work, ignore_errors=True)
        raise ConversionFailed()
    return Converted(folder=work, pdf=result)


def _kill_group(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

