"""Refusals of the video signalling, each with a stable code and a catalog message."""

from __future__ import annotations

from ..errors import DomainError


class NoBridge(DomainError):
    status = 503
    code = "no_bridge"
    message_key = "bridge.no_bridge"


class InvalidSdp(DomainError):
    code = "invalid_sdp"
    message_key = "bridge.invalid_sdp"


class NotInvited(DomainError):
    status = 403
    code = "not_invited"
    message_key = "bridge.not_invited"


class NoVideoPeer(DomainError):
    status = 409
    code = "no_video_peer"
    message_key = "bridge.no_peer"
