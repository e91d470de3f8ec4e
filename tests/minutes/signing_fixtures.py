"""Fixtures of the signing and verification tests: a dev PKI, a two-page minutes with its
signature fields, and the same file signed by the chair, then the secretary, then sealed.

The signed stages are made once per session (about a second in all) and only read
by the tests, which work on copies of the bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from server.documents.store import DocumentStore
from server.meetings.models import Meeting
from server.minutes.appearance import Appearance
from server.minutes.document import Box, SignerRole
from server.minutes.keys import KeyPlace, register_key
from server.minutes.pki import (
    DEV_PASSPHRASE,
    DevPKI,
    Issued,
    issue_signer,
    make_ca,
    pkcs12_bytes,
    write_dev_pki,
)
from server.minutes.signing import Pkcs12Key, prepare_fields, sign
from server.minutes.trust import Trust, dev_timestamper, read_certificates, read_crls
from server.settings import Settings
from tests.conftest import make_settings

# A phrase in the body, uncompressed, so a test can flip one of its bytes.
MARKER = b"NGHI QUYET SO 42"
BOXES = {
    SignerRole.SECRETARY: Box(page=2, x1=90, y1=120, x2=260, y2=220),
    SignerRole.CHAIR: Box(page=2, x1=340, y1=120, x2=510, y2=220),
    # The seal over the chair's left third, as the decree's appendix shows it.
    SignerRole.SEAL: Box(page=2, x1=300, y1=125, x2=400, y2=225),
}
APPEARANCES = {
    SignerRole.CHAIR: Appearance("Nguyễn Văn An", "Chủ tịch UBND tỉnh"),
    SignerRole.SECRETARY: Appearance("Trần Thị Bình", "Chuyên viên Văn phòng"),
    SignerRole.SEAL: Appearance("UBND TỈNH PHÒNG HỌP", "Con dấu"),
}


@dataclass(frozen=True)
class Material:
    folder: Path
    pki: DevPKI
    trust: Trust

    def key(self, stem: str, passphrase: str = DEV_PASSPHRASE) -> Pkcs12Key:
        return Pkcs12Key(self.folder / f"{stem}.p12", passphrase)

    @property
    def ca_pem(self) -> bytes:
        return (self.folder / "ca.pem").read_bytes()

    @property
    def crl_pem(self) -> bytes:
        return (self.folder / "crl.pem").read_bytes()


def signature_png() -> bytes:
    """A blue stroke on a transparent background, as a scanned signature is kept."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 90), (90, 20), (150, 100), (280, 30)],
                               fill=(20, 40, 160, 255), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def minutes_pdf(pages: int = 2) -> bytes:
    """A plain minutes-like PDF (reportlab, content not compressed)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(595.27, 841.89), pageCompression=0)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 12)
        canvas.drawString(90, 760, f"BIEN BAN - trang {number}")
        canvas.drawString(90, 730, MARKER.decode())
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def byte_flipped(pdf: bytes) -> bytes:
    """``pdf`` with one byte of the marker changed ("N" becomes "O"), inside a signed range."""
    flipped = bytearray(pdf)
    flipped[flipped.index(MARKER)] ^= 0x01
    return bytes(flipped)


def text_appended(pdf: bytes) -> bytes:
    """``pdf`` with a line of text drawn on page 1 in a new incremental update: every
    signature's bytes stay intact, the file says something else."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 90 700 Td (DA SUA SAU KHI KY) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    folder = tmp_path_factory.mktemp("dev-pki")
    pki = write_dev_pki(folder)
    trust = Trust(tuple(read_certificates((folder / "ca.pem").read_bytes())),
                  tuple(read_crls((folder / "crl.pem").read_bytes())))
    return Material(folder, pki, trust)


@pytest.fixture(scope="session")
def timestamper(material: Material):  # noqa: ANN201 - pyHanko's DummyTimeStamper
    return dev_timestamper((material.folder / "tsa.pem").read_bytes(),
                           (material.folder / "tsa-key.pem").read_bytes())


@pytest.fixture(scope="session")
def untrusted_key(tmp_path_factory: pytest.TempPathFactory) -> Pkcs12Key:
    """A signer whose CA nobody configured."""
    ca = make_ca("Unknown CA")
    signer: Issued = issue_signer(ca, "Người Lạ", "Không rõ")
    path = tmp_path_factory.mktemp("untrusted") / "stranger.p12"
    path.write_bytes(pkcs12_bytes(signer, ca, "x", "stranger"))
    return Pkcs12Key(path, "x")


@pytest.fixture(scope="session")
def prepared() -> bytes:
    return prepare_fields(minutes_pdf(), BOXES)


@pytest.fixture(scope="session")
def stages(material: Material, timestamper, prepared: bytes) -> dict[SignerRole, bytes]:  # noqa: ANN001
    """The file after each signature: chair (with a signature image), secretary, seal."""
    chair = Appearance("Nguyễn Văn An", "Chủ tịch UBND tỉnh", image_png=signature_png())
    files: dict[SignerRole, bytes] = {}
    pdf = prepared
    for role in (SignerRole.CHAIR, SignerRole.SECRETARY, SignerRole.SEAL):
        appearance = chair if role is SignerRole.CHAIR else APPEARANCES[role]
        pdf = sign(pdf, role, material.key(role.value), appearance, timestamper,
                   trust=material.trust)
        files[role] = pdf
    return files


# The server's side, for tests that sign through the API or the browser: import
# ``dev_pki``, ``settings`` and ``keys`` into the test module.

@pytest.fixture(scope="module")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dev-pki")
    write_dev_pki(folder)
    return folder


@pytest.fixture
def settings(database_url: str, store_path: Path, dev_pki: Path) -> Settings:
    return make_settings(database_url, store_path, signing={"dev_pki": str(dev_pki)})


@pytest.fixture
async def keys(sessions: Any, settings: Settings, dev_pki: Path, meeting_id: int) -> None:
    """Where the chair's, the secretary's and the seal's keys are (as `signing-key` says)."""
    store = DocumentStore(settings.documents.store)
    async with sessions() as db:
        unit = await db.scalar(select(Meeting.organiser_unit_id).where(Meeting.id == meeting_id))
        await register_key(db, store, KeyPlace(pkcs12=dev_pki / "chair.p12"), username="chutoa")
        await register_key(db, store, KeyPlace(pkcs12=dev_pki / "secretary.p12"),
                           username="thuky")
        await register_key(db, store, KeyPlace(pkcs12=dev_pki / "seal.p12"), unit_id=unit)
        await db.commit()
