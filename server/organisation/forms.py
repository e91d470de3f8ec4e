"""The admin forms: a posted form turned into the body the API would send, and a refusal
turned into messages beside the fields it concerns.

Pages work without JavaScript, so a form posts plain strings: an empty select
is "no value", digits are an id, anything else is passed on as it came so that
the same parser as the API's refuses it with the same message.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from ..errors import DomainError, InvalidField
from ..i18n import translate
from .errors import OrganisationError

FORM = "_form"  # the key of a message that belongs to the whole form


async def posted(request: web.Request) -> MultiDictProxy[Any]:
    return await request.post()


def text(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def number(form: MultiDictProxy[Any], name: str) -> int | str | None:
    value = text(form, name).strip()
    if value == "":
        return None
    digits = value.removeprefix("-")
    if digits.isascii() and digits.isdigit() and len(digits) <= 12:
        return int(value)  # a negative number is then refused for its range, not its form
    return value


def checked(form: MultiDictProxy[Any], name: str) -> bool:
    return name in form


def field_errors(error: DomainError, locale: str) -> dict[str, str]:
    """``{field: message}``: an invalid field gets its reason alone (its label is beside
    it); an error about one field goes there; any other above the form."""
    if isinstance(error, InvalidField):
        reason = translate(locale, error.params["reason_key"], **error.params.get("reason", {}))
        return {error.params["field"]: reason}
    if isinstance(error, OrganisationError) and error.field:
        return {error.field: error.message(locale)}
    return {FORM: error.message(locale)}


class FormInvalid(Exception):
    """Every field of a form that its parser refused, each with its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def parse_all(parsers: dict[str, Any], locale: str) -> dict[str, Any]:
    """Run every parser, so that one post shows every wrong field at once, not one by one."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except InvalidField as error:
            errors.update(field_errors(error, locale))
    if errors:
        raise FormInvalid(errors)
    return values
