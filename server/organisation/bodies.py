"""What the API and the admin forms send, checked into plain values for the services.

The pages turn a form into the same dictionary a JSON client sends and come
through here too, so a rule about a field lives in one place. For a PATCH only
the keys present are read: ``{"parent_id": null}`` makes a unit a root, a
missing ``parent_id`` leaves it where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InvalidField
from ..http import bool_field, enum_field, int_field
from ..meetings.models import RoomKind, UnitKind
from .fields import (
    NAME_MAX,
    SHORT_NAME_MAX,
    locale_field,
    optional_id,
    password_field,
    roles_field,
    text_field,
    username_field,
)
from .rooms import HALL_SEATS_MAX, LINK_KBPS_DEFAULT, LINK_KBPS_MAX
from .users import SEARCH_LIMIT_MAX, NewAccount

Parsers = dict[str, Callable[[], Any]]


def _present(body: dict[str, Any], parsers: Parsers) -> dict[str, Any]:
    return {name: parse() for name, parse in parsers.items() if name in body}


def _required_id(body: dict[str, Any], name: str) -> int:
    value = optional_id(body, name)
    if value is None:
        raise InvalidField(field=name, reason_key="error.field_required")
    return value


def unit_parsers(body: dict[str, Any]) -> Parsers:
    return {
        "name": lambda: text_field(body, "name", NAME_MAX),
        "short_name": lambda: text_field(body, "short_name", SHORT_NAME_MAX, required=False),
        "kind": lambda: enum_field(body, "kind", UnitKind),
        "parent_id": lambda: optional_id(body, "parent_id"),
    }


def new_unit(body: dict[str, Any]) -> dict[str, Any]:
    return {name: parse() for name, parse in unit_parsers(body).items()}


def unit_changes(body: dict[str, Any]) -> dict[str, Any]:
    return _present(body, unit_parsers(body))


def room_parsers(body: dict[str, Any]) -> Parsers:
    return {
        "name": lambda: text_field(body, "name", NAME_MAX),
        "kind": lambda: enum_field(body, "kind", RoomKind),
        "unit_id": lambda: _required_id(body, "unit_id"),
        "seats": lambda: int_field(body, "seats", minimum=0, maximum=HALL_SEATS_MAX,
                                   required=False, default=0),
        "link_kbps": lambda: _link_kbps(body),
    }


def _link_kbps(body: dict[str, Any]) -> int | None:
    """Missing: the default (a district's usual link); null or 0: no limit."""
    if "link_kbps" not in body:
        return LINK_KBPS_DEFAULT
    return int_field(body, "link_kbps", minimum=0, maximum=LINK_KBPS_MAX, required=False)


def new_room(body: dict[str, Any]) -> dict[str, Any]:
    return {name: parse() for name, parse in room_parsers(body).items()}


def room_changes(body: dict[str, Any]) -> dict[str, Any]:
    return _present(body, room_parsers(body))


def account_parsers(body: dict[str, Any]) -> Parsers:
    return {
        "full_name": lambda: text_field(body, "full_name", NAME_MAX),
        "title": lambda: text_field(body, "title", NAME_MAX, required=False),
        "unit_id": lambda: optional_id(body, "unit_id"),
        "locale": lambda: locale_field(body),
        "roles": lambda: roles_field(body),
        "active": lambda: bool_field(body, "active", True),
    }


def new_account(body: dict[str, Any]) -> NewAccount:
    parsers = account_parsers(body)
    fields = _present(body, parsers)
    return NewAccount(
        username=username_field(body),
        password=password_field(body),
        full_name=parsers["full_name"](),
        title=fields.get("title", ""),
        unit_id=fields.get("unit_id"),
        locale=fields.get("locale", "vi"),
        roles=frozenset(fields.get("roles", ())),
        active=fields.get("active", True),
    )


def account_changes(body: dict[str, Any]) -> dict[str, Any]:
    return _present(body, account_parsers(body))


def search_query(query: Any) -> dict[str, Any]:
    """``?q=&unit_id=&limit=&include_inactive=`` of the people search."""
    def number(name: str, minimum: int, maximum: int) -> int | None:
        text = query.get(name, "")
        if text == "":
            return None
        if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
            raise InvalidField(field=name, reason_key="error.field_range",
                               reason={"min": minimum, "max": maximum})
        return int(text)

    inactive = query.get("include_inactive", "")
    if inactive not in ("", "true", "false", "1", "0"):
        raise InvalidField(field="include_inactive", reason_key="error.field_boolean")
    return {
        "query": str(query.get("q", ""))[:NAME_MAX],
        "unit_id": number("unit_id", 1, 2**31 - 1),
        "limit": number("limit", 1, SEARCH_LIMIT_MAX) or 50,
        "include_inactive": inactive in ("true", "1"),
    }
