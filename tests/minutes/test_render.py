"""The minutes' PDF follows Nghị định 30/2020, mẫu 1.9, and gives back the text written.

Every check reads the PDF as a reader would, with poppler's tools: ``pdfinfo`` for
the page size, count and metadata, ``pdffonts`` for the fonts, ``pdftotext`` (plain,
``-layout`` and ``-bbox``) for the text and where each word sits. Rendering is a
pure function of the document, so a rendered PDF is shared by the tests of a module;
each test reads it from its own temporary folder.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from server.fonts import find_serif
from server.minutes.document import (
    Block,
    Box,
    Heading,
    MinutesDocument,
    Paragraph,
    RenderedMinutes,
    Signature,
    SignerRole,
    VoteRow,
    VoteTable,
)
from server.minutes.render import render_minutes

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.28, 841.89

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
MEETING = "Phiên họp thường kỳ tháng 3 năm 2025 của Ủy ban nhân dân tỉnh Lâm Sơn"
CLOSING = "Cuộc họp kết thúc vào 11 giờ 30 phút, ngày 15 tháng 3 năm 2025./."
DISCUSSION = ("Các đại biểu thảo luận về tiến độ giải ngân vốn đầu tư công, công tác giải "
              "phóng mặt bằng các dự án trọng điểm và cải cách thủ tục hành chính trên địa bàn "
              "tỉnh; Sở Tài chính tiếp thu, hoàn chỉnh dự thảo trình Ủy ban nhân dân tỉnh.")
LITERAL = ("Ký hiệu <b>không</b> in đậm, &amp; giữ nguyên, a < b > c & d, ]]> và <i>; "
           "5 * 3 * 2 = 30.")


def every_vietnamese_letter() -> str:
    """Each vowel with each tone in both cases, as syllables, with "Đ/đ": a long paragraph."""
    tones = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    words = []
    for vowel in "aăâeêioôơuưy":
        syllables = [unicodedata.normalize("NFC", f"đ{vowel}{tone}n") for tone in tones]
        words.append(" ".join(syllables + [s.capitalize() for s in syllables]))
    return "Đ/đ: " + ", ".join(words) + "."


VIETNAMESE = every_vietnamese_letter()


def vote() -> VoteTable:
    return VoteTable(
        title="Kết quả biểu quyết thông qua Báo cáo tình hình kinh tế – xã hội quý I:",
        rows=[VoteRow("Tán thành", 13, "61,9%"), VoteRow("Không tán thành", 5, "23,8%"),
              VoteRow("Không biểu quyết", 3, "14,3%")],
        outcome="Thông qua với 13/21 thành viên tán thành (61,9%).")


def body(discussions: int = 2) -> list[Block]:
    blocks: list[Block] = [
        Paragraph("Thời gian bắt đầu: 08 giờ 00 phút, ngày 15 tháng 3 năm 2025."),
        Paragraph("Địa điểm: Phòng họp số 1, trụ sở Ủy ban nhân dân tỉnh Lâm Sơn."),
        Paragraph("Chủ trì (chủ tọa): đồng chí Trần Thị Bình, Chủ tịch UBND tỉnh."),
        Paragraph("Thư ký (người ghi biên bản): đồng chí Lê Văn Cường, Chuyên viên."),
        Heading("1. Báo cáo tình hình kinh tế – xã hội quý I năm 2025"),
        Paragraph("Đồng chí **Nguyễn Văn An**, Giám đốc Sở Kế hoạch và Đầu tư, trình bày "
                  "*báo cáo* tình hình kinh tế – xã hội quý I năm 2025."),
        vote(),
        Paragraph(LITERAL),
        Paragraph(VIETNAMESE),
    ]
    for i in range(discussions):
        if i and i % 20 == 0:
            blocks += [Heading(f"{i // 20 + 1}. Nội dung thảo luận tiếp theo"), vote()]
        blocks.append(Paragraph(f"Ý kiến {i + 1}: {DISCUSSION} {DISCUSSION} {DISCUSSION}"))
    return blocks


def make_minutes(**changes: Any) -> MinutesDocument:
    """``make_minutes(blocks=body(120))``: a Vietnamese minutes, with any field changed."""
    fields: dict[str, Any] = dict(
        parent_agency="UBND TỈNH LÂM SƠN", agency="VĂN PHÒNG UBND TỈNH LÂM SƠN",
        number="Số: 12/BB-VP", meeting_name=MEETING, blocks=body(), closing=CLOSING,
        signatures=[Signature(SignerRole.CHAIR, "CHỦ TỌA", "Trần Thị Bình"),
                    Signature(SignerRole.SECRETARY, "THƯ KÝ", "Lê Văn Cường")],
        recipients=["Thường trực Tỉnh ủy (để b/c);", "Chủ tịch, các PCT UBND tỉnh;",
                    "Lưu: VT, TH."])
    return MinutesDocument(**{**fields, **changes})


# --- poppler --------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    """A word as ``pdftotext -bbox`` places it: points from the top left of its page."""

    text: str
    x1: float
    y1: float
    x2: float
    y2: float


def poppler(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True,
                          text=True).stdout


def saved(rendered: RenderedMinutes, folder: Path) -> Path:
    path = folder / "minutes.pdf"
    path.write_bytes(rendered.pdf)
    return path


def text_of(pdf: Path, *options: str) -> str:
    """The extracted text with every run of white space as one space."""
    return collapse(poppler("pdftotext", *options, pdf, "-"))


def collapse(text: str) -> str:
    return " ".join(text.split())


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"(.*?)</word>")


def words(pdf: Path, page: int) -> list[Word]:
    out = poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), pdf, "-")
    return [Word(html.unescape(m[5]), *map(float, m.groups()[:4])) for m in _WORD.finditer(out)]


def info(pdf: Path) -> dict[str, str]:
    lines = poppler("pdfinfo", pdf).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


# --- fixtures -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered() -> RenderedMinutes:
    return render_minutes(make_minutes())


@pytest.fixture(scope="module")
def long_rendered() -> RenderedMinutes:
    return render_minutes(make_minutes(blocks=body(120)))


@pytest.fixture
def pdf(rendered: RenderedMinutes, tmp_path: Path) -> Path:
    return saved(rendered, tmp_path)


@pytest.fixture
def long_pdf(long_rendered: RenderedMinutes, tmp_path: Path) -> Path:
    return saved(long_rendered, tmp_path)


# --- the page and the fonts -------------------------------------------------------------

def test_the_pdf_is_a4_with_the_page_count_it_reports(
    rendered: RenderedMinutes, pdf: Path
) -> None:
    details = info(pdf)
    width, _, height = details["Page size"].split()[:3]
    assert (round(float(width), 2), round(float(height), 2)) == (PAGE_WIDTH, PAGE_HEIGHT)
    assert int(details["Pages"]) == rendered.pages == 2


def test_the_metadata_names_the_meeting_the_agency_and_the_language(
    rendered: RenderedMinutes, pdf: Path
) -> None:
    details = info(pdf)
    assert (details["Title"], details["Author"], details["Subject"]) == (
        MEETING, "VĂN PHÒNG UBND TỈNH LÂM SƠN", "Biên bản")
    assert b"/Lang (vi)" in rendered.pdf


def test_only_the_serif_font_is_used_every_face_embedded(pdf: Path) -> None:
    rows = poppler("pdffonts", pdf).splitlines()[2:]
    fonts = {row.split()[0].partition("+")[2]: row.split()[-5] for row in rows}
    family = find_serif().family
    # Bold for the headings, italic from "*báo cáo*", bold italic for "Nơi nhận:".
    assert fonts == {family: "yes", f"{family}-Bold": "yes", f"{family}-Italic": "yes",
                     f"{family}-BoldItalic": "yes"}


# --- the text ---------------------------------------------------------------------------

def test_the_header_reads_as_the_decree_writes_it(pdf: Path) -> None:
    text = text_of(pdf, "-layout", "-l", "1")
    for line in (QUOC_HIEU, TIEU_NGU, "Số: 12/BB-VP", "BIÊN BẢN", "UBND TỈNH LÂM SƠN"):
        assert line in text


def test_the_meeting_name_stands_under_the_title(pdf: Path) -> None:
    assert f"BIÊN BẢN {MEETING} Thời gian bắt đầu" in text_of(pdf, "-l", "1")


def test_every_paragraph_comes_back_exactly(pdf: Path) -> None:
    # Below the top margin, where the page numbers stand: a paragraph that runs over a
    # page break would otherwise read with the next page's number in its middle.
    text = text_of(pdf, "-x", "0", "-y", "55", "-W", "600", "-H", "800")
    expected = [b.text for b in body() if isinstance(b, Paragraph | Heading)]
    expected[expected.index(next(t for t in expected if "**" in t))] = (
        "Đồng chí Nguyễn Văn An, Giám đốc Sở Kế hoạch và Đầu tư, trình bày báo cáo tình hình "
        "kinh tế – xã hội quý I năm 2025.")
    missing = [t for t in expected + [CLOSING] if collapse(t) not in text]
    assert missing == []


def test_every_vietnamese_letter_comes_back_verbatim_without_hyphens(pdf: Path) -> None:
    assert VIETNAMESE in text_of(pdf) and VIETNAMESE in text_of(pdf, "-layout")


def test_markup_in_the_text_is_printed_literally(pdf: Path) -> None:
    assert LITERAL in text_of(pdf)


def test_crossed_and_lone_markers_never_break_the_layout(tmp_path: Path) -> None:
    # (Words of several letters: pdftotext joins a line of one-letter words into one.)
    odd = ["một **hai *ba** bốn*", "***ba sao***", "**", "*", "mở **không đóng", "<para>", "&#x41;"]
    rendered = render_minutes(make_minutes(blocks=[Paragraph(t) for t in odd]))
    text = text_of(saved(rendered, tmp_path))
    assert "một hai ba bốn ba sao ** * mở **không đóng <para> &#x41;" in text


def test_a_vote_table_shows_its_title_rows_and_outcome(pdf: Path) -> None:
    text = text_of(pdf, "-layout")
    table = vote()
    lines = [table.title, "Phương án Số phiếu Tỷ lệ",
             *(f"{r.label} {r.votes} {r.share}" for r in table.rows), table.outcome]
    assert [line for line in lines if line not in text] == []


# --- where things sit ---------------------------------------------------------------------

def test_page_numbers_stand_top_centre_from_page_two(pdf: Path) -> None:
    def in_top_margin(page: int) -> list[Word]:
        return [w for w in words(pdf, page) if w.y2 < 20 * MM]

    assert in_top_margin(1) == []
    [number] = in_top_margin(2)
    assert number.text == "2"
    assert abs((number.x1 + number.x2) / 2 - PAGE_WIDTH / 2) < 2


def test_every_word_stays_inside_the_decrees_margins(
    long_rendered: RenderedMinutes, long_pdf: Path
) -> None:
    outside = []
    for page in range(1, long_rendered.pages + 1):
        for word in words(long_pdf, page):
            if word.text == str(page) and word.y2 < 20 * MM:
                continue  # the page number, in the top margin
            if (word.x1 < 30 * MM or word.x2 > PAGE_WIDTH - 15 * MM or word.y1 < 20 * MM
                    or word.y2 > PAGE_HEIGHT - 20 * MM):
                outside.append((page, word))
    assert outside == []


def test_a_thirty_page_minutes_ends_with_the_signatures_and_their_boxes(
    long_rendered: RenderedMinutes, long_pdf: Path
) -> None:
    assert long_rendered.pages >= 30
    assert {role: box.page for role, box in long_rendered.boxes.items()} == {
        SignerRole.SECRETARY: long_rendered.pages, SignerRole.CHAIR: long_rendered.pages,
        SignerRole.SEAL: long_rendered.pages}
    assert "Lê Văn Cường Trần Thị Bình" in text_of(long_pdf, "-f", str(long_rendered.pages))


def overlap(a: Box, b: Box) -> bool:
    return a.x1 < b.x2 and b.x1 < a.x2 and a.y1 < b.y2 and b.y1 < a.y2


def test_the_boxes_are_apart_and_the_seal_covers_the_chairs_left_third(
    rendered: RenderedMinutes
) -> None:
    boxes = rendered.boxes
    secretary, chair, seal = (boxes[r] for r in (SignerRole.SECRETARY, SignerRole.CHAIR,
                                                 SignerRole.SEAL))
    assert not overlap(secretary, chair) and not overlap(secretary, seal)
    # The secretary on the left, the chair on the right.
    assert (secretary.x1 + secretary.x2) / 2 < PAGE_WIDTH / 2 < (chair.x1 + chair.x2) / 2
    assert secretary.x2 < chair.x1
    third = chair.x1 + (chair.x2 - chair.x1) / 3
    assert overlap(seal, chair) and seal.x1 < chair.x1 and abs(seal.x2 - third) < 0.5
    assert abs((chair.y2 - chair.y1) - 30 * MM) < 0.5


def words_at(found: list[Word], phrase: str) -> Word:
    """The span of a phrase's words on one line of ``found``."""
    parts = phrase.split()
    for i in range(len(found) - len(parts) + 1):
        run = found[i:i + len(parts)]
        if [w.text for w in run] == parts:
            return Word(phrase, run[0].x1, min(w.y1 for w in run), run[-1].x2,
                        max(w.y2 for w in run))
    raise AssertionError(f"{phrase!r} is not on the page")


