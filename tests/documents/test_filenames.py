"""The user's file name is kept for display, cleaned, and never used as a path."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from server.documents.filenames import (
    ascii_fallback,
    clean_filename,
    form_filename,
    truncate_utf8,
)

from .conftest import Api, make_pdf, store_files


@pytest.mark.parametrize("raw, clean", [
    ("Báo cáo.pdf", "Báo cáo.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\Thư ký\\Tờ trình.pdf", "Tờ trình.pdf"),
    ("Tờ\x00 trình\x1b[31m.pdf", "Tờ trình[31m.pdf"),
    ("báo\u202ecáo.pdf", "báocáo.pdf"),
    ("  nhiều   khoảng\ttrắng .pdf ", "nhiều khoảng trắng.pdf"),
    ("..", "tai-lieu.pdf"),
    ("", "tai-lieu.pdf"),
    ("/", "tai-lieu.pdf"),
    (".pdf", "pdf"),  # no hidden files: leading dots go
    ("BAO CAO.PDF", "BAO CAO.pdf"),
])
def test_names_are_cleaned(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


def test_names_are_stored_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nghị quyết.pdf")
    assert clean_filename(decomposed) == unicodedata.normalize("NFC", "Nghị quyết.pdf")


def test_a_long_vietnamese_name_is_cut_to_255_bytes_between_characters() -> None:
    name = clean_filename("Tờ trình về việc phê duyệt " * 20 + ".pdf")
    assert len(name.encode()) <= 255
    assert name.endswith(".pdf")
    name.encode().decode("utf-8")  # whole characters only


def test_a_cut_never_separates_a_letter_from_its_mark() -> None:
    text = "a" * 10 + "e\u0302\u0301"  # "ế" as a base and two combining marks
    assert truncate_utf8(text, 12) == "a" * 10
    assert truncate_utf8(text, 15) == text


def test_the_ascii_fallback_drops_the_marks() -> None:
    assert ascii_fallback('Đề án "số".pdf') == "De an _so_.pdf"


def test_form_names_sent_percent_encoded_are_read_back() -> None:
    assert form_filename("B%C3%A1o%20c%C3%A1o.pdf") == "Báo cáo.pdf"
    assert form_filename("100%.pdf") == "100%.pdf"
    assert form_filename("%FF.pdf") == "%FF.pdf"


async def test_an_uploaded_path_is_shown_as_its_name_and_stored_by_hash(
    meeting_id: int, api: Api, store_path: Path
) -> None:
    await api.as_("thuky")
    before = store_files(store_path)
    document = await api.upload_document(meeting_id, make_pdf(1), "../../../tmp/x/Tờ trình.pdf")
    assert document["current"]["filename"] == "Tờ trình.pdf"
    (added,) = store_files(store_path) - before
    assert Path(added).name == document["current"]["sha256"]


async def test_a_very_long_vietnamese_name_is_accepted_and_shortened(
    meeting_id: int, api: Api
) -> None:
    await api.as_("thuky")
    document = await api.upload_document(meeting_id, make_pdf(1),
                                         "Báo cáo tổng kết công tác năm " * 30 + ".pdf")
    filename = document["current"]["filename"]
    assert len(filename.encode()) <= 255 and filename.endswith(".pdf")
    assert len(document["title"]) <= 500
