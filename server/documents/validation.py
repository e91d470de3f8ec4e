"""What an uploaded file really is, and whether its PDF can be used.

The browser's Content-Type and the file's extension are claims; the bytes are
the fact. :func:`sniff` reads the signatures that cannot be faked by renaming:
``%PDF-`` for PDF, the OLE2 compound-file header for the old Office formats
(.doc, .xls, .ppt, told apart by the streams they hold), a zip holding
``[Content_Types].xml`` and its main part for Office Open XML (.docx, .xlsx,
.pptx), and a zip starting with a ``mimetype`` entry for OpenDocument. A name
that promises one of these over bytes of another (a zip renamed .docx, an image
renamed .pdf) is refused as a mismatch, because it nearly always means the user
picked the wrong file.

:func:`check_pdf` then opens the PDF with pypdf: encrypted files are refused
(they could be neither stamped nor merged, and tablets would ask for a
password), and so is anything pypdf cannot walk page by page, including a file
cut short in transfer (no ``%%EOF`` at its end). Both are blocking, pure
functions of a path: callers run them in an executor.
"""

from __future__ import annotations

import enum
import logging
import mmap
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import (
    DamagedFile,
    EmptyFile,
    EncryptedFile,
    FileTypeMismatch,
    NoPages,
    UnsupportedFileType,
)
from .filenames import extension_of

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
# PDF 1.7 (ISO 32000-1, 7.5.2) lets the header sit anywhere in the first 1024 bytes.
PDF_HEADER_WINDOW = 1024
EOF_WINDOW = 2048


class Kind(enum.StrEnum):
    PDF = "pdf"
    DOC = "doc"
    XLS = "xls"
    PPT = "ppt"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODT = "odt"
    ODS = "ods"
    ODP = "odp"

    @property
    def is_office(self) -> bool:
        return self is not Kind.PDF


EXTENSIONS: dict[Kind, frozenset[str]] = {
    Kind.PDF: frozenset({".pdf"}),
    Kind.DOC: frozenset({".doc"}),
    Kind.XLS: frozenset({".xls"}),
    Kind.PPT: frozenset({".ppt", ".pps"}),
    Kind.DOCX: frozenset({".docx"}),
    Kind.XLSX: frozenset({".xlsx"}),
    Kind.PPTX: frozenset({".pptx", ".ppsx"}),
    Kind.ODT: frozenset({".odt"}),
    Kind.ODS: frozenset({".ods"}),
    Kind.ODP: frozenset({".odp"}),
}
ACCEPTED_EXTENSIONS = frozenset().union(*EXTENSIONS.values())

# The main part of each Office Open XML kind, and the mimetype of each OpenDocument kind.
OOXML_PARTS = {"word/document.xml": Kind.DOCX, "xl/workbook.xml": Kind.XLSX,
               "ppt/presentation.xml": Kind.PPTX}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": Kind.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": Kind.ODS,
    b"application/vnd.oasis.opendocument.presentation": Kind.ODP,
}
# OLE2 stream names (UTF-16LE in the directory) of each old Office kind.
OLE2_STREAMS = ((b"W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0", Kind.DOC),
                (b"W\0o\0r\0k\0b\0o\0o\0k\0", Kind.XLS),
                (b"P\0o\0w\0e\0r\0P\0o\0i\0n\0t\0 \0D\0o\0c\0u\0m\0e\0n\0t\0", Kind.PPT))
# An encrypted .docx/.xlsx/.pptx is an OLE2 file wrapping the encrypted package.
OLE2_ENCRYPTED = b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0"

IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\0",
                b"MM\0*", b"BM")

log = logging.getLogger("phonghop.documents")


def sniff(path: Path, filename: str) -> Kind:
    """The kind of the file at ``path``, checked against the extension of ``filename``."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile()
    with path.open("rb") as f:
        head = f.read(8192)
    kind, content_key = _kind_of(path, head)
    extension = extension_of(filename)
    if kind is None:
        if extension in ACCEPTED_EXTENSIONS:
            raise FileTypeMismatch(extension=extension, content_key=content_key)
        raise UnsupportedFileType(content_key=content_key)
    if extension in ACCEPTED_EXTENSIONS and extension not in EXTENSIONS[kind]:
        raise FileTypeMismatch(extension=extension, content_key=f"documents.kind.{kind.value}")
    return kind


def _kind_of(path: Path, head: bytes) -> tuple[Kind | None, str]:
    """The kind, or None and the catalog key describing what the bytes are instead."""
    if 0 <= head.find(PDF_MAGIC) < PDF_HEADER_WINDOW:
        return Kind.PDF, "documents.kind.pdf"
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(path)
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(IMAGE_MAGICS) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return None, "documents.kind.image"
    return None, "documents.kind.unknown"


def _ole2_kind(path: Path) -> tuple[Kind | None, str]:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(OLE2_ENCRYPTED) >= 0:
            raise EncryptedFile()
        for name, kind in OLE2_STREAMS:
            if data.find(name) >= 0:
                return kind, f"documents.kind.{kind.value}"
    return None, "documents.kind.ole2"


def _zip_kind(path: Path) -> tuple[Kind | None, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = ODF_MIMETYPES.get(archive.read("mimetype").strip())
                if kind is not None:
                    return kind, f"documents.kind.{kind.value}"
            if "[Content_Types].xml" in names:
                for part, kind in OOXML_PARTS.items():
                    if part in names:
                        return kind, f"documents.kind.{kind.value}"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError):
        raise DamagedFile() from None
    return None, "documents.kind.zip"


@dataclass(frozen=True)
class CheckedPdf:
    pages: int


def check_pdf(path: Path) -> CheckedPdf:
    """Open the PDF and walk every page; refuse what cannot be used. Blocking."""
    from pypdf import PdfReader

    size = path.stat().st_size
    if size == 0:
        raise EmptyFile()
    with path.open("rb") as f:
        f.seek(max(0, size - EOF_WINDOW))
        if b"%%EOF" not in f.read():
            raise DamagedFile()
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise EncryptedFile()
        pages = len(reader.pages)
        for page in reader.pages:
            # Resolving the box and decoding the content stream reaches every object a
            # viewer needs to draw the page; a broken reference or stream fails here.
            _ = page.mediabox
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
    except EncryptedFile:
        raise
    except Exception as error:  # pypdf raises many kinds for broken files
        log.info("refused a damaged PDF: %s", error)
        raise DamagedFile() from None
    if pages == 0:
        raise NoPages()
    return CheckedPdf(pages=pages)
