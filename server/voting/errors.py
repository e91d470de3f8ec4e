"""Errors of votes, each with a stable code and a catalog message."""

from __future__ import annotations

from ..errors import DomainError
from ..i18n import translate


class _WithReason(DomainError):
    """A refusal whose ``{reason}`` is itself a catalog text with its own parameters."""

    def message(self, locale: str) -> str:
        reason = translate(locale, self.params["reason_key"], **self.params.get("reason", {}))
        return translate(locale, self.message_key, reason=reason)


class PollNotOpen(DomainError):
    status = 409
    code = "poll_not_open"
    message_key = "voting.not_open"


class PollNotDraft(DomainError):
    status = 409
    code = "poll_not_draft"
    message_key = "voting.not_draft"


class WrongPollStatus(DomainError):
    status = 409
    code = "poll_wrong_status"
    message_key = "voting.wrong_status"


class NoQuorum(DomainError):
    status = 409
    code = "no_quorum"
    message_key = "voting.no_quorum"


class NotEligible(DomainError):
    status = 403
    code = "not_eligible"
    message_key = "voting.not_eligible"


class AlreadyVoted(DomainError):
    status = 409
    code = "already_voted"
    message_key = "voting.already_voted"


class InvalidChoice(_WithReason):
    code = "invalid_choice"
    message_key = "voting.invalid_choice"


class BallotIdReused(DomainError):
    status = 409
    code = "ballot_id_reused"
    message_key = "voting.ballot_id_reused"


class InvalidPoll(_WithReason):
    """A poll's definition that cannot stand: the reason is a catalog key."""

    code = "invalid_poll"
    message_key = "voting.invalid_poll"


class NotRemote(DomainError):
    code = "not_remote"
    message_key = "voting.not_remote"
