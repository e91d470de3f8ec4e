"""The OpenAPI 3 document, served at ``/api/v1/openapi.json``.

It is kept in ``docs/openapi/``: ``base.json`` (info, security schemes, shared
schemas) and one file of ``paths`` (and optional ``components``) per area, so
that each area documents its routes beside the others without one huge file.
``tests/test_openapi.py`` checks it against the real routes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from .http import json_response
from .settings import ROOT

FOLDER = ROOT / "docs" / "openapi"


@cache
def document(folder: Path = FOLDER) -> dict[str, Any]:
    base = json.loads((folder / "base.json").read_text(encoding="utf-8"))
    base.setdefault("paths", {})
    for part in sorted(folder.glob("*.json")):
        if part.name == "base.json":
            continue
        fragment = json.loads(part.read_text(encoding="utf-8"))
        for path, item in fragment.get("paths", {}).items():
            if path in base["paths"]:
                raise ValueError(f"{part.name}: {path} is already documented elsewhere")
            base["paths"][path] = item
        for kind, entries in fragment.get("components", {}).items():
            base["components"].setdefault(kind, {}).update(entries)
    for path, item in base["paths"].items():
        _declare_path_parameters(path, item)
    return base


def _declare_path_parameters(path: str, item: dict[str, Any]) -> None:
    """``{meeting_id}`` in a path is declared once here rather than in every fragment:
    ids are positive integers (anything else is a 404), other parameters strings."""
    declared = {p.get("name") for p in item.get("parameters", [])}
    for name in re.findall(r"\{(\w+)\}", path):
        if name not in declared:
            schema = ({"type": "integer", "minimum": 1} if name.endswith("_id")
                      else {"type": "string"})
            item.setdefault("parameters", []).append(
                {"name": name, "in": "path", "required": True, "schema": schema})


async def openapi(request: web.Request) -> web.Response:
    return json_response(document())
