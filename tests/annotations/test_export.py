"""A delegate's annotated copy: real annotations, where the delegate drew them, on any page.

The PDFs are drawn here with reportlab in the serif font with every Vietnamese letter;
what the copy holds is read back with pypdf, and what a reader sees is checked by
rendering with poppler's ``pdftoppm`` and extracting with ``pdftotext``.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.pdfgen.canvas import Canvas

from server.annotations.export import Mark, annotated_pdf
from server.fonts import register_serif, render_lock

TITLE = "Báo cáo kinh tế – xã hội tỉnh"
NOTE = "Đề nghị làm rõ số liệu quý IV; ý kiến của Sở Kế hoạch và Đầu tư"
HANOI = timezone(timedelta(hours=7))
WHEN = datetime(2025, 3, 4, 9, 30, 15, tzinfo=HANOI)
AUTHOR = "Nguyễn Thị Hằng"
DPI = 50
SCALE = DPI / 72
YELLOW = (0xFF, 0xD4, 0x00)
RED = (0xD0, 0x02, 0x1B)
# Where the title is drawn, in user space, and a highlight that covers it.
TEXT_AT = (72.0, 770.0)
OVER_TITLE = [70.0, 765.0, 290.0, 785.0]


def make_pdf(pages: int = 1, origin: tuple[float, float] = (0, 0), rotate: int = 0,
             link: bool = False) -> bytes:
    """A4 pages with the title at TEXT_AT; ``origin`` moves the MediaBox (and the drawing)
    so user space no longer starts at the page's corner; ``rotate`` sets /Rotate."""
    family = register_serif()
    ox, oy = origin
    buffer = io.BytesIO()
    with render_lock:
        canvas = Canvas(buffer, pagesize=(595 + ox, 842 + oy), invariant=True)
        for number in range(1, pages + 1):
            canvas.setFont(family, 14)
            canvas.drawString(TEXT_AT[0] + ox, TEXT_AT[1] + oy, f"{TITLE} {number}")
            if link:
                canvas.linkURL("https://example.gov.vn", (72 + ox, 600 + oy, 200 + ox, 620 + oy))
            canvas.showPage()
        canvas.save()
    if not (ox or oy or rotate):
        return buffer.getvalue()
    writer = PdfWriter(clone_from=PdfReader(buffer))
    for page in writer.pages:
        page.mediabox = RectangleObject((ox, oy, 595 + ox, 842 + oy))
        page.cropbox = RectangleObject((ox, oy, 595 + ox, 842 + oy))
        if rotate:
            page.rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mark(kind: str, data: dict[str, Any], page: int = 1) -> Mark:
    return Mark(page=page, kind=kind, data=data, author=AUTHOR, created=WHEN)  # type: ignore[arg-type]


def highlight(rect: list[float], page: int = 1, **extra: Any) -> Mark:
    return mark("highlight", {"rects": [rect], "color": "#ffd400", **extra}, page=page)


def annotations(pdf: bytes, page: int = 1) -> list[Any]:
    reader = PdfReader(io.BytesIO(pdf))
    return [a.get_object() for a in reader.pages[page - 1].get("/Annots", [])]


def render(pdf: bytes, tmp_path: Path, page: int = 1) -> Image.Image:
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(path), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("RGB")


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def to_pixel(x: float, y: float, origin: tuple[float, float] = (0, 0),
             rotate: int = 0) -> tuple[float, float]:
    """Where a user-space point of an A4 page lands in the rendered image."""
    ox, oy = origin
    if rotate == 90:  # turned clockwise: the page's bottom edge becomes the left edge
        return (y - oy) * SCALE, (x - ox) * SCALE
    return (x - ox) * SCALE, (842 + oy - y) * SCALE


def pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    data = image.tobytes()
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 3)]


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(p - c) <= tolerance for p, c in zip(pixel, colour, strict=True))


