"""Checking a signed minutes: each signature, what changed after it, and who is missing.

A signature's byte range only says that the bytes it covers are unchanged. A
validator that stops there (poppler's ``pdfsig``, many viewers) calls a file valid
when text was added in a later incremental update, and a file cut back to an
earlier revision validates perfectly. So, for every signature, this reports:

- integrity: the covered bytes hash to what was signed (intact / modified);
- chain: the signer's certificate leads to a configured trust root (trusted /
  untrusted), checked by pyhanko-certvalidator without the network unless allowed;
- revocation: good (a CRL from the issuer does not list it), revoked, or unknown
  (no CRL from that issuer, given or embedded);
- what changed after it: pyHanko's difference analysis of the later revisions
  (nothing, validation data, form filling such as later signatures, annotations,
  or other changes), and whether the certification (DocMDP) allows that;
- coverage: the whole file, or an earlier revision;

and whether every expected signer is present, which is what catches the
truncated file.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import errors
from .document import SignerRole
from .signing import ROLE_OF_FIELD, read_pdf
from .trust import Trust, read_certificates, read_crls


class Integrity(StrEnum):
    INTACT = "intact"
    MODIFIED = "modified"


class Chain(StrEnum):
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"


class Revocation(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


class Coverage(StrEnum):
    WHOLE_FILE = "whole_file"
    EARLIER_REVISION = "earlier_revision"
    UNCLEAR = "unclear"


class Change(StrEnum):
    """What the revisions after a signature did, from the least to the most."""

    NONE = "none"
    VALIDATION_DATA = "validation_data"   # DSS and document timestamps (PAdES LTA)
    FORM_FILLING = "form_filling"         # later signatures in the prepared fields
    ANNOTATIONS = "annotations"
    OTHER = "other"                       # content, pages, anything else


_CHANGES = {
    ModificationLevel.NONE: Change.NONE,
    ModificationLevel.LTA_UPDATES: Change.VALIDATION_DATA,
    ModificationLevel.FORM_FILLING: Change.FORM_FILLING,
    ModificationLevel.ANNOTATIONS: Change.ANNOTATIONS,
    ModificationLevel.OTHER: Change.OTHER,
}
_ORDER = list(Change)


@dataclass(frozen=True)
class SignatureReport:
    field: str                        # the signature field's name
    role: SignerRole | None           # from the field name; None for a document timestamp
    document_timestamp: bool
    signer: str                       # the certificate's common name
    signing_time: datetime | None     # as the signer's computer claimed it
    timestamp_time: datetime | None   # from the timestamp authority
    integrity: Integrity
    chain: Chain
    revocation: Revocation
    change: Change                    # what the later revisions did
    change_allowed: bool              # within the certification's DocMDP and our workflow
    coverage: Coverage
    certification: bool               # the chair's DocMDP signature

    @property
    def ok(self) -> bool:
        return (self.integrity is Integrity.INTACT and self.chain is Chain.TRUSTED
                and self.revocation is not Revocation.REVOKED and self.change_allowed)

    @property
    def change_key(self) -> str:
        """Catalog key of the sentence that says what changed after this signature."""
        return f"minutes.change.{self.change.value}"


@dataclass(frozen=True)
class Report:
    signatures: list[SignatureReport]
    expected: list[str]
    missing: list[str] = field(default_factory=list)

    @property
    def all_expected_present(self) -> bool:
        return not self.missing

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and self.all_expected_present and all(
            s.ok for s in self.signatures)


def verify(pdf: bytes, trust_roots: Iterable[asn1_x509.Certificate | bytes],
           crls: Iterable[asn1_crl.CertificateList | bytes] = (),
           expected: Sequence[SignerRole | str] = (), *,
           allow_fetching: bool = False) -> Report:
    """Report on every signature of ``pdf`` against ``trust_roots`` (certificates, or
    PEM/DER bytes) and ``crls``; ``expected`` are the roles or signer names that must
    have signed. Raises :class:`~.errors.NotAPdf` or :class:`~.errors.NotSigned`.

    Blocking (pyHanko runs its own event loop): call it from an executor."""
    trust = Trust(
        tuple(c for item in trust_roots for c in
              (read_certificates(item) if isinstance(item, bytes) else [item])),
        tuple(c for item in crls for c in
              (read_crls(item) if isinstance(item, bytes) else [item])),
        allow_fetching)
    return verify_with(pdf, trust, expected)


def verify_with(pdf: bytes, trust: Trust, expected: Sequence[SignerRole | str] = ()) -> Report:
    """:func:`verify` with the trust material already read (e.g. from the settings)."""
    reader = read_pdf(pdf)
    try:
        embedded = reader.embedded_signatures
    except Exception as e:  # a damaged /AcroForm or signature dictionary
        raise errors.NotAPdf() from e
    if not embedded:
        raise errors.NotSigned()
    signatures = asyncio.run(_validate_all(reader, embedded, trust))
    wanted = [e.value if isinstance(e, SignerRole) else e for e in expected]
    present = [s for s in signatures if s.integrity is Integrity.INTACT]
    missing = [w for w in wanted if not any(_matches(w, s) for s in present)]
    return Report(signatures, wanted, missing)


def _matches(wanted: str, signature: SignatureReport) -> bool:
    if signature.role is not None and signature.role.value == wanted:
        return True
    return _norm(signature.signer) == _norm(wanted)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


async def _validate_all(reader: PdfFileReader, embedded: list[EmbeddedPdfSignature],
                        trust: Trust) -> list[SignatureReport]:
    dss_certs, dss_crls = _read_dss(reader)
    reports = []
    last = len(embedded) - 1
    for index, signature in enumerate(embedded):
        context = trust.context(certs=dss_certs, crls=dss_crls)
        try:
            reports.append(await _validate(signature, trust, context, dss_crls,
                                           dss_certs, is_last=index == last))
        finally:
            await context.aclose()
    return reports


async def _validate(signature: EmbeddedPdfSignature, trust: Trust, context: object,
                    dss_crls: list[asn1_crl.CertificateList],
                    dss_certs: list[asn1_x509.Certificate], *,
                    is_last: bool) -> SignatureReport:
    is_timestamp = signature.sig_object_type == "/DocTimeStamp"
    if is_timestamp:
        status = await async_validate_pdf_timestamp(signature, validation_context=context)
        timestamp_time = status.timestamp
        signing_time = None
    else:
        ts_context = trust.context(certs=dss_certs, crls=dss_crls)
        try:
            status = await async_validate_pdf_signature(
                signature, signer_validation_context=context,
                ts_validation_context=ts_context)
        finally:
            await ts_context.aclose()
        signing_time = status.signer_reported_dt
        timestamp_time = (status.timestamp_validity.timestamp
                          if status.timestamp_validity is not None else None)
    level = status.modification_level
    change = _CHANGES.get(level, Change.OTHER) if level is not None else Change.OTHER
    # Later signatures fill the prepared fields (form filling); after the last one
    # only validation data and document timestamps may follow.
    limit = Change.VALIDATION_DATA if is_last else Change.FORM_FILLING
    allowed = status.docmdp_ok is not False and _ORDER.index(change) <= _ORDER.index(limit)
    certificate = status.signing_cert
    revocation = Revocation.REVOKED if status.revoked else _revocation(
        certificate, [*trust.crls, *dss_crls], [*trust.roots, *dss_certs,
                                                *signature.other_embedded_certs])
    coverage = {SignatureCoverageLevel.ENTIRE_FILE: Coverage.WHOLE_FILE,
                SignatureCoverageLevel.ENTIRE_REVISION: Coverage.EARLIER_REVISION,
                }.get(status.coverage, Coverage.UNCLEAR)
    field_name = signature.field_name
    return SignatureReport(
        field=field_name,
        role=None if is_timestamp else ROLE_OF_FIELD.get(field_name),
        document_timestamp=is_timestamp,
        signer=_common_name(certificate),
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        integrity=Integrity.INTACT if status.intact and status.valid else Integrity.MODIFIED,
        # A revoked certificate was found on a path to a trust root: the chain holds.
        chain=Chain.TRUSTED if status.trusted or status.revoked else Chain.UNTRUSTED,
        revocation=revocation,
        change=change,
        change_allowed=allowed,
        coverage=coverage,
        certification=signature.docmdp_level is not None,
    )


def _common_name(certificate: asn1_x509.Certificate) -> str:
    name = certificate.subject.native.get("common_name", "")
    return name[-1] if isinstance(name, list) else str(name)


def _revocation(certificate: asn1_x509.Certificate, crls: list[asn1_crl.CertificateList],
                issuers: list[asn1_x509.Certificate]) -> Revocation:
    """Good when a CRL signed by the certificate's issuer does not list it; unknown
    when no such CRL is at hand. (A listed one is already reported by pyHanko.)"""
    cert = x509.load_der_x509_certificate(certificate.dump())
    issuer_keys = [x509.load_der_x509_certificate(c.dump()).public_key()
                   for c in issuers if c.subject == certificate.issuer]
    for item in crls:
        crl = x509.load_der_x509_crl(item.dump())
        if crl.issuer != cert.issuer:
            continue
        if not any(crl.is_signature_valid(key) for key in issuer_keys):  # type: ignore[arg-type]
            continue
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            return Revocation.REVOKED
        return Revocation.GOOD
    return Revocation.UNKNOWN


def _read_dss(reader: PdfFileReader) -> tuple[list[asn1_x509.Certificate],
                                              list[asn1_crl.CertificateList]]:
    """The certificates and CRLs a sealed (B-LT/B-LTA) file carries for the archive."""
    try:
        dss = reader.root["/DSS"]
    except KeyError:
        return [], []
    certs = [asn1_x509.Certificate.load(ref.get_object().data)
             for ref in dss.get("/Certs", [])]
    crls = [asn1_crl.CertificateList.load(ref.get_object().data)
            for ref in dss.get("/CRLs", [])]
    return certs, crls

