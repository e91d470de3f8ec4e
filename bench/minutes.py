"""Minutes bench: render a 30-page minutes, make its signature fields, sign it three times
to PAdES B-LTA, verify it; each step's time.

Verifying includes pyHanko's AdES long-term validation of every signature; it is timed
three ways: now, a day after the signers' certificates expired (the archive data
proves them: "valid for the archive"), and thirty years on with the document
timestamps assumed renewed (pyHanko's simulation of a future validation).

No server: these are the pure functions the minutes workflow runs in an executor,
timed in this process. Keys come from a throwaway dev PKI (RSA-2048, encrypted
PKCS#12) and timestamps from pyHanko's in-process authority with the dev TSA key,
so no network is involved and the figures are the machine's CPU alone. Each step
runs ``rounds`` times on the same input; the table shows the median and the worst.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PAGES = 30
ROUNDS = 3

HEADER = (
    "| minutes (30 pages)               | runs | median ms |  worst ms |     bytes |\n"
    "|----------------------------------|------|-----------|-----------|-----------|"
)

_DISCUSSION = ("Các đại biểu thảo luận về tiến độ giải ngân vốn đầu tư công, công tác giải "
               "phóng mặt bằng các dự án trọng điểm và cải cách thủ tục hành chính trên địa "
               "bàn tỉnh; Sở Tài chính tiếp thu, hoàn chỉnh dự thảo trình Ủy ban nhân dân "
               "tỉnh.")


def _document(opinions: int) -> Any:
    from server.minutes.document import (
        Heading,
        MinutesDocument,
        Paragraph,
        Signature,
        SignerRole,
        VoteRow,
        VoteTable,
    )

    blocks: list[Any] = [
        Paragraph("Thời gian bắt đầu: 08 giờ 00 phút, ngày 15 tháng 3 năm 2025."),
        Paragraph("Địa điểm: Phòng họp số 1, trụ sở Ủy ban nhân dân tỉnh Lâm Sơn."),
    ]
    for i in range(opinions):
        if i % 15 == 0:
            blocks += [
                Heading(f"{i // 15 + 1}. Nội dung thứ {i // 15 + 1}"),
                VoteTable("Kết quả biểu quyết:", [
                    VoteRow("Tán thành", 13, "61,9%"), VoteRow("Không tán thành", 5, "23,8%"),
                    VoteRow("Không biểu quyết", 3, "14,3%")],
                    "Thông qua với 13/21 thành viên tán thành (61,9%)."),
            ]
        blocks.append(Paragraph(f"Ý kiến {i + 1}: {_DISCUSSION} {_DISCUSSION}"))
    return MinutesDocument(
        parent_agency="UBND TỈNH LÂM SƠN", agency="VĂN PHÒNG UBND TỈNH LÂM SƠN",
        number="Số: 12/BB-VP", meeting_name="Phiên họp thường kỳ tháng 3 năm 2025",
        blocks=blocks, closing="Cuộc họp kết thúc vào 11 giờ 30 phút./.",
        signatures=[Signature(SignerRole.CHAIR, "CHỦ TỌA", "Trần Thị Bình"),
                    Signature(SignerRole.SECRETARY, "THƯ KÝ", "Lê Văn Cường")],
        recipients=["Như trên;", "Lưu: VT, TH."])


def _render_30_pages() -> Any:
    """The renderer's minutes at ``PAGES`` pages or a little more."""
    from server.minutes.render import render_minutes

    opinions = 60
    while True:
        rendered = render_minutes(_document(opinions))
        if rendered.pages >= PAGES:
            return rendered, opinions
        opinions = int(opinions * PAGES / max(rendered.pages, 1)) + 5


def _timed(rounds: int, step: Callable[[], bytes | object]) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return times, result


def _row(name: str, times: list[float], size: int | None) -> str:
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    shown = f"{size:>9}" if size is not None else " " * 9
    return f"| {name:<32} | {len(times):>4} | {median:>9.1f} | {worst:>9.1f} | {shown} |"


