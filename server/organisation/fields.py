"""Checked fields of the organisation's bodies and forms: names, user names, passwords.

Names are stored as given (HTML and SQL metacharacters included; pages escape
them) but in NFC, trimmed, with runs of spaces made one, and without control or
format characters: a tab, a newline or a right-to-left override in a name only
ever breaks a list or disguises one person as another. The length is counted
after NFC, so a name typed with combining accents is not refused for being
long in its decomposed form.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..auth.service import USERNAME_MAX, normalise_username
from ..errors import InvalidField
from ..settings import LOCALES

NAME_MAX = 200        # units.name, rooms.name, users.full_name, users.title
SHORT_NAME_MAX = 40   # units.short_name
PASSWORD_MIN, PASSWORD_MAX = 8, 1000
ID_MAX = 2**31 - 1     # ids are 32-bit integers on PostgreSQL
ROLES = ("admin", "secretary")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]*")
SPACES = re.compile(r" {2,}")


def has_control(text: str) -> bool:
    """Control (Cc), format (Cf), surrogate, private-use and unassigned characters."""
    return any(unicodedata.category(c).startswith("C") for c in text)


def text_field(body: dict[str, Any], name: str, max_length: int, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidField(field=name, reason_key="error.field_required")
        return ""
    if not isinstance(value, str):
        raise InvalidField(field=name, reason_key="error.field_string")
    if len(value) > 4 * max_length:  # before normalising: a megabyte of name is refused cheaply
        raise InvalidField(field=name, reason_key="admin.reason.too_long",
                           reason={"max": max_length, "length": len(value)})
    text = SPACES.sub(" ", unicodedata.normalize("NFC", value).strip())
    if has_control(text):
        raise InvalidField(field=name, reason_key="admin.reason.control")
    if len(text) > max_length:
        raise InvalidField(field=name, reason_key="admin.reason.too_long",
                           reason={"max": max_length, "length": len(text)})
    return text


def username_field(body: dict[str, Any], name: str = "username") -> str:
    """Lower-case ASCII letters, digits and ``. _ - @``: easy to type on any tablet, and one
    spelling only (no NFC/NFD twins, no look-alike letters)."""
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(field=name, reason_key="error.field_required")
    username = normalise_username(value[:4 * USERNAME_MAX])
    if len(username) > USERNAME_MAX:
        raise InvalidField(field=name, reason_key="admin.reason.too_long",
                           reason={"max": USERNAME_MAX, "length": len(username)})
    if not username.isascii() or USERNAME.fullmatch(username) is None:
        raise InvalidField(field=name, reason_key="admin.reason.username")
    return username


def password_field(body: dict[str, Any], name: str = "password") -> str:
    """NFC, as the JSON login reads it, so a password typed with combining accents still
    matches; otherwise as given (spaces are part of a passphrase)."""
    value = body.get(name)
    if value is None or value == "":
        raise InvalidField(field=name, reason_key="error.field_required")
    if not isinstance(value, str):
        raise InvalidField(field=name, reason_key="error.field_string")
    password = unicodedata.normalize("NFC", value)
    if len(password) < PASSWORD_MIN:
        raise InvalidField(field=name, reason_key="admin.reason.password_short",
                           reason={"min": PASSWORD_MIN})
    if len(password) > PASSWORD_MAX:
        raise InvalidField(field=name, reason_key="admin.reason.too_long",
                           reason={"max": PASSWORD_MAX, "length": len(password)})
    return password


def roles_field(body: dict[str, Any], name: str = "roles") -> set[str]:
    value = body.get(name)
    if not isinstance(value, list) or not all(isinstance(r, str) and r in ROLES for r in value):
        raise InvalidField(field=name, reason_key="error.field_choice",
                           reason={"choices": ", ".join(ROLES)})
    return set(value)


def locale_field(body: dict[str, Any], name: str = "locale") -> str:
    value = body.get(name)
    if value not in LOCALES:
        raise InvalidField(field=name, reason_key="error.field_choice",
                           reason={"choices": ", ".join(LOCALES)})
    return str(value)


def optional_id(body: dict[str, Any], name: str) -> int | None:
    """A positive integer id, or null for none."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidField(field=name, reason_key="error.field_integer")
    if not 1 <= value <= ID_MAX:
        raise InvalidField(field=name, reason_key="error.field_range",
                           reason={"min": 1, "max": ID_MAX})
    return value
