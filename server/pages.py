"""Server-rendered pages: the jinja2 environment, rendering, and the error page.

Templates get ``_`` (the catalog of the request's language), ``user``, the
CSRF token and ``locale``; autoescaping is on for every template, so names
with HTML in them are shown as text.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from aiohttp import web

from .auth.identity import IDENTITY, Identity
from .errors import ERROR_RENDERER, DomainError, error_payload, wants_json
from .http import json_response
from .i18n import pick_locale, translate
from .settings import LOCALES, ROOT

log = logging.getLogger("phonghop.pages")
TEMPLATES = ROOT / "web" / "templates"
JINJA = web.AppKey("jinja", jinja2.Environment)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _vietnam() -> tzinfo:
    # Vietnam has kept UTC+7 without daylight saving since 1975, so the fixed
    # offset is exact when the system has no time zone database.
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=7), "ICT")


VIETNAM = _vietnam()


@jinja2.pass_context
def local_time(context: jinja2.runtime.Context, moment: datetime) -> str:
    """``08:00, thứ Hai 30/11/2026``: Vietnam time, in the page's language."""
    local = moment.astimezone(VIETNAM)
    locale = context["locale"]
    return translate(
        locale, "time.datetime", time=f"{local:%H:%M}", date=f"{local:%d/%m/%Y}",
        weekday=translate(locale, f"weekday.{WEEKDAYS[local.weekday()]}"))


def create_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        enable_async=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    return env


def request_locale(request: web.Request) -> str:
    from .state import SETTINGS

    identity: Identity | None = request.get(IDENTITY)
    user_locale = identity.user.locale if identity else None
    return pick_locale(request, user_locale, request.app[SETTINGS].i18n.default_locale)


async def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    locale = request_locale(request)
    identity: Identity | None = request.get(IDENTITY)

    def _(key: str, **params: object) -> str:
        return translate(locale, key, **params)

    html = await request.app[JINJA].get_template(template).render_async(
        _=_,
        locale=locale,
        locales=LOCALES,
        user=identity.user if identity else None,
        csrf_token=identity.csrf_token if identity else "",
        request_path=request.path_qs,
        **context,
    )
    response = web.Response(text=html, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


async def render_error(request: web.Request, error: DomainError) -> web.StreamResponse:
    locale = request_locale(request)
    if wants_json(request):
        response = json_response(error_payload(error, locale), status=error.status)
    else:
        try:
            response = await render(
                request, "error.html", status=error.status, message=error.message(locale),
                status_code=error.status,
            )
        except Exception:
            # The error page must not fail in turn: fall back to its plain message.
            log.exception("error page could not be rendered")
            response = web.Response(text=error.message(locale), status=error.status)
    response.headers.update(error.headers)
    return response


def setup_pages(app: web.Application) -> None:
    app[JINJA] = create_environment()
    app[ERROR_RENDERER] = render_error
