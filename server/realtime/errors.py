"""Refusals of the Socket.IO edge itself, before any meeting rule is asked."""

from __future__ import annotations

from ..errors import DomainError


class NotJoined(DomainError):
    status = 409
    code = "not_joined"
    message_key = "realtime.not_joined"


class UnknownEvent(DomainError):
    code = "unknown_event"
    message_key = "realtime.unknown_event"


class InvalidPayload(DomainError):
    code = "invalid_payload"
    message_key = "realtime.invalid_payload"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message_key = "realtime.payload_too_large"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message_key = "realtime.rate_limited"
