"""Errors of the meetings area, each with a stable code and a catalog message."""

from __future__ import annotations

from ..errors import DomainError


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    message_key = "meetings.invalid_transition"


class MeetingFrozen(DomainError):
    status = 409
    code = "meeting_frozen"
    message_key = "meetings.frozen"


class UnknownReference(DomainError):
    """A body names a unit, room, user, participant or agenda item that is not there."""

    status = 400
    code = "unknown_reference"
    message_key = "meetings.unknown_reference"


class AlreadyParticipant(DomainError):
    status = 409
    code = "already_participant"
    message_key = "meetings.already_participant"


class SeatTaken(DomainError):
    status = 409
    code = "seat_taken"
    message_key = "meetings.seat_taken"


class SeatOutOfRange(DomainError):
    code = "seat_out_of_range"
    message_key = "meetings.seat_out_of_range"


class RoomNotInMeeting(DomainError):
    code = "room_not_in_meeting"
    message_key = "meetings.room_not_in_meeting"


class OneChair(DomainError):
    status = 409
    code = "one_chair"
    message_key = "meetings.one_chair"


class InvalidSubstitute(DomainError):
    code = "invalid_substitute"
    message_key = "meetings.invalid_substitute"


class InvalidAgendaOrder(DomainError):
    code = "invalid_agenda_order"
    message_key = "meetings.invalid_agenda_order"


class NotCheckedInable(DomainError):
    status = 409
    code = "check_in_closed"
    message_key = "meetings.check_in_closed"


class EndBeforeStart(DomainError):
    code = "end_before_start"
    message_key = "meetings.end_before_start"


class MeetingNotLive(DomainError):
    status = 409
    code = "meeting_not_live"
    message_key = "meetings.not_live"


class PageOutOfRange(DomainError):
    code = "page_out_of_range"
    message_key = "meetings.page_out_of_range"


class NotPresenting(DomainError):
    status = 409
    code = "not_presenting"
    message_key = "meetings.not_presenting"


class TurnNotOpen(DomainError):
    status = 409
    code = "turn_not_open"
    message_key = "meetings.turn_not_open"


class NoSpeaker(DomainError):
    status = 409
    code = "no_speaker"
    message_key = "meetings.no_speaker"


class InvalidQueueOrder(DomainError):
    code = "invalid_queue_order"
    message_key = "meetings.invalid_queue_order"


class NotYourRoom(DomainError):
    status = 403
    code = "not_your_room"
    message_key = "meetings.not_your_room"
