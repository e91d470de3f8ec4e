"""The OpenAPI document stays true: every API route is in it, and nothing else."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient

METHODS = {"get", "post", "put", "patch", "delete"}


def _api_routes(app: web.Application) -> set[tuple[str, str]]:
    routes = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if (path.startswith("/api/") or path in ("/healthz", "/metrics")) \
                and route.method != "HEAD":
            routes.add((re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", path), route.method.lower()))
    return routes


async def test_every_api_route_is_documented_and_nothing_more(client: TestClient) -> None:
    document = await (await client.get("/api/v1/openapi.json")).json()
    documented = {(path, method) for path, item in document["paths"].items() for method in item
                  if method in METHODS}
    assert documented == _api_routes(client.app)


def test_the_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import validate

    from server.openapi import document

    validate(document())
