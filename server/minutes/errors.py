"""Errors of signing and verifying minutes, each with a stable code and a catalog message.

Raised by :mod:`.signing` and :mod:`.verify` before any byte of a new file is
returned, so a refusal never leaves a half-signed file behind.
"""

from __future__ import annotations

from ..errors import DomainError


class NotAPdf(DomainError):
    status = 415
    code = "not_a_pdf"
    message_key = "minutes.not_a_pdf"


class NotSigned(DomainError):
    status = 422
    code = "not_signed"
    message_key = "minutes.not_signed"


class SignatureFieldsMissing(DomainError):
    """The PDF lacks the signature fields; :func:`.signing.prepare_fields` makes them."""

    status = 409
    code = "signature_fields_missing"
    message_key = "minutes.fields_missing"


class SignatureFieldsExist(DomainError):
    status = 409
    code = "signature_fields_exist"
    message_key = "minutes.fields_exist"


class InvalidSignatureBox(DomainError):
    status = 422
    code = "invalid_signature_box"
    message_key = "minutes.invalid_box"


class SignedOutOfOrder(DomainError):
    """``expected_key`` is the catalog key of the role whose turn it is."""

    status = 409
    code = "signed_out_of_order"
    message_key = "minutes.out_of_order"


class AlreadySigned(DomainError):
    status = 409
    code = "already_signed"
    message_key = "minutes.already_signed"


class WrongSecret(DomainError):
    """A wrong PIN of a token or a wrong passphrase of a PKCS#12 file."""

    status = 403
    code = "wrong_pin_or_passphrase"
    message_key = "minutes.wrong_secret"


class KeyUnavailable(DomainError):
    """No such token, key or readable key file."""

    status = 422
    code = "signing_key_unavailable"
    message_key = "minutes.key_unavailable"


class CertificateExpired(DomainError):
    status = 422
    code = "certificate_expired"
    message_key = "minutes.certificate_expired"


class CertificateNotYetValid(DomainError):
    status = 422
    code = "certificate_not_yet_valid"
    message_key = "minutes.certificate_not_yet_valid"


class CertificateNotForSigning(DomainError):
    status = 422
    code = "certificate_not_for_signing"
    message_key = "minutes.certificate_not_for_signing"


class TimestampUnavailable(DomainError):
    status = 503
    code = "timestamp_unavailable"
    message_key = "minutes.timestamp_unavailable"


class ValidationDataUnavailable(DomainError):
    """The seal needs every earlier signer's chain and revocation status to embed them."""

    status = 422
    code = "validation_data_unavailable"
    message_key = "minutes.validation_data_unavailable"


class SigningFailed(DomainError):
    status = 500
    code = "signing_failed"
    message_key = "minutes.signing_failed"