def box_of(image: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box (left, top, right, bottom) of the pixels of ``colour``."""
    mask = Image.new("1", image.size)
    mask.putdata([near(p, colour) for p in pixels(image)])
    box = mask.getbbox()
    assert box is not None, f"no pixel of {colour} in the rendered page"
    return box


def expected_box(rect: list[float], origin: tuple[float, float] = (0, 0),
                 rotate: int = 0) -> tuple[float, float, float, float]:
    (ax, ay), (bx, by) = (to_pixel(rect[0], rect[1], origin, rotate),
                          to_pixel(rect[2], rect[3], origin, rotate))
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def assert_box_near(actual: tuple[int, ...], expected: tuple[float, ...]) -> None:
    assert all(abs(a - e) <= 2 for a, e in zip(actual, expected, strict=True)), (actual, expected)


def dark_pixels_inside(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    return sum(1 for p in pixels(image.crop(box)) if max(p) < 100)


def test_each_kind_becomes_a_pdf_annotation_of_its_subtype_with_author_and_time() -> None:
    copy = annotated_pdf(make_pdf(), [
        highlight(OVER_TITLE),
        mark("ink", {"strokes": [[[100, 500], [300, 520]]], "color": "#d0021b", "width": 2}),
        mark("note", {"x": 450, "y": 700, "text": NOTE, "color": "#ffd400"}),
    ])

    found = annotations(copy)

    assert [a["/Subtype"] for a in found] == ["/Highlight", "/Ink", "/Text"]
    assert all(a["/T"] == AUTHOR and a["/M"] == "D:20250304093015+07'00'" for a in found)
    assert all("/N" in a["/AP"] for a in found)


def test_a_highlight_keeps_its_rectangles_as_quadpoints() -> None:
    rects = [[70.0, 765.0, 290.0, 785.0], [72.5, 745.25, 180.0, 762.0]]
    copy = annotated_pdf(make_pdf(), [mark("highlight", {"rects": rects, "color": "#ffd400"})])

    (found,) = annotations(copy)

    quads = [float(v) for v in found["/QuadPoints"]]
    assert quads == pytest.approx([70, 785, 290, 785, 70, 765, 290, 765,
                                   72.5, 762, 180, 762, 72.5, 745.25, 180, 745.25])
    assert [float(v) for v in found["/Rect"]] == pytest.approx([70, 745.25, 290, 785])


def test_an_ink_mark_keeps_every_stroke_and_its_width() -> None:
    strokes = [[[100, 500], [300, 520], [400, 400]], [[120, 300], [130, 310]]]
    copy = annotated_pdf(make_pdf(), [
        mark("ink", {"strokes": strokes, "color": "#d0021b", "width": 3}),
    ])

    (found,) = annotations(copy)

    assert [[float(v) for v in s] for s in found["/InkList"]] == [
        [100, 500, 300, 520, 400, 400], [120, 300, 130, 310]]
    assert float(found["/BS"]["/W"]) == 3
    left, bottom, right, top = (float(v) for v in found["/Rect"])
    assert left <= 100 and bottom <= 300 and right >= 400 and top >= 520


def test_a_vietnamese_note_keeps_its_text_exactly_as_a_utf16_string() -> None:
    decomposed = unicodedata.normalize("NFD", NOTE)
    copy = annotated_pdf(make_pdf(), [
        mark("note", {"x": 450, "y": 700, "text": decomposed, "color": "#ffd400"}),
    ])

    (found,) = annotations(copy)

    assert found["/Contents"] == unicodedata.normalize("NFC", NOTE)
    assert found["/Contents"].get_original_bytes().startswith(b"\xfe\xff")
    assert found["/T"].get_original_bytes().startswith(b"\xfe\xff")
    assert [float(v) for v in found["/Rect"]] == pytest.approx([450, 680, 470, 700])


def test_the_highlight_shows_in_its_colour_over_the_text_it_covers(tmp_path: Path) -> None:
    image = render(annotated_pdf(make_pdf(), [highlight(OVER_TITLE)]), tmp_path)

    box = box_of(image, YELLOW)

    assert_box_near(box, expected_box(OVER_TITLE))
    # Multiplied with the page, not painted over it: the title is still dark inside.
    assert dark_pixels_inside(image, box) > 50


def test_an_ink_stroke_shows_in_its_colour_along_its_path(tmp_path: Path) -> None:
    stroke = [[100, 500], [300, 520], [400, 400]]
    image = render(annotated_pdf(make_pdf(), [
        mark("ink", {"strokes": [stroke], "color": "#d0021b", "width": 4}),
    ]), tmp_path)

    for (ax, ay), (bx, by) in zip(stroke, stroke[1:], strict=False):
        px, py = to_pixel((ax + bx) / 2, (ay + by) / 2)
        around = [image.getpixel((round(px) + dx, round(py) + dy))
                  for dx in range(-2, 3) for dy in range(-2, 3)]
        assert any(near(p, RED, 30) for p in around), (px, py, around)
    assert_box_near(box_of(image, RED), expected_box([100, 400, 400, 520]))


def test_a_note_shows_an_icon_where_it_was_placed(tmp_path: Path) -> None:
    image = render(annotated_pdf(make_pdf(), [
        mark("note", {"x": 450, "y": 700, "text": NOTE, "color": "#00c000"}),
    ]), tmp_path)

    left, top, right, bottom = box_of(image, (0x00, 0xC0, 0x00))

    x, y = to_pixel(450, 700)
    assert x <= left < right <= x + 20 * SCALE + 1 and y <= top < bottom <= y + 20 * SCALE + 1


def test_marks_land_on_the_text_of_a_page_rotated_90_degrees(tmp_path: Path) -> None:
    source = make_pdf(rotate=90)
    image = render(annotated_pdf(source, [highlight(OVER_TITLE)]), tmp_path)

    box = box_of(image, YELLOW)

    assert image.size[0] > image.size[1]  # shown in landscape
    assert_box_near(box, expected_box(OVER_TITLE, rotate=90))
    assert dark_pixels_inside(image, box) > 50


def test_marks_land_on_the_text_of_a_page_whose_mediabox_does_not_start_at_zero(
        tmp_path: Path) -> None:
    origin = (100.0, 200.0)
    rect = [OVER_TITLE[0] + 100, OVER_TITLE[1] + 200, OVER_TITLE[2] + 100, OVER_TITLE[3] + 200]
    image = render(annotated_pdf(make_pdf(origin=origin), [highlight(rect)]), tmp_path)

    box = box_of(image, YELLOW)

    assert_box_near(box, expected_box(rect, origin=origin))
    assert dark_pixels_inside(image, box) > 50


def test_the_page_text_extracts_as_before(tmp_path: Path) -> None:
    source = make_pdf(pages=2)
    copy = annotated_pdf(source, [
        highlight(OVER_TITLE, text=TITLE),
        mark("ink", {"strokes": [[[100, 500], [300, 520]]], "color": "#d0021b", "width": 2}),
        mark("note", {"x": 450, "y": 700, "text": NOTE, "color": "#ffd400"}, page=2),
    ])

    assert text_of(copy, tmp_path) == text_of(source, tmp_path)
    assert f"{TITLE} 1" in text_of(copy, tmp_path)


def test_the_source_file_is_only_read(tmp_path: Path) -> None:
    original = make_pdf()
    path = tmp_path / "source.pdf"
    path.write_bytes(original)

    copy = annotated_pdf(path, [highlight(OVER_TITLE)])

    assert path.read_bytes() == original
    assert copy != original and len(annotations(copy)) == 1
    # Appended as an incremental update: a signature over the original still covers it.
    assert copy.startswith(original)


def test_annotations_already_in_the_paper_are_kept() -> None:
    copy = annotated_pdf(make_pdf(link=True), [highlight(OVER_TITLE)])

    assert [a["/Subtype"] for a in annotations(copy)] == ["/Link", "/Highlight"]


def test_marks_go_to_their_own_page_and_marks_on_missing_pages_are_left_out() -> None:
    copy = annotated_pdf(make_pdf(pages=2), [
        highlight(OVER_TITLE), highlight(OVER_TITLE, page=0), highlight(OVER_TITLE, page=3),
        mark("note", {"x": 450, "y": 700, "text": NOTE}, page=2),
    ])

    assert [a["/Subtype"] for a in annotations(copy, 1)] == ["/Highlight"]
    assert [a["/Subtype"] for a in annotations(copy, 2)] == ["/Text"]


def test_an_invalid_colour_falls_back_to_the_default_of_its_kind() -> None:
    copy = annotated_pdf(make_pdf(), [
        mark("highlight", {"rects": [OVER_TITLE], "color": "yellow"}),
        mark("ink", {"strokes": [[[100, 500], [300, 520]]], "color": "#12345", "width": 2}),
        mark("note", {"x": 450, "y": 700, "text": NOTE, "color": None}),
    ])

    colours = [[round(float(v) * 255) for v in a["/C"]] for a in annotations(copy)]

    assert colours == [list(YELLOW), list(RED), list(YELLOW)]


def test_a_mark_whose_geometry_cannot_be_read_is_left_out_and_the_rest_kept() -> None:
    copy = annotated_pdf(make_pdf(), [
        mark("highlight", {"rects": [[70, "x", 290, 785]], "color": "#ffd400"}),
        mark("ink", {"strokes": [], "color": "#d0021b"}),
        mark("note", {"x": float("nan"), "y": 700, "text": NOTE}),
        highlight(OVER_TITLE),
    ])

    assert [a["/Subtype"] for a in annotations(copy)] == ["/Highlight"]


def test_a_mark_needs_a_time_with_its_zone() -> None:
    with pytest.raises(ValueError):
        Mark(page=1, kind="note", data={}, author=AUTHOR, created=datetime(2025, 3, 4, 9, 30))
    assert Mark(page=1, kind="note", data={}, author=AUTHOR,
                created=datetime(2025, 3, 4, 2, 30, tzinfo=UTC)).created.utcoffset() is not None
