"""A throwaway public-key infrastructure for development and tests: never for production.

``python -m server dev-pki OUTDIR`` writes a CA, a certificate and key per signer of
a minutes (the chair, the secretary, the organisation's seal) in encrypted PKCS#12
files, a timestamp authority, a CRL, and three certificates that must be refused
or flagged: a revoked signer (listed on the CRL), an expired signer, and one whose
key usage is not for signing. Real signers carry keys issued by a licensed CA
(in Việt Nam, under the root of the National Electronic Authentication Centre) on
a USB token; nothing here pretends to be that.

Built with ``cryptography`` alone: RSA-2048 and SHA-256, which every validator
reads (pyHanko, poppler's pdfsig through NSS, Adobe). Signer certificates carry
digitalSignature and nonRepudiation, as PAdES validators expect of a signature
that commits its signer; the timestamp authority's certificate has the critical
extended key usage timeStamping that RFC 3161 requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEV_PASSPHRASE = "phonghop-dev"
DEV_ORGANISATION = "UBND TỈNH PHÒNG HỌP (DEV)"
DEV_ONLY = ("CHỈ DÙNG ĐỂ PHÁT TRIỂN VÀ KIỂM THỬ — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ. / "
            "FOR DEVELOPMENT AND TESTS ONLY — NO LEGAL VALUE.")

# Who dev-pki issues to: file stem -> (common name, title). The last three exist to
# be refused or flagged by the signer and the verifier.
DEV_SIGNERS: dict[str, tuple[str, str]] = {
    "chair": ("Nguyễn Văn An", "Chủ tịch UBND tỉnh"),
    "secretary": ("Trần Thị Bình", "Chuyên viên Văn phòng"),
    "seal": (DEV_ORGANISATION, "Con dấu cơ quan"),
    "revoked": ("Lê Văn Thu Hồi", "Chứng thư đã thu hồi"),
    "expired": ("Phạm Thị Hết Hạn", "Chứng thư đã hết hạn"),
    "not-for-signing": ("Hoàng Văn Mã Hóa", "Chứng thư chỉ để mã hóa"),
}


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class DevPKI:
    ca: Issued
    tsa: Issued
    signers: dict[str, Issued]              # keyed as DEV_SIGNERS
    crl: x509.CertificateRevocationList
    written: list[Path] = field(default_factory=list)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, organisation: str = DEV_ORGANISATION,
          title: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
             x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if title:
        parts.append(x509.NameAttribute(NameOID.TITLE, title))
    return x509.Name(parts)


def _builder(subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey,
             not_before: datetime, not_after: datetime) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False))


def make_ca(common_name: str = "Phòng Họp DEV Root CA", *,
            now: datetime | None = None) -> Issued:
    now = now or datetime.now(UTC)
    key = _key()
    name = _name(common_name)
    certificate = (
        _builder(name, name, key, now - timedelta(days=1), now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    return Issued(certificate, key)


def _issue(ca: Issued, subject: x509.Name, not_before: datetime, not_after: datetime,
           usage: x509.KeyUsage, extended: list[x509.ObjectIdentifier] | None = None,
           ) -> Issued:
    key = _key()
    builder = (
        _builder(subject, ca.certificate.subject, key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.key.public_key()), critical=False))
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=True)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=sign, key_encipherment=not sign,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False)


def issue_signer(ca: Issued, common_name: str, title: str = "", *,
                 now: datetime | None = None, days: int = 730, expired: bool = False,
                 for_signing: bool = True) -> Issued:
    """A signer's certificate (digitalSignature + nonRepudiation) under ``ca``."""
    now = now or datetime.now(UTC)
    if expired:
        not_before, not_after = now - timedelta(days=400), now - timedelta(days=35)
    else:
        not_before, not_after = now - timedelta(hours=1), now + timedelta(days=days)
    return _issue(ca, _name(common_name, title=title), not_before, not_after,
                  _usage(sign=for_signing))


def issue_tsa(ca: Issued, *, now: datetime | None = None) -> Issued:
    """A timestamp authority's certificate: digitalSignature, critical EKU timeStamping."""
    now = now or datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False)
    return _issue(ca, _name("Phòng Họp DEV Timestamp Authority"), now - timedelta(hours=1),
                  now + timedelta(days=3650), usage, [ExtendedKeyUsageOID.TIME_STAMPING])


def make_crl(ca: Issued, revoked: list[x509.Certificate], *, now: datetime | None = None,
             days: int = 30) -> x509.CertificateRevocationList:
    now = now or datetime.now(UTC)
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(ca.certificate.subject)
               .last_update(now - timedelta(minutes=5))
               .next_update(now + timedelta(days=days))
               .add_extension(x509.CRLNumber(1), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca.key.public_key()), critical=False))
    for certificate in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(now - timedelta(minutes=10))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build())
    return builder.sign(ca.key, hashes.SHA256())


def make_dev_pki(*, now: datetime | None = None) -> DevPKI:
    """Everything dev-pki writes, in memory (tests use this directly)."""
    now = now or datetime.now(UTC)
    ca = make_ca(now=now)
    signers = {
        stem: issue_signer(ca, name, title, now=now, expired=stem == "expired",
                           for_signing=stem != "not-for-signing")
        for stem, (name, title) in DEV_SIGNERS.items()
    }
    crl = make_crl(ca, [signers["revoked"].certificate], now=now)
    return DevPKI(ca=ca, tsa=issue_tsa(ca, now=now), signers=signers, crl=crl)


def pkcs12_bytes(issued: Issued, ca: Issued | x509.Certificate, passphrase: str,
                 friendly_name: str) -> bytes:
    """An encrypted PKCS#12 (AES-256, PBKDF2) with the key, its certificate and the CA's."""
    ca_certificate = ca.certificate if isinstance(ca, Issued) else ca
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), issued.key, issued.certificate, [ca_certificate],
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")))


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """An unencrypted PKCS#8 key (for the dev TSA, and for importing into a test token)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_dev_pki(outdir: Path, passphrase: str = DEV_PASSPHRASE, *,
                  now: datetime | None = None) -> DevPKI:
    """Make a dev PKI and write it into ``outdir`` (created if needed)."""
    pki = make_dev_pki(now=now)
    outdir.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "ca.pem": pem(pki.ca.certificate),
        "tsa.pem": pem(pki.tsa.certificate),
        "tsa-key.pem": key_pem(pki.tsa.key),
        "crl.pem": pki.crl.public_bytes(serialization.Encoding.PEM),
    }
    for stem, issued in pki.signers.items():
        files[f"{stem}.p12"] = pkcs12_bytes(issued, pki.ca, passphrase, stem)
        files[f"{stem}.pem"] = pem(issued.certificate)
    files["README.txt"] = (
        f"{DEV_ONLY}\n\nPassphrase of every .p12 / Mật khẩu của mọi tệp .p12: {passphrase}\n"
        "ca.pem: trust root / chứng thư gốc; crl.pem: revokes revoked.p12 / thu hồi "
        "revoked.p12;\ntsa.pem + tsa-key.pem: the timestamp authority / máy chủ dấu thời gian.\n"
    ).encode()
    for name, data in files.items():
        path = outdir / name
        path.write_bytes(data)
        if name.endswith((".p12", "-key.pem")):
            path.chmod(0o600)
        pki.written.append(path)
    return pki
