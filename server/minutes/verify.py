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

All of that is checked at one moment (now, or ``at``). The minutes are an archive
record, though: years later the signers' certificates have expired, or one was
revoked after it signed, and a check at that moment fails although the file was
valid when signed. So each signature also goes through pyHanko's AdES long-term
validation (ETSI EN 319 102-1 §5.6.3, ``ades_lta_validation``), in which the chain of
document timestamps after it is the evidence record: it proves that the signature,
the certificates and the CRLs in the DSS existed at the timestamp's time, and the
signature is then validated as of that time. A signature that fails now only by
expiry or by a revocation after that proven time, and passes long-term, is *valid
for the archive*; everything else that fails now stays a failure. AdES leaves a
PDF's later incremental updates out of its scope (pyHanko passes text appended after
the seal), so a change after a signature that the certification and the workflow do
not allow fails it long-term too.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import errors
from .document import SignerRole
from .long_term import EXPIRED, LongTerm, Moment, long_term_outcome, validate_long_term
from .signing import ROLE_OF_FIELD, read_pdf
from .trust import Trust, read_certificates, read_crls

log = logging.getLogger("phonghop.minutes.verify")


class Integrity(StrEnum):
    INTACT = "intact"
    MODIFIED = "modified"


class Chain(StrEnum):
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"
    EXPIRED = "expired"       # leads to a root, but a certificate on it had expired then


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


class Standing(StrEnum):
    """A signature's, or the whole file's, verdict."""

    VALID = "valid"
    VALID_FOR_ARCHIVE = "valid_for_archive"   # valid when signed, as the archive data proves
    INVALID = "invalid"


# Our own reason, beside the AdES sub-indications: changed after signing, not allowed.
DISALLOWED_CHANGE = "disallowed_change"


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
    long_term: LongTerm = LongTerm.INDETERMINATE
    long_term_reason: str | None = None  # AdES sub-indication ("no_poe"), or DISALLOWED_CHANGE
    proven_at: datetime | None = None  # the signature existed then, as the evidence proves

    @property
    def ok(self) -> bool:
        """Valid at the moment of checking."""
        return (self.integrity is Integrity.INTACT and self.chain is Chain.TRUSTED
                and self.revocation is not Revocation.REVOKED and self.change_allowed)

    @property
    def standing(self) -> Standing:
        """Valid now; or, when it fails now, valid for the archive if long-term validation
        passed (which proves it was valid when signed: the certificate has expired or was
        revoked since); invalid otherwise."""
        if self.ok:
            return Standing.VALID
        if (self.long_term is LongTerm.PASSED and self.integrity is Integrity.INTACT
                and self.change_allowed):
            return Standing.VALID_FOR_ARCHIVE
        return Standing.INVALID

    @property
    def chain_key(self) -> str:
        """Catalog key of the words for the chain (an expired one has its own section)."""
        if self.chain is Chain.EXPIRED:
            return "minutes.report.chain.expired"
        return f"minutes.report.{self.chain.value}"

    @property
    def change_key(self) -> str:
        """Catalog key of the sentence that says what changed after this signature."""
        return f"minutes.change.{self.change.value}"


@dataclass(frozen=True)
class Report:
    signatures: list[SignatureReport]
    expected: list[str]
    missing: list[str] = field(default_factory=list)
    checked_at: datetime | None = None  # the moment every signature was checked as of
    simulated: bool = False           # long-term part assumed the timestamps renewed

    @property
    def all_expected_present(self) -> bool:
        return not self.missing

    @property
    def valid(self) -> bool:
        """Valid at the moment of checking, and complete."""
        return bool(self.signatures) and self.all_expected_present and all(
            s.ok for s in self.signatures)

    @property
    def standing(self) -> Standing:
        """Valid; valid for the archive when no signature is invalid and at least one is
        only valid for the archive; invalid otherwise (a missing signer included)."""
        if self.valid:
            return Standing.VALID
        if bool(self.signatures) and self.all_expected_present and all(
                s.standing is not Standing.INVALID for s in self.signatures):
            return Standing.VALID_FOR_ARCHIVE
        return Standing.INVALID


