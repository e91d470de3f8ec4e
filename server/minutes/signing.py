"""Signing a minutes: the fields first, then chair, secretary and seal, PAdES, in that order.

Why each step is the way it is:

- Every visible signature field is created by :func:`prepare_fields` before the
  first signature. The chair's signature certifies the document (DocMDP) and
  allows only form filling and signing after it; a field added later would be a
  forbidden change and break the certification.
- :func:`sign` refuses a role whose turn it is not, read from the PDF's own
  filled fields (chair, then secretary, then seal), so no record kept beside the
  file can disagree with it.
- Every signature carries an RFC 3161 timestamp from the configured authority
  (PAdES B-T). The seal's signature also embeds the chains and revocation data of
  all three signers and their timestamps (DSS) and is followed by a document
  timestamp (PAdES B-LTA), so the archive can be checked offline years later.
- Keys come from an encrypted PKCS#12 file or a PKCS#11 token (officials' USB
  tokens; SoftHSM2 in tests). The certificate is checked before signing: valid
  now and meant for signatures.
- Nothing is written in place: :func:`sign` returns new bytes or raises a
  domain error, so the last good file is never replaced by a half-signed one.

These are pure, blocking functions (pyHanko runs its own event loop inside):
call them from an executor, never on the server's loop.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import errors
from .appearance import Appearance, draw, stamp_style
from .document import Box, SignerRole
from .trust import Trust

ORDER = (SignerRole.CHAIR, SignerRole.SECRETARY, SignerRole.SEAL)
# The field of each role is named after it, so a verifier tells the role from the field.
FIELD_NAMES = {role: role.value for role in ORDER}
ROLE_OF_FIELD = {name: role for role, name in FIELD_NAMES.items()}

# Extended key usages that allow signing documents, when a certificate names any:
# any purpose, e-mail protection (S/MIME), document signing (RFC 9336), Adobe's
# authentic documents and Microsoft's document signing.
_SIGNING_EKUS = {"2.5.29.37.0", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36",
                 "1.2.840.113583.1.1.5", "1.3.6.1.4.1.311.10.3.12"}


@dataclass(frozen=True)
class Pkcs12Key:
    """A signer's key and certificate in an encrypted PKCS#12 (.p12, .pfx) file."""

    path: Path
    passphrase: str = field(repr=False)


@dataclass(frozen=True)
class TokenKey:
    """A key on a PKCS#11 token (a USB token; SoftHSM2 in tests)."""

    module: str                # e.g. /usr/lib/softhsm/libsofthsm2.so, the vendor's driver
    token_label: str
    pin: str = field(repr=False)
    key_label: str = ""
    cert_label: str = ""       # default: the key's label


SignerKey = Pkcs12Key | TokenKey


# ---------------------------------------------------------------------------- reading


def read_pdf(pdf: bytes) -> PdfFileReader:
    """A reader of ``pdf``, or :class:`~.errors.NotAPdf`."""
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise errors.NotAPdf()
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        reader.root  # noqa: B018  (parses the trailer and catalog now, not later)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as e:
        raise errors.NotAPdf() from e
    return reader


def signed_roles(pdf: bytes) -> list[SignerRole]:
    """The roles whose fields are already signed, in signing order."""
    filled = {name for name, value, _ref in fields.enumerate_sig_fields(read_pdf(pdf))
              if value is not None}
    return [role for role in ORDER if FIELD_NAMES[role] in filled]


# ---------------------------------------------------------------------------- fields


