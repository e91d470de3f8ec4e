"""What an annotation's ``data`` may hold, checked before anything is stored.

Coordinates are PDF points in the user space of the unrotated page (what PDF.js's
``viewport.convertToPdfPoint`` gives). The page's own size is not known here
without opening the file, so the bound is the largest page PDF allows (200 inches,
14 400 points); the limits on counts keep one note from growing without end.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from ..errors import InvalidField
from .models import AnnotationKind

COORDINATE_MAX = 14_400.0
RECTS_MAX, STROKES_MAX, POINTS_MAX = 200, 100, 10_000
TEXT_MAX = 4000
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOURS = {AnnotationKind.HIGHLIGHT: "#ffd400", AnnotationKind.INK: "#d0021b",
                   AnnotationKind.NOTE: "#ffd400"}


def _bad(field: str) -> InvalidField:
    return InvalidField(field=f"data.{field}", reason_key="annotations.bad_shape")


def _number(value: Any, field: str, low: float = -COORDINATE_MAX,
            high: float = COORDINATE_MAX) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or not low <= value <= high:
        raise _bad(field)
    return round(float(value), 2)


def _text(value: Any, field: str, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > TEXT_MAX or (required and not value.strip()):
        raise _bad(field)
    return unicodedata.normalize("NFC", value)


def _colour(value: Any, kind: AnnotationKind) -> str:
    if value is None:
        return DEFAULT_COLOURS[kind]
    if not isinstance(value, str) or not COLOUR.match(value):
        raise _bad("color")
    return value.lower()


def _rects(value: Any) -> list[list[float]]:
    if not isinstance(value, list) or not 1 <= len(value) <= RECTS_MAX:
        raise _bad("rects")
    rects = []
    for rect in value:
        if not isinstance(rect, list) or len(rect) != 4:
            raise _bad("rects")
        rects.append([_number(v, "rects") for v in rect])
    return rects


def _strokes(value: Any) -> list[list[list[float]]]:
    if not isinstance(value, list) or not 1 <= len(value) <= STROKES_MAX:
        raise _bad("strokes")
    strokes, total = [], 0
    for stroke in value:
        if not isinstance(stroke, list) or not stroke:
            raise _bad("strokes")
        total += len(stroke)
        if total > POINTS_MAX:
            raise _bad("strokes")
        points = []
        for point in stroke:
            if not isinstance(point, list) or len(point) != 2:
                raise _bad("strokes")
            points.append([_number(v, "strokes") for v in point])
        strokes.append(points)
    return strokes


def clean_data(kind: AnnotationKind, data: Any) -> dict[str, Any]:
    """The data of one annotation in its canonical form, or :class:`InvalidField`."""
    if not isinstance(data, dict):
        raise InvalidField(field="data", reason_key="annotations.bad_shape")
    colour = _colour(data.get("color"), kind)
    if kind == AnnotationKind.HIGHLIGHT:
        shape: dict[str, Any] = {"rects": _rects(data.get("rects")), "color": colour}
        text = _text(data.get("text"), "text", required=False)
        return {**shape, "text": text} if text else shape
    if kind == AnnotationKind.INK:
        return {"strokes": _strokes(data.get("strokes")), "color": colour,
                "width": _number(data.get("width", 2), "width", 0.1, 50)}
    return {"x": _number(data.get("x"), "x"), "y": _number(data.get("y"), "y"),
            "text": _text(data.get("text"), "text", required=True), "color": colour}