def run(rounds: int = ROUNDS) -> list[str]:
    """The table's lines; the last says whether the verified file was valid."""
    from server.minutes.appearance import Appearance
    from server.minutes.document import SignerRole
    from server.minutes.pki import DEV_PASSPHRASE, write_dev_pki
    from server.minutes.render import render_minutes
    from server.minutes.signing import ORDER, Pkcs12Key, prepare_fields, sign
    from server.minutes.trust import dev_timestamper, read_certificates, read_crls
    from server.minutes.verify import verify_with

    lines = [HEADER]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pki = write_dev_pki(folder)
        timestamper = dev_timestamper((folder / "tsa.pem").read_bytes(),
                                      (folder / "tsa-key.pem").read_bytes())
        from server.minutes.trust import Trust

        trust = Trust(tuple(read_certificates((folder / "ca.pem").read_bytes())),
                      tuple(read_crls((folder / "crl.pem").read_bytes())))
        rendered, opinions = _render_30_pages()
        document = _document(opinions)
        times, rendered = _timed(rounds, lambda: render_minutes(document))
        lines.append(_row(f"render ({rendered.pages} pages)", times, len(rendered.pdf)))
        times, pdf = _timed(rounds, lambda: prepare_fields(rendered.pdf, rendered.boxes))
        lines.append(_row("prepare_fields", times, len(pdf)))
        appearances = {
            SignerRole.CHAIR: Appearance("Trần Thị Bình", "Chủ tịch UBND tỉnh"),
            SignerRole.SECRETARY: Appearance("Lê Văn Cường", "Chuyên viên"),
            SignerRole.SEAL: Appearance("VĂN PHÒNG UBND TỈNH LÂM SƠN", "Con dấu"),
        }
        labels = {SignerRole.CHAIR: "sign: chair (certify, B-T)",
                  SignerRole.SECRETARY: "sign: secretary (B-T)",
                  SignerRole.SEAL: "sign: seal (DSS + doc TS, B-LTA)"}
        total = 0.0
        for role in ORDER:
            key = Pkcs12Key(folder / f"{role.value}.p12", DEV_PASSPHRASE)
            before = pdf
            times, pdf = _timed(rounds, lambda role=role, key=key, before=before: sign(
                before, role, key, appearances[role], timestamper, trust=trust))
            total += statistics.median(times)
            lines.append(_row(labels[role], times, len(pdf)))
        times, report = _timed(rounds, lambda: verify_with(pdf, trust, list(ORDER)))
        lines.append(_row(f"verify now ({len(report.signatures)} sig., + long-term)", times,
                          None))
        expired = max(c.certificate.not_valid_after_utc for c in pki.signers.values()
                      if c.certificate.not_valid_after_utc > datetime.now(UTC))
        times, later = _timed(rounds, lambda: verify_with(
            pdf, trust, list(ORDER), at=expired + timedelta(days=1)))
        lines.append(_row("verify, signers expired (+2 y)", times, None))
        times, future = _timed(rounds, lambda: verify_with(
            pdf, trust, list(ORDER), at=datetime.now(UTC) + timedelta(days=30 * 365),
            assume_renewed=True))
        lines.append(_row("verify, +30 y simulated", times, None))
        good = (report.valid and later.standing.value == future.standing.value
                == "valid_for_archive")
        lines.append(f"\nthree signatures to B-LTA: {total * 1000:.0f} ms (medians); "
                     f"verified file {'valid' if good else 'NOT VALID'} now, "
                     f"{later.standing.value} at +2 y, {future.standing.value} at +30 y; "
                     f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return lines


def failed(lines: list[str]) -> bool:
    return bool(lines) and "NOT VALID" in lines[-1]


if __name__ == "__main__":
    print("\n".join(run()))
