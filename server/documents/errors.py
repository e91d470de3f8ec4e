"""Errors of the documents area, each with a stable code and a catalog message.

Every refusal of an upload says what was wrong with the file in words a
secretary can act on ("remove the password", "convert it to PDF first"), never
a parser's exception text. Statuses follow what was wrong: 413 for size, 415 for
a kind of file we do not take, 422 for a file of the right kind that cannot be
used (empty, damaged, encrypted, without pages).
"""

from __future__ import annotations

from ..errors import DomainError


class UploadTooLarge(DomainError):
    status = 413
    code = "upload_too_large"
    message_key = "documents.upload_too_large"


class UploadNoFile(DomainError):
    code = "upload_no_file"
    message_key = "documents.upload_no_file"


class UploadMalformed(DomainError):
    """The multipart body ended early or is not multipart at all."""

    code = "upload_malformed"
    message_key = "documents.upload_malformed"


class EmptyFile(DomainError):
    status = 422
    code = "empty_file"
    message_key = "documents.empty_file"


class UnsupportedFileType(DomainError):
    status = 415
    code = "unsupported_file_type"
    message_key = "documents.unsupported_file_type"


class FileTypeMismatch(DomainError):
    """A name that promises one kind of file over bytes of another (a zip named .docx)."""

    status = 415
    code = "file_type_mismatch"
    message_key = "documents.file_type_mismatch"


class EncryptedFile(DomainError):
    status = 422
    code = "encrypted_file"
    message_key = "documents.encrypted_file"


class DamagedFile(DomainError):
    status = 422
    code = "damaged_file"
    message_key = "documents.damaged_file"


class NoPages(DomainError):
    status = 422
    code = "no_pages"
    message_key = "documents.no_pages"


class ConverterMissing(DomainError):
    status = 415
    code = "converter_missing"
    message_key = "documents.converter_missing"


class ConversionFailed(DomainError):
    status = 422
    code = "conversion_failed"
    message_key = "documents.conversion_failed"


class ReaderNotParticipant(DomainError):
    code = "reader_not_participant"
    message_key = "documents.reader_not_participant"


class NothingToPack(DomainError):
    status = 409
    code = "nothing_to_pack"
    message_key = "documents.nothing_to_pack"