@pytest.mark.parametrize(("role", "title", "name"), [
    (SignerRole.SECRETARY, "THƯ KÝ", "Lê Văn Cường"),
    (SignerRole.CHAIR, "CHỦ TỌA", "Trần Thị Bình")])
def test_each_box_lies_between_its_signers_title_and_name(
    rendered: RenderedMinutes, pdf: Path, role: SignerRole, title: str, name: str
) -> None:
    box = rendered.boxes[role]
    found = words(pdf, box.page)
    top, bottom = PAGE_HEIGHT - box.y2, PAGE_HEIGHT - box.y1  # as pdftotext measures
    heading, signer = words_at(found, title), words_at(found, name)
    for word in (heading, signer):
        assert box.x1 < word.x1 < word.x2 < box.x2
    assert top - 10 * MM < heading.y2 <= top + 1
    assert bottom - 1 <= signer.y1 < bottom + 10 * MM


def test_recipients_stand_at_the_bottom_left_under_the_signatures(
    rendered: RenderedMinutes, pdf: Path
) -> None:
    found = words(pdf, rendered.pages)
    heading, last = words_at(found, "Nơi nhận:"), words_at(found, "- Lưu: VT, TH.")
    names = words_at(found, "Lê Văn Cường")
    assert names.y2 < heading.y1 < last.y1
    assert heading.x1 < PAGE_WIDTH / 2 and last.x2 < PAGE_WIDTH / 2


