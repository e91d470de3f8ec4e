"""What signatures are checked against, and who stamps the time: from the ``[signing]`` settings.

The verifier and the seal (which embeds every signer's chain and revocation
status for the archive, PAdES B-LTA) need the same material: the trust roots,
the CRLs, and whether fetching revocation data over the network is allowed. A
provincial network is often closed, so fetching is off by default and CRLs are
given as files; ``allow_fetching`` turns on the CRL distribution points and OCSP
named in the certificates. The long-term (AdES) validation of the verifier gets
the same material as a pyHanko validation spec (:meth:`Trust.long_term_spec`).

``signing.dev_pki`` points at a folder written by ``python -m server dev-pki``:
its CA is then trusted, its CRL used, and, where no ``tsa_url`` is set, its
timestamp authority stamps in-process. It is for development only and says so in
the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from ..settings import ROOT, SigningSettings

log = logging.getLogger("phonghop.minutes.trust")


@dataclass(frozen=True)
class Trust:
    roots: tuple[asn1_x509.Certificate, ...]
    crls: tuple[asn1_crl.CertificateList, ...] = ()
    allow_fetching: bool = False

    def context(self, *, certs: Iterable[asn1_x509.Certificate] = (),
                crls: Iterable[asn1_crl.CertificateList] = (),
                moment: datetime | None = None,
                revocation_mode: str = "soft-fail") -> ValidationContext:
        """A fresh validation context (they cache what they learn: one per use).

        "soft-fail" (verifying) accepts a certificate whose revocation status is
        unknown, and the report says so; "require" (sealing) needs it known, so the
        archive holds a complete answer."""
        return ValidationContext(
            trust_roots=list(self.roots), other_certs=list(certs),
            crls=[*self.crls, *crls], allow_fetching=self.allow_fetching,
            revocation_mode=revocation_mode, moment=moment)

    def long_term_spec(self, *, with_crls: bool = True,
                       revocation_mode: str = "soft-fail") -> PdfSignatureValidationSpec:
        """What pyHanko's AdES long-term validation checks against: these roots, the
        revocation policy of :meth:`context`, these CRLs (the file's DSS is read by pyHanko
        itself), and the network only when fetching is allowed, as in :meth:`context`
        (pyHanko then fetches for the present only, never for a moment in the past).

        ``with_crls=False`` leaves the configured CRLs out: a simulation of the future
        asks what the file alone will prove, and it would take our files as proven too."""
        rule = (RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH if self.allow_fetching
                else RevinfoOnlineFetchingRule.LOCAL_ONLY)
        policy = CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=list(self.roots)),
            revinfo_policy=CertRevTrustPolicy(
                RevocationCheckingPolicy.from_legacy(revocation_mode)))
        known = [CRLContainer(crl) for crl in self.crls] if with_crls else []
        return PdfSignatureValidationSpec(SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(online_fetching_rule=rule),
            local_knowledge=LocalKnowledge(known_crls=known)))


def _blocks(data: bytes) -> list[bytes]:
    """DER bodies of a PEM file (one or several blocks) or of a DER file."""
    if asn1_pem.detect(data):
        return [der for _type, _headers, der in asn1_pem.unarmor(data, multiple=True)]
    return [data]


def read_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(der) for der in _blocks(data)]


def read_crls(data: bytes) -> list[asn1_crl.CertificateList]:
    return [asn1_crl.CertificateList.load(der) for der in _blocks(data)]


def _path(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else ROOT / path


def trust_from_settings(settings: SigningSettings) -> Trust:
    roots = [cert for name in settings.trust_roots
             for cert in read_certificates(_path(name).read_bytes())]
    crls = [crl for name in settings.crls for crl in read_crls(_path(name).read_bytes())]
    if settings.dev_pki:
        folder = _path(settings.dev_pki)
        log.warning("signing.dev_pki is set: the development CA in %s is trusted "
                    "(never in production)", folder)
        roots += read_certificates((folder / "ca.pem").read_bytes())
        crls += read_crls((folder / "crl.pem").read_bytes())
    return Trust(tuple(roots), tuple(crls), settings.allow_fetching)


def dev_timestamper(tsa_certificate_pem: bytes, tsa_key_pem: bytes) -> DummyTimeStamper:
    """An in-process RFC 3161 authority with the dev-pki TSA key (tests, development)."""
    certificate = read_certificates(tsa_certificate_pem)[0]
    key = asn1_keys.PrivateKeyInfo.load(_blocks(tsa_key_pem)[0])
    return DummyTimeStamper(tsa_cert=certificate, tsa_key=key)


def timestamper_from_settings(settings: SigningSettings) -> TimeStamper | None:
    """The configured RFC 3161 authority; ``None`` when there is none (sealing then refuses)."""
    if settings.tsa_url:
        return HTTPTimeStamper(settings.tsa_url, timeout=settings.tsa_timeout_seconds)
    if settings.dev_pki:
        folder = _path(settings.dev_pki)
        log.warning("signing.dev_pki is set and tsa_url is empty: timestamps come from the "
                    "development authority in %s (never in production)", folder)
        return dev_timestamper((folder / "tsa.pem").read_bytes(),
                               (folder / "tsa-key.pem").read_bytes())
    return None
