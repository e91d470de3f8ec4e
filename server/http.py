"""Small helpers for handlers: JSON bodies in and out, checked fields, redirects."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from aiohttp import web

from .errors import InvalidField, InvalidJSON, UnsupportedMediaType


def json_response(data: Any, *, status: int = 200) -> web.Response:
    """JSON in UTF-8 as it is: Vietnamese text stays readable and a third shorter than
    with ``\\u`` escapes."""
    return web.json_response(data, status=status, dumps=_dumps)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def redirect(location: str) -> web.Response:
    """A 303 to ``location``: after a form post, the browser follows with a GET."""
    return web.Response(status=303, headers={"Location": location})


def safe_next(target: str) -> str:
    """Only paths on this site: never "//evil.example" or "https://evil.example"."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise UnsupportedMediaType()
    try:
        body = json.loads(await request.read())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidJSON() from None
    if not isinstance(body, dict):
        raise InvalidJSON()
    return body


def string_field(body: dict[str, Any], name: str, max_length: int) -> str:
    value = body.get(name)
    if value is None:
        raise InvalidField(field=name, reason_key="error.field_required")
    if not isinstance(value, str):
        raise InvalidField(field=name, reason_key="error.field_string")
    if len(value) > max_length:
        raise InvalidField(field=name, reason_key="error.field_too_long",
                           reason={"max": max_length})
    return unicodedata.normalize("NFC", value)
