"""Domain errors, and the one place that turns them into HTTP answers.

Services raise :class:`DomainError` subclasses with a stable ``code`` and a
catalog key; they know nothing of HTTP. :func:`error_middleware` maps them (and
aiohttp's own 404/405/413) to ``{"error": {"code", "message"}}`` for API and
JSON clients, and to a friendly page for browsers, with the message in the
user's language. Socket.IO handlers use :func:`error_payload` for the same shape.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .i18n import translate
from .logs import REQUEST_ID

log = logging.getLogger("phonghop.errors")


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message_key = "error.bad_request"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.code)
        self.params = params
        self.headers: dict[str, str] = {}

    def message(self, locale: str) -> str:
        # A parameter named ``x_key`` is itself a catalog key, shown as ``{x}`` translated.
        params = {
            name.removesuffix("_key"): translate(locale, value) if name.endswith("_key") else value
            for name, value in self.params.items()
        }
        return translate(locale, self.message_key, **params)


class InvalidJSON(DomainError):
    code = "invalid_json"
    message_key = "error.invalid_json"


class InvalidField(DomainError):
    code = "invalid_field"
    message_key = "error.invalid_field"

    def message(self, locale: str) -> str:
        reason = translate(locale, self.params["reason_key"], **self.params.get("reason", {}))
        return translate(locale, self.message_key, field=self.params["field"], reason=reason)


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    message_key = "error.not_authenticated"


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    message_key = "error.invalid_credentials"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    message_key = "error.too_many_attempts"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message_key = "error.forbidden"


class CSRFFailed(Forbidden):
    code = "csrf_failed"
    message_key = "error.csrf_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message_key = "error.not_found"


class MethodNotAllowed(DomainError):
    status = 405
    code = "method_not_allowed"
    message_key = "error.method_not_allowed"


class TooLarge(DomainError):
    status = 413
    code = "too_large"
    message_key = "error.too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    message_key = "error.unsupported_media_type"


class Internal(DomainError):
    status = 500
    code = "internal"
    message_key = "error.internal"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"
    message_key = "error.unavailable"


def error_payload(error: DomainError, locale: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": error.code, "message": error.message(locale)}}


def _from_http(exc: web.HTTPException, request: web.Request) -> DomainError:
    if exc.status == 404:
        return NotFound()
    if exc.status == 405:
        return MethodNotAllowed()
    if exc.status == 413:
        limit = request.app[MAX_BODY_MB]
        return TooLarge(max_mb=limit)
    error = DomainError()
    error.status = exc.status
    return error


MAX_BODY_MB = web.AppKey("max_body_mb", int)
Renderer = Callable[[web.Request, DomainError], Awaitable[web.StreamResponse]]
ERROR_RENDERER = web.AppKey("error_renderer", Renderer)


def wants_json(request: web.Request) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as error:
        return await request.app[ERROR_RENDERER](request, error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return await request.app[ERROR_RENDERER](request, _from_http(exc, request))
    except Exception:
        request_id = request.get(REQUEST_ID, "-")
        log.exception("unhandled error on %s %s [%s]", request.method, request.path, request_id)
        return await request.app[ERROR_RENDERER](request, Internal(request_id=request_id))
