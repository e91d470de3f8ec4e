"""The edXML package carries the signed minutes byte for byte, with a header that says
what they are, in the envelope of QCVN 102:2016."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from server.minutes.edxml import NS, Organisation, Package, edxml_package, split_code

E = f"{{{NS}}}"


def package(**changes: object) -> Package:
    fields: dict[str, object] = dict(
        sender=Organisation("000.00.00.H41", "Ủy ban nhân dân tỉnh Lâm Sơn"),
        recipients=[Organisation("000.00.01.H41", "Văn phòng UBND tỉnh & <Sở> Nội vụ")],
        document_id="3f0c3c8e-6f7b-4d52-9a55-0d9a0e0b6c11", code="12/BB-UBND",
        place="Lâm Sơn", issued=datetime(2026, 12, 3, 4, 30, tzinfo=UTC),
        subject="Biên bản phiên họp thường kỳ tháng 11", signer_name="Nguyễn Văn Chủ",
        signer_position="Chủ tịch", pages=3, filename="bien-ban.pdf",
        pdf=b"%PDF-1.7\n\x00\xff binary \x01 content\n%%EOF\n")
    fields.update(changes)
    return Package(**fields)  # type: ignore[arg-type]


def test_the_attachment_is_the_signed_pdf_byte_for_byte() -> None:
    sent = package()
    root = ET.fromstring(edxml_package(sent))
    encoded = root.find(f"AttachmentEncoded/Attachment/{E}ContentTransferEncoded")
    assert encoded is not None and base64.b64decode(encoded.text or "") == sent.pdf
    reference = root.find(f"{E}edXMLEnvelope/{E}edXMLBody/{E}edXMLManifest/{E}Reference")
    assert reference is not None
    assert reference.findtext(f"{E}ContentId") == root.findtext("AttachmentEncoded/Attachment/"
                                                                 "ContentId")


def test_the_header_says_who_sends_what_to_whom() -> None:
    root = ET.fromstring(edxml_package(package()))
    header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader/{E}MessageHeader")
    assert header is not None
    assert header.findtext(f"{E}From/{E}OrganName") == "Ủy ban nhân dân tỉnh Lâm Sơn"
    assert header.findtext(f"{E}To/{E}OrganName") == "Văn phòng UBND tỉnh & <Sở> Nội vụ"
    assert header.findtext(f"{E}Code/{E}CodeNumber") == "12"
    assert header.findtext(f"{E}Code/{E}CodeNotation") == "BB-UBND"
    assert header.findtext(f"{E}DocumentType/{E}TypeName") == "Biên bản"
    assert header.findtext(f"{E}PromulgationInfo/{E}PromulgationDate") == "2026/12/03"
    assert header.findtext(f"{E}OtherInfo/{E}PageAmount") == "3"


def test_codes_without_a_number_keep_their_notation() -> None:
    assert split_code("12/BB-UBND") == ("12", "BB-UBND")
    assert split_code(" 7 / BB-VP ") == ("7", "BB-VP")
    assert split_code("BB-UBND") == ("", "BB-UBND")
