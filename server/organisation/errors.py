"""Errors of the organisation area, each with a stable code and a catalog message.

An error that is about one form field names it in ``field``, so the admin pages
can show the message next to that field rather than at the top of the form.
"""

from __future__ import annotations

from ..errors import DomainError


class OrganisationError(DomainError):
    field: str | None = None


class UnknownUnit(OrganisationError):
    """A body or query names a unit that is not there."""

    code = "unknown_unit"
    message_key = "admin.error.unknown_unit"

    def __init__(self, *, field: str, id: int) -> None:
        super().__init__(id=id)
        self.field = field


class InvalidParent(OrganisationError):
    """The parent's kind does not fit the unit's (a province under a district)."""

    code = "invalid_parent"
    message_key = "admin.error.invalid_parent"
    field = "parent_id"


class ParentRequired(OrganisationError):
    code = "parent_required"
    message_key = "admin.error.parent_required"
    field = "parent_id"


class ProvinceHasNoParent(OrganisationError):
    code = "province_has_no_parent"
    message_key = "admin.error.province_has_no_parent"
    field = "parent_id"


class UnitCycle(OrganisationError):
    code = "unit_cycle"
    message_key = "admin.error.unit_cycle"
    field = "parent_id"


class KindDoesNotFitChildren(OrganisationError):
    """Changing a unit's kind would leave one of its sub-units under a wrong kind."""

    status = 409
    code = "kind_does_not_fit_children"
    message_key = "admin.error.kind_does_not_fit_children"
    field = "kind"


class UnitHasChildren(OrganisationError):
    status = 409
    code = "unit_has_children"
    message_key = "admin.error.unit_has_children"


class UnitHasUsers(OrganisationError):
    status = 409
    code = "unit_has_users"
    message_key = "admin.error.unit_has_users"


class UnitHasRooms(OrganisationError):
    status = 409
    code = "unit_has_rooms"
    message_key = "admin.error.unit_has_rooms"


class UnitHasMeetings(OrganisationError):
    status = 409
    code = "unit_has_meetings"
    message_key = "admin.error.unit_has_meetings"


class RoomInUse(OrganisationError):
    status = 409
    code = "room_in_use"
    message_key = "admin.error.room_in_use"


class RoomKindInUse(OrganisationError):
    """A hall that meetings sit in cannot become a remote room, nor the other way."""

    status = 409
    code = "room_kind_in_use"
    message_key = "admin.error.room_kind_in_use"
    field = "kind"


class SeatsBelowAssigned(OrganisationError):
    status = 409
    code = "seats_below_assigned"
    message_key = "admin.error.seats_below_assigned"
    field = "seats"


class UsernameTaken(OrganisationError):
    status = 409
    code = "username_taken"
    message_key = "admin.error.username_taken"
    field = "username"


class OwnAccess(OrganisationError):
    """An administrator may not lock themselves out (deactivate, or drop their own admin role)."""

    status = 409
    code = "own_access"
    message_key = "admin.error.own_access"