def test_the_closing_line_and_the_signatures_share_a_page_wherever_the_body_ends(
    tmp_path: Path
) -> None:
    pages = set()
    for words_more in range(60, 600, 15):
        tail = Paragraph(" ".join(["thảo luận"] * words_more) + " kết thúc thảo luận.")
        rendered = render_minutes(make_minutes(blocks=[*body(1), tail]))
        page = rendered.boxes[SignerRole.CHAIR].page
        text = text_of(saved(rendered, tmp_path), "-f", str(page), "-l", str(page))
        assert f"{CLOSING} THƯ KÝ CHỦ TỌA Lê Văn Cường Trần Thị Bình Nơi nhận:" in text
        pages.add(page)
    # The sweep moved the end of the body across a page break.
    assert len(pages) > 1


# --- rendering --------------------------------------------------------------------------

def test_renders_in_threads_at_once_give_the_same_bytes() -> None:
    doc = make_minutes(blocks=body(20))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(render_minutes, [doc] * 4))
    assert {r.pdf for r in results} == {render_minutes(doc).pdf}


def test_page_one_and_the_last_page_are_kept_as_pictures(
    long_rendered: RenderedMinutes, long_pdf: Path, artifacts: Path
) -> None:
    pictures: dict[str, int] = {"minutes-page-1": 1, "minutes-last-page": long_rendered.pages}
    made: Callable[[str], Path] = lambda stem: artifacts / f"{stem}.png"  # noqa: E731
    for stem, page in pictures.items():
        made(stem).unlink(missing_ok=True)
        poppler("pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                long_pdf, artifacts / stem)
    sizes = [made(stem).read_bytes()[16:24] for stem in pictures]
    # PNG width and height at 80 dpi: A4 is 662 × 936 pixels (poppler rounds up).
    assert [(int.from_bytes(s[:4], "big"), int.from_bytes(s[4:], "big")) for s in sizes] == [
        (662, 936), (662, 936)]
