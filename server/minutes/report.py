"""Verifying a signed PDF over HTTP: the upload read with a limit, and the report as JSON
in the reader's language (what each signature says, at the moment of checking and in the
long term, and one verdict: valid, valid for the archive, or invalid)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from ..errors import TooLarge, UnsupportedMediaType
from ..i18n import translate
from .appearance import vietnam_time
from .verify import Report, SignatureReport, Standing

CHUNK = 256 * 1024


async def _limited(read: Callable[[int], Awaitable[bytes]], limit: int, max_mb: int) -> bytes:
    data = bytearray()
    while chunk := await read(CHUNK):
        data += chunk
        if len(data) > limit:
            raise TooLarge(max_mb=max_mb)
    return bytes(data)


async def read_upload(request: web.Request, max_mb: int) -> bytes:
    """The PDF of a request: its body as ``application/pdf``, or the ``file`` field of a
    form; larger than ``max_mb`` is refused while reading, before it is all in memory."""
    limit = max_mb * 1024 * 1024
    if request.content_type == "application/pdf":
        return await _limited(request.content.read, limit, max_mb)
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == "file":
                return await _limited(part.read_chunk, limit, max_mb)
    raise UnsupportedMediaType()


def _time(moment: Any) -> str | None:
    return vietnam_time(moment) if moment else None


def signature_json(signature: SignatureReport, locale: str) -> dict[str, Any]:
    return {
        "field": signature.field,
        "role": signature.role.value if signature.role else None,
        "role_name": translate(locale, f"minutes.role.{signature.role.value}")
        if signature.role else translate(locale, "minutes.report.document_timestamp"),
        "document_timestamp": signature.document_timestamp,
        "signer": signature.signer,
        "signing_time": _time(signature.signing_time),
        "timestamp_time": _time(signature.timestamp_time),
        "integrity": signature.integrity.value,
        "chain": signature.chain.value,
        "revocation": signature.revocation.value,
        "coverage": signature.coverage.value,
        "change": signature.change.value,
        "change_allowed": signature.change_allowed,
        "certification": signature.certification,
        "ok": signature.ok,
        "long_term": signature.long_term.value,
        "long_term_reason": signature.long_term_reason,
        "proven_at": _time(signature.proven_at),
        "standing": signature.standing.value,
        "says": [translate(locale, f"minutes.report.{signature.integrity.value}"),
                 translate(locale, signature.chain_key),
                 translate(locale, f"minutes.report.{signature.revocation.value}"),
                 translate(locale, f"minutes.report.{signature.coverage.value}"),
                 translate(locale, signature.change_key),
                 translate(locale, f"minutes.report.long_term.{signature.long_term.value}")],
    }


_VERDICTS = {Standing.VALID: "minutes.report.valid",
             Standing.VALID_FOR_ARCHIVE: "minutes.report.standing.valid_for_archive",
             Standing.INVALID: "minutes.report.invalid"}


def report_json(report: Report, locale: str) -> dict[str, Any]:
    return {
        "valid": report.valid,
        "standing": report.standing.value,
        "checked_at": _time(report.checked_at),
        "simulated": report.simulated,
        "all_expected_present": report.all_expected_present,
        "expected": report.expected,
        "missing": report.missing,
        "missing_names": [translate(locale, f"minutes.role.{m}") for m in report.missing],
        "signatures": [signature_json(s, locale) for s in report.signatures],
        "verdict": translate(locale, _VERDICTS[report.standing]),
    }