def verify(pdf: bytes, trust_roots: Iterable[asn1_x509.Certificate | bytes],
           crls: Iterable[asn1_crl.CertificateList | bytes] = (),
           expected: Sequence[SignerRole | str] = (), *,
           allow_fetching: bool = False, at: datetime | None = None,
           assume_renewed: bool = False) -> Report:
    """Report on every signature of ``pdf`` against ``trust_roots`` (certificates, or
    PEM/DER bytes) and ``crls``; ``expected`` are the roles or signer names that must
    have signed; ``at`` is the moment to check as of (default: now); see
    :func:`verify_with` for ``assume_renewed``. Raises :class:`~.errors.NotAPdf` or
    :class:`~.errors.NotSigned`.

    Blocking (pyHanko runs its own event loop): call it from an executor."""
    trust = Trust(
        tuple(c for item in trust_roots for c in
              (read_certificates(item) if isinstance(item, bytes) else [item])),
        tuple(c for item in crls for c in
              (read_crls(item) if isinstance(item, bytes) else [item])),
        allow_fetching)
    return verify_with(pdf, trust, expected, at=at, assume_renewed=assume_renewed)


def verify_with(pdf: bytes, trust: Trust, expected: Sequence[SignerRole | str] = (), *,
                at: datetime | None = None, assume_renewed: bool = False) -> Report:
    """:func:`verify` with the trust material already read (e.g. from the settings).

    ``assume_renewed`` (with a future ``at``) makes the long-term part pyHanko's
    simulation of a future validation, which assumes that the archive has added a fresh
    document timestamp before each authority's certificate expired, and takes the file's
    own content as proven to exist now: the question an archivist asks today ("will this
    file still prove itself then?"). Without it, a moment past the last timestamp
    authority's certificate honestly finds no proof of existence."""
    if at is not None and at.utcoffset() is None:
        raise ValueError("at must carry a time zone")
    if assume_renewed and at is None:
        raise ValueError("assume_renewed needs the future moment (at)")
    reader = read_pdf(pdf)
    try:
        embedded = reader.embedded_signatures
    except Exception as e:  # a damaged /AcroForm or signature dictionary
        raise errors.NotAPdf() from e
    if not embedded:
        raise errors.NotSigned()
    moment = at or datetime.now(UTC)
    signatures = asyncio.run(_validate_all(reader, embedded, trust, Moment(
        moment, point_in_time=at is not None, simulated=assume_renewed)))
    wanted = [e.value if isinstance(e, SignerRole) else e for e in expected]
    present = [s for s in signatures if s.integrity is Integrity.INTACT]
    missing = [w for w in wanted if not any(_matches(w, s) for s in present)]
    return Report(signatures, wanted, missing, checked_at=moment, simulated=assume_renewed)


def _matches(wanted: str, signature: SignatureReport) -> bool:
    if signature.role is not None and signature.role.value == wanted:
        return True
    return _norm(signature.signer) == _norm(wanted)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


async def _validate_all(reader: PdfFileReader, embedded: list[EmbeddedPdfSignature],
                        trust: Trust, moment: Moment) -> list[SignatureReport]:
    dss_certs, dss_crls = _read_dss(reader)
    reports = []
    evidence_holds = False
    last = len(embedded) - 1
    for index, signature in enumerate(embedded):
        context = trust.context(certs=dss_certs, crls=dss_crls, moment=moment.context_moment)
        try:
            report, evidence = await _validate(signature, trust, context, dss_crls, dss_certs,
                                               moment, is_last=index == last)
        finally:
            await context.aclose()
        reports.append(report)
        evidence_holds = evidence_holds or evidence
    # A document timestamp is not an AdES signature of its own (pyHanko's long-term
    # validation calls it a format failure): it is the evidence record, which the
    # long-term validation of every signature before it validates first.
    return [_document_timestamp(r, evidence_holds) if r.document_timestamp else r
            for r in reports]


