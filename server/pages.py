"""Server-rendered pages: the jinja2 environment, rendering, and the error page.

Templates get ``_`` (the catalog of the request's language), ``user``, the
CSRF token and ``locale``; autoescaping is on for every template, so names
with HTML in them are shown as text.
"""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from .auth.identity import IDENTITY, Identity
from .errors import ERROR_RENDERER, DomainError, error_payload, wants_json
from .i18n import pick_locale, translate
from .settings import LOCALES, ROOT

TEMPLATES = ROOT / "web" / "templates"
JINJA = web.AppKey("jinja", jinja2.Environment)


def create_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        enable_async=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
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
        response = web.json_response(error_payload(error, locale), status=error.status)
    else:
        response = await render(
            request, "error.html", status=error.status, message=error.message(locale),
            status_code=error.status,
        )
    response.headers.update(error.headers)
    return response


def setup_pages(app: web.Application) -> None:
    app[JINJA] = create_environment()
    app[ERROR_RENDERER] = render_error
