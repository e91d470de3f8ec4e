"""Static files of ``web/``, the npm-installed browser libraries, and the language switch."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from .http import redirect, safe_next
from .openapi import openapi
from .settings import LOCALES

# Only these npm packages are served, and only their built files.
VENDOR = {
    "pdfjs": ("pdfjs-dist", "build"),
    # The viewer components (text layer, find controller) and what they load for
    # PDFs whose fonts are not embedded: CJK/Unicode maps and the standard 14 fonts.
    "pdfjs-viewer": ("pdfjs-dist", "web"),
    "pdfjs-cmaps": ("pdfjs-dist", "cmaps"),
    "pdfjs-fonts": ("pdfjs-dist", "standard_fonts"),
    "socket.io": ("socket.io-client", "dist"),
}


async def switch_language(request: web.Request) -> web.StreamResponse:
    code = request.match_info["code"]
    if code not in LOCALES:
        raise web.HTTPNotFound()
    response = redirect(safe_next(request.query.get("next", "/")))
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", path="/")
    return response


def setup_static(app: web.Application, web_root: Path) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi, name="openapi")
    app.router.add_static("/static/", web_root / "static", name="static")
    modules = web_root / "node_modules"
    for prefix, (package, folder) in VENDOR.items():
        path = modules / package / folder
        if path.is_dir():
            app.router.add_static(f"/vendor/{prefix}/", path, name=f"vendor-{prefix}")
    app.router.add_get("/lang/{code}", switch_language, name="lang")