def prepare_fields(pdf: bytes, boxes: dict[SignerRole, Box]) -> bytes:
    """Add the empty visible signature field of every role at its box; new bytes.

    Refused when a role lacks a box, a box is off its page, or the PDF already has
    signature fields (they are made once, before anyone signs).
    """
    reader = read_pdf(pdf)
    if missing := [role for role in ORDER if role not in boxes]:
        raise errors.InvalidSignatureBox(roles=", ".join(missing))
    if any(True for _ in fields.enumerate_sig_fields(reader)):
        raise errors.SignatureFieldsExist()
    pages = int(reader.root["/Pages"]["/Count"])
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for role in ORDER:
        box = boxes[role]
        if not (1 <= box.page <= pages and box.x1 < box.x2 and box.y1 < box.y2):
            raise errors.InvalidSignatureBox(roles=role.value)
        fields.append_signature_field(writer, fields.SigFieldSpec(
            sig_field_name=FIELD_NAMES[role], on_page=box.page - 1,
            box=(round(box.x1), round(box.y1), round(box.x2), round(box.y2))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _field_size(reader: PdfFileReader, name: str) -> tuple[float, float]:
    for field_name, _value, ref in fields.enumerate_sig_fields(reader, with_name=name):
        if field_name == name:
            widget = ref.get_object()
            if "/Rect" not in widget and "/Kids" in widget:
                widget = widget["/Kids"][0].get_object()
            x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
            return abs(x2 - x1), abs(y2 - y1)
    raise errors.SignatureFieldsMissing()


def _check_turn(reader: PdfFileReader, role: SignerRole) -> None:
    names = {name: value for name, value, _ref in fields.enumerate_sig_fields(reader)}
    if any(FIELD_NAMES[r] not in names for r in ORDER):
        raise errors.SignatureFieldsMissing()
    if names[FIELD_NAMES[role]] is not None:
        raise errors.AlreadySigned(role_key=f"minutes.role.{role.value}")
    for earlier in ORDER[:ORDER.index(role)]:
        if names[FIELD_NAMES[earlier]] is None:
            raise errors.SignedOutOfOrder(expected_key=f"minutes.role.{earlier.value}")
    for later in ORDER[ORDER.index(role) + 1:]:
        if names[FIELD_NAMES[later]] is not None:  # pragma: no cover - a file not made here
            raise errors.SignedOutOfOrder(expected_key=f"minutes.role.{later.value}")


# ---------------------------------------------------------------------------- keys


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _pkcs12_signer(key: Pkcs12Key) -> signers.SimpleSigner:
    try:
        data = Path(key.path).read_bytes()
    except OSError as e:
        raise errors.KeyUnavailable() from e
    try:
        private, certificate, chain = pkcs12.load_key_and_certificates(
            data, key.passphrase.encode("utf-8"))
    except ValueError as e:
        # cryptography says only "invalid password or PKCS12 data"; a readable file
        # that opens without a passphrase, or not at all, is told apart below.
        raise errors.WrongSecret() from e
    if private is None or certificate is None:
        raise errors.KeyUnavailable()
    der_key = private.private_bytes(serialization.Encoding.DER,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return signers.SimpleSigner(
        signing_cert=_asn1_certificate(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_certificate(c) for c in chain]))


@asynccontextmanager
async def open_signer(key: SignerKey) -> AsyncIterator[signers.Signer]:
    """The pyHanko signer of ``key``; a token's session is closed on leaving."""
    if isinstance(key, Pkcs12Key):
        yield _pkcs12_signer(key)
        return
    import pkcs11
    from pyhanko.config.pkcs11 import PKCS11SignatureConfig, TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11SigningContext

    config = PKCS11SignatureConfig(
        module_path=key.module, token_criteria=TokenCriteria(label=key.token_label),
        user_pin=key.pin, key_label=key.key_label, cert_label=key.cert_label or key.key_label)
    context = PKCS11SigningContext(config)
    try:
        signer = await context.__aenter__()
    except (SigningError, pkcs11.PKCS11Error, OSError, RuntimeError) as e:
        cause = e.__cause__ or e
        if isinstance(cause, pkcs11.PinIncorrect | pkcs11.PinLenRange | pkcs11.PinInvalid):
            raise errors.WrongSecret() from e
        raise errors.KeyUnavailable() from e
    try:
        yield signer
    finally:
        await context.__aexit__(None, None, None)


def check_certificate(certificate: asn1_x509.Certificate, moment: datetime) -> None:
    """Refuse a certificate that is not valid at ``moment`` or not meant for signing."""
    cert = x509.load_der_x509_certificate(certificate.dump())
    if moment > cert.not_valid_after_utc:
        raise errors.CertificateExpired(until=cert.not_valid_after_utc.date().isoformat())
    if moment < cert.not_valid_before_utc:
        raise errors.CertificateNotYetValid(
            since=cert.not_valid_before_utc.date().isoformat())
    extensions = cert.extensions
    try:
        constraints = extensions.get_extension_for_class(x509.BasicConstraints).value
        if constraints.ca:
            raise errors.CertificateNotForSigning()
    except x509.ExtensionNotFound:
        pass
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise errors.CertificateNotForSigning()
    except x509.ExtensionNotFound:
        pass
    try:
        purposes = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if not {oid.dotted_string for oid in purposes} & _SIGNING_EKUS:
            raise errors.CertificateNotForSigning()
    except x509.ExtensionNotFound:
        pass


# ---------------------------------------------------------------------------- signing


def sign(pdf: bytes, role: SignerRole, signer: SignerKey, appearance: Appearance,
         timestamper: TimeStamper | None, *, trust: Trust | None = None) -> bytes:
    """Sign ``pdf`` as ``role``; new bytes, or a domain error and nothing written.

    The chair certifies (DocMDP: form filling and signing allowed afterwards), the
    secretary approves, the seal comes last with the validation data of every
    signature and a document timestamp (PAdES B-LTA); sealing needs ``trust`` (the
    roots and CRLs the validation data is gathered from) and a ``timestamper``.
    """
    reader = read_pdf(pdf)
    _check_turn(reader, role)
    width, height = _field_size(reader, FIELD_NAMES[role])
    if role is SignerRole.SEAL and (timestamper is None or trust is None):
        raise errors.TimestampUnavailable() if timestamper is None \
            else errors.ValidationDataUnavailable()
    return asyncio.run(_sign(pdf, reader, role, signer, appearance, timestamper, trust,
                             (width, height)))


async def _sign(pdf: bytes, reader: PdfFileReader, role: SignerRole, key: SignerKey,
                appearance: Appearance, timestamper: TimeStamper | None,
                trust: Trust | None, size: tuple[float, float]) -> bytes:
    moment = appearance.signed_at or datetime.now(UTC)
    async with open_signer(key) as signer:
        check_certificate(signer.signing_cert, datetime.now(UTC))
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        context = None
        if role is SignerRole.SEAL:
            assert trust is not None
            context = trust.context(revocation_mode="require")
            await _embed_earlier_validation_data(reader, writer, trust)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAMES[role],
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            name=appearance.name,
            reason=_REASONS[role],
            location="Việt Nam",
            certify=role is SignerRole.CHAIR,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            embed_validation_info=role is SignerRole.SEAL,
            use_pades_lta=role is SignerRole.SEAL,
            validation_context=context,
        )
        page = draw(appearance, role, size[0], size[1], moment)
        pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper,
                                       stamp_style=stamp_style(page))
        try:
            output = await pdf_signer.async_sign_pdf(writer, existing_fields_only=True)
        except TimestampRequestError as e:
            raise errors.TimestampUnavailable() from e
        except (PathBuildingError, PathValidationError) as e:
            raise errors.ValidationDataUnavailable() from e
        except SigningError as e:
            if isinstance(e.__cause__, TimestampRequestError):
                raise errors.TimestampUnavailable() from e
            if isinstance(e.__cause__, PathBuildingError | PathValidationError):
                raise errors.ValidationDataUnavailable() from e
            raise errors.SigningFailed() from e
        finally:
            if context is not None:
                await context.aclose()
    return output.getvalue()


async def _embed_earlier_validation_data(reader: PdfFileReader,
                                         writer: IncrementalPdfFileWriter,
                                         trust: Trust) -> None:
    """Put the chains and CRLs of the earlier signatures (and of their timestamps)
    into the DSS of the revision the seal signs, so the archive holds all of them."""
    paths = []
    context = trust.context(revocation_mode="require")
    try:
        for embedded in reader.embedded_signatures:
            paths += await collect_validation_info(embedded, context)
        DocumentSecurityStore.supply_dss_in_writer(
            writer, None, paths=paths, validation_context=context)
    except (PathBuildingError, PathValidationError) as e:
        raise errors.ValidationDataUnavailable() from e
    finally:
        await context.aclose()


class _ClosedNetworkNotice(logging.Filter):
    """pyHanko warns at every seal that fetching is off; on a closed network that is the
    design (CRLs are configured files), so the line is dropped rather than logged daily."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_ClosedNetworkNotice())

_REASONS = {
    SignerRole.CHAIR: "Chủ tọa ký chứng thực biên bản",
    SignerRole.SECRETARY: "Thư ký ký biên bản",
    SignerRole.SEAL: "Đóng dấu cơ quan",
}
