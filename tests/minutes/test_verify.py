"""Verifying a signed minutes: the untouched file passes (pyHanko and poppler's pdfsig), and
each tampering is caught — including those pdfsig lets through."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from server.minutes import errors
from server.minutes.document import SignerRole
from server.minutes.signing import ORDER, Pkcs12Key, sign
from server.minutes.verify import (
    Chain,
    Change,
    Coverage,
    Integrity,
    Report,
    Revocation,
    verify,
)
from tests.minutes.signing_fixtures import APPEARANCES, MARKER, Material, minutes_pdf

EXPECTED = list(ORDER)


def _verify(pdf: bytes, material: Material, expected: list[SignerRole] = EXPECTED) -> Report:
    return verify(pdf, [material.ca_pem], [material.crl_pem], expected)


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig missing: apt-get install poppler-utils")
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    # pdfsig exits 1 when a certificate is not trusted (our dev CA is not in its NSS db).
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _incremental(pdf: bytes, change) -> bytes:  # noqa: ANN001 - a function of the writer
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_untouched_sealed_file_is_valid(stages: dict[SignerRole, bytes],
                                            material: Material) -> None:
    report = _verify(stages[SignerRole.SEAL], material)
    assert report.valid and report.all_expected_present
    people = [s for s in report.signatures if not s.document_timestamp]
    assert [(s.role, s.signer) for s in people] == [
        (SignerRole.CHAIR, "Nguyễn Văn An"), (SignerRole.SECRETARY, "Trần Thị Bình"),
        (SignerRole.SEAL, "UBND TỈNH PHÒNG HỌP (DEV)")]
    assert all((s.integrity, s.chain, s.revocation) == (
        Integrity.INTACT, Chain.TRUSTED, Revocation.GOOD) for s in report.signatures)
    assert [s.change for s in people] == [
        Change.FORM_FILLING, Change.FORM_FILLING, Change.VALIDATION_DATA]
    assert people[0].certification and people[0].coverage is Coverage.EARLIER_REVISION
    assert report.signatures[-1].document_timestamp
    assert all(s.signing_time and s.timestamp_time for s in people)


def test_pdfsig_says_every_signature_of_the_untouched_file_is_valid(
        stages: dict[SignerRole, bytes], tmp_path: Path) -> None:
    output = _pdfsig(stages[SignerRole.SEAL], tmp_path)
    assert output.count("Signature is Valid.") == 3, output


def test_a_flipped_byte_in_a_signed_range_is_caught(stages: dict[SignerRole, bytes],
                                                     material: Material) -> None:
    sealed = bytearray(stages[SignerRole.SEAL])
    at = sealed.index(MARKER)
    sealed[at] ^= 0x01  # "N" becomes "O": the text on page 1 now says something else
    report = _verify(bytes(sealed), material)
    assert not report.valid
    assert {s.integrity for s in report.signatures} == {Integrity.MODIFIED}


def _append_text(writer: IncrementalPdfFileWriter) -> None:
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 90 700 Td (DA SUA SAU KHI KY) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))


def test_text_appended_after_the_last_signature_is_caught_though_pdfsig_accepts_it(
        stages: dict[SignerRole, bytes], material: Material, tmp_path: Path) -> None:
    tampered = _incremental(stages[SignerRole.SEAL], _append_text)
    report = _verify(tampered, material)
    assert not report.valid
    assert {s.change for s in report.signatures} == {Change.OTHER}
    assert all(s.integrity is Integrity.INTACT for s in report.signatures)  # the bytes are
    assert _pdfsig(tampered, tmp_path).count("Signature is Valid.") == 3


def _annotate(writer: IncrementalPdfFileWriter) -> None:
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    note = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Text"),
        pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n)
                                                for n in (90, 600, 110, 620)]),
        pdf_name("/Contents"): generic.TextStringObject("Không thông qua"),
    }))
    page[pdf_name("/Annots")] = generic.ArrayObject(
        [*page.get("/Annots", generic.ArrayObject()), note])
    writer.update_container(page)


def test_an_annotation_added_after_signing_is_caught(stages: dict[SignerRole, bytes],
                                                      material: Material) -> None:
    report = _verify(_incremental(stages[SignerRole.SEAL], _annotate), material)
    assert not report.valid
    chair = report.signatures[0]
    # The certification allows form filling and signing only, never annotations
    # (pyHanko calls a bare note that no viewer's rules explain "other" changes).
    assert chair.change in (Change.ANNOTATIONS, Change.OTHER) and not chair.change_allowed


def test_a_file_cut_back_to_an_earlier_revision_lacks_expected_signers(
        stages: dict[SignerRole, bytes], material: Material) -> None:
    sealed, chair_only = stages[SignerRole.SEAL], stages[SignerRole.CHAIR]
    truncated = sealed[:len(chair_only)]
    assert truncated == chair_only  # revisions are appended: the cut is a valid file
    report = _verify(truncated, material)
    [chair] = report.signatures
    assert chair.integrity is Integrity.INTACT and chair.coverage is Coverage.WHOLE_FILE
    assert report.missing == ["secretary", "seal"] and not report.valid


def test_expected_signers_may_be_named(stages: dict[SignerRole, bytes],
                                       material: Material) -> None:
    report = verify(stages[SignerRole.CHAIR], [material.ca_pem], [material.crl_pem],
                    ["Nguyễn Văn An", "Trần Thị Bình"])
    assert report.missing == ["Trần Thị Bình"]


def test_a_revoked_certificate_is_caught(prepared: bytes, material: Material,
                                         timestamper) -> None:  # noqa: ANN001
    signed = sign(prepared, SignerRole.CHAIR, material.key("revoked"),
                  APPEARANCES[SignerRole.CHAIR], timestamper)
    [chair] = _verify(signed, material, [SignerRole.CHAIR]).signatures
    assert chair.revocation is Revocation.REVOKED and not chair.ok


def test_a_certificate_from_an_unknown_ca_is_caught(prepared: bytes, material: Material,
                                                    untrusted_key: Pkcs12Key,
                                                    timestamper) -> None:  # noqa: ANN001
    signed = sign(prepared, SignerRole.CHAIR, untrusted_key, APPEARANCES[SignerRole.CHAIR],
                  timestamper)
    report = _verify(signed, material, [SignerRole.CHAIR])
    [chair] = report.signatures
    assert (chair.chain, chair.revocation) == (Chain.UNTRUSTED, Revocation.UNKNOWN)
    assert not report.valid


def test_without_its_crl_revocation_is_unknown(stages: dict[SignerRole, bytes],
                                               material: Material) -> None:
    report = verify(stages[SignerRole.SECRETARY], [material.ca_pem], [], EXPECTED[:2])
    assert {s.revocation for s in report.signatures} == {Revocation.UNKNOWN}
    assert report.valid  # unknown is reported, not held against the signer


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 a zip file", b"%PDF-1.7\nbroken"],
                         ids=["empty", "not a pdf", "a damaged pdf"])
def test_a_non_pdf_is_refused(data: bytes, material: Material) -> None:
    with pytest.raises(errors.NotAPdf):
        _verify(data, material)


def test_an_unsigned_pdf_is_refused(material: Material) -> None:
    with pytest.raises(errors.NotSigned):
        _verify(minutes_pdf(), material)


def test_errors_say_what_is_wrong_in_both_languages() -> None:
    error = errors.SignedOutOfOrder(expected_key="minutes.role.chair")
    assert error.message("vi") == "Chưa đến lượt ký: Chủ tọa phải ký trước."
    assert re.search("The chair signs first", error.message("en"))
