"""Long-term validation of a signed minutes: the sealed file (PAdES B-LTA) proves, years
later, that it was valid when signed — after its signers' certificates have expired, or one
was revoked after the seal — and says so as "valid for the archive"; the file that was never
sealed, a tampered one and a signer revoked before signing do not get that far."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from server.i18n import translate
from server.minutes.document import SignerRole
from server.minutes.pki import make_crl
from server.minutes.report import report_json
from server.minutes.signing import ORDER, sign
from server.minutes.verify import (
    DISALLOWED_CHANGE,
    Chain,
    Integrity,
    LongTerm,
    Report,
    Revocation,
    SignatureReport,
    Standing,
    verify,
)
from tests.minutes.signing_fixtures import APPEARANCES, Material, byte_flipped, text_appended

EXPECTED = list(ORDER)


def _verify(pdf: bytes, material: Material, *, crls: list[bytes] | None = None,
            at: datetime | None = None, assume_renewed: bool = False,
            expected: list[SignerRole] = EXPECTED) -> Report:
    return verify(pdf, [material.ca_pem], [material.crl_pem] if crls is None else crls,
                  expected, at=at, assume_renewed=assume_renewed)


def _signers_expired(material: Material) -> datetime:
    """A day after the last signer's certificate expired, while the CA and the timestamp
    authority are still valid (the dev PKI gives signers two years, them ten)."""
    pki = material.pki
    signers = max(pki.signers[role.value].certificate.not_valid_after_utc for role in ORDER)
    assert signers + timedelta(days=1) < min(pki.ca.certificate.not_valid_after_utc,
                                             pki.tsa.certificate.not_valid_after_utc)
    return signers + timedelta(days=1)


def _all_expired(material: Material) -> datetime:
    """Thirty years from now: every certificate of the dev PKI has long expired."""
    pki = material.pki
    at = datetime.now(UTC) + timedelta(days=30 * 365)
    assert all(c.not_valid_after_utc < at for c in [
        pki.ca.certificate, pki.tsa.certificate,
        *(issued.certificate for issued in pki.signers.values())])
    return at


def _people(report: Report) -> list[SignatureReport]:
    return [s for s in report.signatures if not s.document_timestamp]


def test_the_sealed_minutes_pass_long_term_validation_now(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    report = _verify(stages[SignerRole.SEAL], material)
    assert report.standing is Standing.VALID
    assert {s.long_term for s in report.signatures} == {LongTerm.PASSED}
    # Each signature is proven to exist by its own signature timestamp.
    assert all(s.proven_at == s.timestamp_time for s in _people(report))


def test_once_the_signers_certificates_expired_the_sealed_minutes_are_valid_for_the_archive(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    # Not a simulation: the document timestamp's authority is still valid then.
    report = _verify(stages[SignerRole.SEAL], material, at=_signers_expired(material))
    people = _people(report)
    assert {s.chain for s in people} == {Chain.EXPIRED}
    assert not report.valid and not any(s.ok for s in people)
    assert report.standing is Standing.VALID_FOR_ARCHIVE
    assert {s.long_term for s in report.signatures} == {LongTerm.PASSED}
    assert all(s.proven_at is not None and s.proven_at == s.timestamp_time for s in people)


def test_after_every_certificate_expired_the_sealed_minutes_stay_valid_for_the_archive_if_timestamps_are_renewed(  # noqa: E501
        stages: dict[SignerRole, bytes], material: Material) -> None:
    report = _verify(stages[SignerRole.SEAL], material, at=_all_expired(material),
                     assume_renewed=True)
    assert report.simulated
    assert {s.chain for s in report.signatures} == {Chain.EXPIRED}  # the present-time check
    assert not report.valid
    assert {s.long_term for s in report.signatures} == {LongTerm.PASSED}
    assert report.standing is Standing.VALID_FOR_ARCHIVE
    sealed_at = report.signatures[-1].timestamp_time
    assert sealed_at is not None
    assert all(s.proven_at is not None and s.proven_at <= sealed_at for s in report.signatures)


def test_after_every_certificate_expired_without_a_renewed_timestamp_nothing_is_proven(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    report = _verify(stages[SignerRole.SEAL], material, at=_all_expired(material))
    assert {(s.long_term, s.long_term_reason) for s in report.signatures} == {
        (LongTerm.INDETERMINATE, "no_poe")}
    assert report.standing is Standing.INVALID


def test_minutes_signed_but_never_sealed_do_not_pass_long_term_validation_in_that_future(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    report = _verify(stages[SignerRole.SECRETARY], material, at=_all_expired(material),
                     assume_renewed=True, expected=EXPECTED[:2])
    assert report.all_expected_present  # only the archive data is lacking
    assert {s.long_term for s in report.signatures} == {LongTerm.INDETERMINATE}
    assert report.standing is Standing.INVALID


@pytest.mark.parametrize("when", ["now", "when every certificate has expired"])
def test_a_byte_flipped_after_sealing_fails_long_term(
        stages: dict[SignerRole, bytes], material: Material, when: str) -> None:
    future = when != "now"
    report = _verify(byte_flipped(stages[SignerRole.SEAL]), material,
                     at=_all_expired(material) if future else None, assume_renewed=future)
    people = _people(report)
    assert {(s.integrity, s.long_term, s.long_term_reason) for s in people} == {
        (Integrity.MODIFIED, LongTerm.FAILED, "hash_failure")}
    assert report.standing is Standing.INVALID


@pytest.mark.parametrize("when", ["now", "when every certificate has expired"])
def test_text_appended_after_sealing_fails_long_term(
        stages: dict[SignerRole, bytes], material: Material, when: str) -> None:
    future = when != "now"
    report = _verify(text_appended(stages[SignerRole.SEAL]), material,
                     at=_all_expired(material) if future else None, assume_renewed=future)
    # The bytes each signature covers are intact; what came after them is not allowed.
    assert {(s.long_term, s.long_term_reason) for s in report.signatures} == {
        (LongTerm.FAILED, DISALLOWED_CHANGE)}
    assert report.standing is Standing.INVALID


def _crl_revoking(material: Material, role: SignerRole, when: datetime) -> bytes:
    """The CA's CRL, issued at ``when``, listing ``role``'s certificate as revoked just
    before (make_crl dates the revocation ten minutes before its issue)."""
    pki = material.pki
    crl = make_crl(pki.ca, [pki.signers[role.value].certificate], now=when)
    return crl.public_bytes(serialization.Encoding.PEM)


def test_a_certificate_revoked_after_the_seal_leaves_the_minutes_valid_for_the_archive(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    crl = _crl_revoking(material, SignerRole.SECRETARY, later)
    report = _verify(stages[SignerRole.SEAL], material, crls=[crl],
                     at=later + timedelta(days=1))
    secretary = report.signatures[1]
    assert (secretary.role, secretary.revocation) == (SignerRole.SECRETARY, Revocation.REVOKED)
    assert not secretary.ok and secretary.long_term is LongTerm.PASSED
    assert report.standing is Standing.VALID_FOR_ARCHIVE


def test_a_certificate_revoked_before_signing_stays_invalid_long_term(
        prepared: bytes, material: Material, timestamper) -> None:  # noqa: ANN001
    signed = sign(prepared, SignerRole.CHAIR, material.key("revoked"),
                  APPEARANCES[SignerRole.CHAIR], timestamper)
    report = _verify(signed, material, expected=[SignerRole.CHAIR])
    [chair] = report.signatures
    assert chair.revocation is Revocation.REVOKED
    assert chair.long_term is not LongTerm.PASSED
    assert report.standing is Standing.INVALID


def test_a_signer_from_an_unknown_ca_is_not_valid_for_the_archive(
        prepared: bytes, material: Material, untrusted_key, timestamper) -> None:  # noqa: ANN001
    signed = sign(prepared, SignerRole.CHAIR, untrusted_key, APPEARANCES[SignerRole.CHAIR],
                  timestamper)
    report = _verify(signed, material, expected=[SignerRole.CHAIR],
                     at=_signers_expired(material))
    [chair] = report.signatures
    assert chair.long_term is not LongTerm.PASSED
    assert report.standing is Standing.INVALID


def test_a_file_cut_back_before_the_seal_lacks_the_seal_whenever_it_is_checked(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    sealed, secretary = stages[SignerRole.SEAL], stages[SignerRole.SECRETARY]
    report = _verify(sealed[:len(secretary)], material, at=_all_expired(material),
                     assume_renewed=True)
    assert report.missing == ["seal"] and report.standing is Standing.INVALID


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_api_report_says_valid_for_the_archive_in_both_languages(
        stages: dict[SignerRole, bytes], material: Material, locale: str) -> None:
    report = _verify(stages[SignerRole.SEAL], material, at=_signers_expired(material))
    body = report_json(report, locale)
    assert (body["valid"], body["standing"]) == (False, "valid_for_archive")
    assert body["verdict"] == translate(locale, "minutes.report.standing.valid_for_archive")
    chair = body["signatures"][0]
    assert (chair["chain"], chair["ok"], chair["long_term"], chair["standing"]) == (
        "expired", False, "passed", "valid_for_archive")
    assert chair["proven_at"] == chair["timestamp_time"]
    assert translate(locale, "minutes.report.chain.expired") in chair["says"]


def test_a_moment_without_a_time_zone_is_refused(stages: dict[SignerRole, bytes],
                                                 material: Material) -> None:
    with pytest.raises(ValueError, match="time zone"):
        _verify(stages[SignerRole.SEAL], material, at=datetime(2040, 1, 1))
