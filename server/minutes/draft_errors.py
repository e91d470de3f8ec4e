"""Errors of drafting and editing the minutes, each with a stable code and a catalog message.

(The signing and verification errors are in :mod:`.errors`.)
"""

from __future__ import annotations

from ..errors import DomainError


class MeetingNotEnded(DomainError):
    status = 409
    code = "meeting_not_ended"
    message_key = "minutes_draft.meeting_not_ended"


class MinutesExist(DomainError):
    status = 409
    code = "minutes_exist"
    message_key = "minutes_draft.exist"


class MinutesPublished(DomainError):
    status = 409
    code = "minutes_published"
    message_key = "minutes_draft.published"


class StaleVersion(DomainError):
    status = 409
    code = "stale_version"
    message_key = "minutes_draft.stale_version"


class UnknownSection(DomainError):
    status = 404
    code = "unknown_section"
    message_key = "minutes_draft.unknown_section"


class UnknownPolls(DomainError):
    code = "unknown_polls"
    message_key = "minutes_draft.unknown_polls"


class WrongMinutesStatus(DomainError):
    status = 409
    code = "minutes_wrong_status"
    message_key = "minutes_draft.wrong_status"


class KeyMissing(DomainError):
    """No key is registered for this signer (``python -m server signing-key``)."""

    status = 409
    code = "signing_key_missing"
    message_key = "minutes_draft.key_missing"