def _document_timestamp(report: SignatureReport, evidence_holds: bool) -> SignatureReport:
    if evidence_holds and report.proven_at is not None:  # intact, no forbidden change after
        return replace(report, long_term=LongTerm.PASSED, long_term_reason=None)
    return replace(report, proven_at=None)


async def _validate(signature: EmbeddedPdfSignature, trust: Trust, context: object,
                    dss_crls: list[asn1_crl.CertificateList],
                    dss_certs: list[asn1_x509.Certificate], moment: Moment, *,
                    is_last: bool) -> tuple[SignatureReport, bool]:
    """The report of one signature, and whether its long-term validation found the
    chain of document timestamps after it (the evidence record) valid."""
    is_timestamp = signature.sig_object_type == "/DocTimeStamp"
    if is_timestamp:
        status = await async_validate_pdf_timestamp(signature, validation_context=context)
        timestamp_time = status.timestamp
        signing_time = None
    else:
        ts_context = trust.context(certs=dss_certs, crls=dss_crls,
                                   moment=moment.context_moment)
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
    if status.trusted or status.revoked:
        chain = Chain.TRUSTED  # a revoked certificate was found on a path to a trust root
    elif status.trust_problem_indic in EXPIRED:
        chain = Chain.EXPIRED
    else:
        chain = Chain.UNTRUSTED
    intact = status.intact and status.valid
    evidence = False
    if is_timestamp:
        # Passed once a signature's long-term validation has validated the evidence record.
        long_term, reason = LongTerm.INDETERMINATE, AdESIndeterminate.NO_POE.name.lower()
        proven_at = timestamp_time if intact else None
    else:
        result = await validate_long_term(signature, trust, moment)
        evidence = result is not None and result.oldest_evidence_record_timestamp is not None
        long_term, reason, proven_at = long_term_outcome(result, moment.at)
    if long_term is not LongTerm.FAILED and not allowed:
        long_term, reason, proven_at = LongTerm.FAILED, DISALLOWED_CHANGE, None
    field_name = signature.field_name
    return SignatureReport(
        field=field_name,
        role=None if is_timestamp else ROLE_OF_FIELD.get(field_name),
        document_timestamp=is_timestamp,
        signer=_common_name(certificate),
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        integrity=Integrity.INTACT if intact else Integrity.MODIFIED,
        chain=chain,
        revocation=revocation,
        change=change,
        change_allowed=allowed,
        coverage=coverage,
        certification=signature.docmdp_level is not None,
        long_term=long_term,
        long_term_reason=reason,
        proven_at=proven_at,
    ), evidence


def _common_name(certificate: asn1_x509.Certificate) -> str:
    name = certificate.subject.native.get("common_name", "")
    return name[-1] if isinstance(name, list) else str(name)


def _revocation(certificate: asn1_x509.Certificate, crls: list[asn1_crl.CertificateList],
                issuers: list[asn1_x509.Certificate]) -> Revocation:
    """Revoked when a CRL signed by the certificate's issuer lists it, good when such CRLs
    do not, unknown when none is at hand. Every CRL is read: a newer one given to the
    verifier may list what the one sealed into the file could not yet."""
    cert = x509.load_der_x509_certificate(certificate.dump())
    issuer_keys = [x509.load_der_x509_certificate(c.dump()).public_key()
                   for c in issuers if c.subject == certificate.issuer]
    found = Revocation.UNKNOWN
    for item in crls:
        crl = x509.load_der_x509_crl(item.dump())
        if crl.issuer != cert.issuer:
            continue
        if not any(crl.is_signature_valid(key) for key in issuer_keys):  # type: ignore[arg-type]
            continue
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            return Revocation.REVOKED
        found = Revocation.GOOD
    return found


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

