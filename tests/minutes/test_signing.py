"""Signing the minutes: fields first, chair → secretary → seal, PAdES B-LTA at the end,
with PKCS#12 files and a PKCS#11 token (SoftHSM2), and every bad input refused."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import read_certification_data

from server.minutes import errors
from server.minutes.document import Box, SignerRole
from server.minutes.pki import key_pem
from server.minutes.signing import ORDER, Pkcs12Key, TokenKey, prepare_fields, sign, signed_roles
from server.minutes.verify import Chain, Integrity, Revocation, verify
from tests.minutes.signing_fixtures import APPEARANCES, BOXES, Material, minutes_pdf

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf))


def test_every_signature_field_is_made_before_anyone_signs(prepared: bytes) -> None:
    found = {name: value for name, value, _ref in enumerate_sig_fields(_reader(prepared))}
    assert found == {"chair": None, "secretary": None, "seal": None}


def test_fields_are_made_once(prepared: bytes) -> None:
    with pytest.raises(errors.SignatureFieldsExist):
        prepare_fields(prepared, BOXES)


@pytest.mark.parametrize("boxes", [
    {SignerRole.CHAIR: BOXES[SignerRole.CHAIR]},
    {**BOXES, SignerRole.SEAL: Box(page=9, x1=1, y1=1, x2=50, y2=50)},
], ids=["a role without a box", "a box off the pages"])
def test_a_wrong_box_is_refused(boxes: dict[SignerRole, Box]) -> None:
    with pytest.raises(errors.InvalidSignatureBox):
        prepare_fields(minutes_pdf(), boxes)


def test_the_chair_certifies_allowing_only_form_filling_and_signing(
        stages: dict[SignerRole, bytes]) -> None:
    certification = read_certification_data(_reader(stages[SignerRole.CHAIR]))
    assert certification is not None and certification.permission is MDPPerm.FILL_FORMS


def test_chair_then_secretary_then_seal_all_sign_and_validate(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    sealed = stages[SignerRole.SEAL]
    assert signed_roles(sealed) == list(ORDER)
    report = verify(sealed, [material.ca_pem], [material.crl_pem], list(ORDER))
    assert report.valid, report


def test_the_sealed_file_is_pades_b_lta(stages: dict[SignerRole, bytes],
                                        material: Material) -> None:
    reader = _reader(stages[SignerRole.SEAL])
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3 and len(dss["/CRLs"]) >= 1
    signatures = reader.embedded_signatures
    assert [s.sig_object_type for s in signatures] == ["/Sig"] * 3 + ["/DocTimeStamp"]
    # Given only the trust root and no CRL, the file answers for every signer itself.
    report = verify(stages[SignerRole.SEAL], [material.ca_pem], [], list(ORDER))
    assert report.valid and {s.revocation for s in report.signatures} == {Revocation.GOOD}


def test_each_signature_is_timestamped(stages: dict[SignerRole, bytes],
                                       material: Material) -> None:
    report = verify(stages[SignerRole.SEAL], [material.ca_pem], [material.crl_pem])
    assert all(s.timestamp_time is not None for s in report.signatures)


def test_the_signature_image_is_drawn_with_its_transparency(
        stages: dict[SignerRole, bytes], tmp_path: Path) -> None:
    path = tmp_path / "chair.pdf"
    path.write_bytes(stages[SignerRole.CHAIR])
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True,
                             text=True, check=True).stdout
    assert " image " in listing and " smask " in listing


def test_the_appearance_embeds_its_fonts(stages: dict[SignerRole, bytes],
                                         tmp_path: Path) -> None:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(stages[SignerRole.SEAL])
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    # The test document's own Helvetica aside, every font of the appearances is embedded.
    assert [line for line in fonts if " no " in line and "Helvetica" not in line] == []


@pytest.mark.parametrize(("done", "role", "error"), [
    (None, SignerRole.SECRETARY, errors.SignedOutOfOrder),
    (None, SignerRole.SEAL, errors.SignedOutOfOrder),
    (SignerRole.CHAIR, SignerRole.SEAL, errors.SignedOutOfOrder),
    (SignerRole.CHAIR, SignerRole.CHAIR, errors.AlreadySigned),
    (SignerRole.SEAL, SignerRole.SECRETARY, errors.AlreadySigned),
])
def test_signing_out_of_order_is_refused(
        done: SignerRole | None, role: SignerRole, error: type[Exception], prepared: bytes,
        stages: dict[SignerRole, bytes], material: Material, timestamper) -> None:  # noqa: ANN001
    pdf = prepared if done is None else stages[done]
    with pytest.raises(error):
        sign(pdf, role, material.key(role.value), APPEARANCES[role], timestamper,
             trust=material.trust)


def test_a_file_without_fields_is_refused(material: Material, timestamper) -> None:  # noqa: ANN001
    with pytest.raises(errors.SignatureFieldsMissing):
        sign(minutes_pdf(), SignerRole.CHAIR, material.key("chair"),
             APPEARANCES[SignerRole.CHAIR], timestamper)


def test_a_wrong_passphrase_is_refused(prepared: bytes, material: Material,
                                       timestamper) -> None:  # noqa: ANN001
    with pytest.raises(errors.WrongSecret):
        sign(prepared, SignerRole.CHAIR, material.key("chair", "not-the-passphrase"),
             APPEARANCES[SignerRole.CHAIR], timestamper)


@pytest.mark.parametrize(("stem", "error"), [
    ("expired", errors.CertificateExpired),
    ("not-for-signing", errors.CertificateNotForSigning),
])
def test_a_certificate_that_cannot_sign_is_refused(
        stem: str, error: type[Exception], prepared: bytes, material: Material,
        timestamper) -> None:  # noqa: ANN001
    with pytest.raises(error):
        sign(prepared, SignerRole.CHAIR, material.key(stem), APPEARANCES[SignerRole.CHAIR],
             timestamper)


def test_a_missing_key_file_is_refused(prepared: bytes, tmp_path: Path,
                                       timestamper) -> None:  # noqa: ANN001
    with pytest.raises(errors.KeyUnavailable):
        sign(prepared, SignerRole.CHAIR, Pkcs12Key(tmp_path / "none.p12", "x"),
             APPEARANCES[SignerRole.CHAIR], timestamper)


def test_sealing_without_a_timestamp_authority_is_refused(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    with pytest.raises(errors.TimestampUnavailable):
        sign(stages[SignerRole.SECRETARY], SignerRole.SEAL, material.key("seal"),
             APPEARANCES[SignerRole.SEAL], None, trust=material.trust)


def test_an_unreachable_timestamp_authority_is_a_clear_error(
        prepared: bytes, material: Material) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(errors.TimestampUnavailable):
        sign(prepared, SignerRole.CHAIR, material.key("chair"), APPEARANCES[SignerRole.CHAIR],
             HTTPTimeStamper(f"http://127.0.0.1:{port}/tsa", timeout=2))


def test_sealing_refuses_when_an_earlier_signer_cannot_be_checked(
        stages: dict[SignerRole, bytes], material: Material, timestamper) -> None:  # noqa: ANN001
    from server.minutes.trust import Trust

    with pytest.raises(errors.ValidationDataUnavailable):
        sign(stages[SignerRole.SECRETARY], SignerRole.SEAL, material.key("seal"),
             APPEARANCES[SignerRole.SEAL], timestamper, trust=Trust(material.trust.roots))


# ---------------------------------------------------------------- a PKCS#11 token (SoftHSM2)

TOKEN, PIN, SO_PIN = "phonghop-test", "123456", "12345678"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, material: Material) -> Iterator[TokenKey]:
    """A SoftHSM2 token in a temporary folder holding the chair's key and certificate."""
    if not (SOFTHSM.exists() and shutil.which("softhsm2-util") and shutil.which("pkcs11-tool")):
        pytest.fail("SoftHSM2 or OpenSC missing: apt-get install softhsm2 opensc "
                    "(scripts/system-deps installs them)")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\n"
                    "objectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    chair = material.pki.signers["chair"]
    (folder / "key.pem").write_bytes(key_pem(chair.key))
    from cryptography.hazmat.primitives.serialization import Encoding

    (folder / "cert.der").write_bytes(chair.certificate.public_bytes(Encoding.DER))
    for command in (
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN,
         "--so-pin", SO_PIN],
        ["softhsm2-util", "--import", str(folder / "key.pem"), "--token", TOKEN,
         "--label", "chair", "--id", "01", "--pin", PIN],
        ["pkcs11-tool", "--module", str(SOFTHSM), "--token-label", TOKEN, "--login",
         "--pin", PIN, "--write-object", str(folder / "cert.der"), "--type", "cert",
         "--id", "01", "--label", "chair"],
    ):
        subprocess.run(command, check=True, capture_output=True)
    try:
        yield TokenKey(str(SOFTHSM), TOKEN, PIN, key_label="chair")
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def test_the_chair_signs_with_a_token(token: TokenKey, prepared: bytes, material: Material,
                                      timestamper) -> None:  # noqa: ANN001
    signed = sign(prepared, SignerRole.CHAIR, token, APPEARANCES[SignerRole.CHAIR], timestamper)
    [chair] = verify(signed, [material.ca_pem], [material.crl_pem]).signatures
    assert (chair.role, chair.integrity, chair.chain) == (
        SignerRole.CHAIR, Integrity.INTACT, Chain.TRUSTED)


def test_a_wrong_pin_is_refused(token: TokenKey, prepared: bytes, timestamper) -> None:  # noqa: ANN001
    from dataclasses import replace

    with pytest.raises(errors.WrongSecret):
        sign(prepared, SignerRole.CHAIR, replace(token, pin="000000"),
             APPEARANCES[SignerRole.CHAIR], timestamper)


def test_an_unknown_token_is_refused(token: TokenKey, prepared: bytes, timestamper) -> None:  # noqa: ANN001
    from dataclasses import replace

    with pytest.raises(errors.KeyUnavailable):
        sign(prepared, SignerRole.CHAIR, replace(token, token_label="no-such-token"),
             APPEARANCES[SignerRole.CHAIR], timestamper)


def test_the_rendered_minutes_signed_by_all_three_looks_right(
        material: Material, timestamper) -> None:  # noqa: ANN001
    """The renderer's boxes, signature images, the seal over the chair: a PNG to look at."""
    from server.minutes.appearance import Appearance
    from server.minutes.render import render_minutes
    from tests.conftest import ARTIFACTS
    from tests.minutes.signing_fixtures import signature_png
    from tests.minutes.test_render import make_minutes

    rendered = render_minutes(make_minutes())
    pdf = prepare_fields(rendered.pdf, rendered.boxes)
    appearances = {
        SignerRole.CHAIR: Appearance("Trần Thị Bình", "Chủ tịch UBND tỉnh", signature_png()),
        SignerRole.SECRETARY: Appearance("Lê Văn Cường", "Chuyên viên", signature_png()),
        SignerRole.SEAL: Appearance("VĂN PHÒNG UBND TỈNH LÂM SƠN", "Con dấu"),
    }
    for role in ORDER:
        pdf = sign(pdf, role, material.key(role.value), appearances[role], timestamper,
                   trust=material.trust)
    assert verify(pdf, [material.ca_pem], [material.crl_pem], list(ORDER)).valid
    page = rendered.boxes[SignerRole.CHAIR].page
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "minutes-signed.pdf"
    source.write_bytes(pdf)
    try:
        subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", str(page),
                        "-l", str(page), str(source), str(ARTIFACTS / "minutes-signed-page")],
                       check=True)
    finally:
        source.unlink()
    assert (ARTIFACTS / "minutes-signed-page.png").stat().st_size > 10_000
