"""The export package for the provincial document exchange: an edXML envelope
(QCVN 102:2016/BTTTT) around the signed minutes.

The envelope's header says who sends it (the organiser), to whom, the minutes'
number and notation (``12`` and ``BB-UBND`` from ``12/BB-UBND``), the place and
date of issue, the type "Biên bản", the subject and the signer; the body's
manifest names one attachment, and ``AttachmentEncoded`` carries the signed PDF
in base64, byte for byte, so its signatures validate on the other side. Built
with the standard library's ElementTree, so every value is escaped as XML.
The exchange's own registry codes (``OrganId``) come from the organisation's
short name; an installation that joins the national exchange sets them there.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
ET.register_namespace("edXML", NS)
# The code list's value for an administrative document (văn bản hành chính).
ADMINISTRATIVE = "2"


@dataclass(frozen=True)
class Organisation:
    organ_id: str
    name: str
    in_charge: str = ""
    address: str = ""


def _e(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def split_code(code: str) -> tuple[str, str]:
    """``12/BB-UBND`` → (``12``, ``BB-UBND``); a code without a number keeps it all as
    the notation."""
    match = re.match(r"^\s*(\d+)\s*/\s*(.+?)\s*$", code)
    return (match.group(1), match.group(2)) if match else ("", code.strip())


def _party(parent: ET.Element, tag: str, organisation: Organisation) -> None:
    party = _e(parent, tag)
    _e(party, "OrganId", organisation.organ_id)
    _e(party, "OrganizationInCharge", organisation.in_charge)
    _e(party, "OrganName", organisation.name)
    _e(party, "OrganAdd", organisation.address)


@dataclass(frozen=True)
class Package:
    sender: Organisation
    recipients: list[Organisation]
    document_id: str
    code: str
    place: str
    issued: datetime
    subject: str
    signer_name: str
    signer_position: str
    pages: int
    filename: str
    pdf: bytes


def edxml_package(package: Package) -> bytes:
    root = ET.Element("edXML")
    envelope = _e(root, "edXMLEnvelope")
    header = _e(envelope, "edXMLHeader")
    message = _e(header, "MessageHeader")
    _party(message, "From", package.sender)
    for recipient in package.recipients:
        _party(message, "To", recipient)
    _e(message, "DocumentId", package.document_id)
    number, notation = split_code(package.code)
    code = _e(message, "Code")
    _e(code, "CodeNumber", number)
    _e(code, "CodeNotation", notation)
    promulgation = _e(message, "PromulgationInfo")
    _e(promulgation, "Place", package.place)
    _e(promulgation, "PromulgationDate", f"{package.issued:%Y/%m/%d}")
    kind = _e(message, "DocumentType")
    _e(kind, "Type", ADMINISTRATIVE)
    _e(kind, "TypeName", "Biên bản")
    _e(message, "Subject", package.subject)
    _e(message, "Content", package.subject)
    signer = _e(message, "SignerInfo")
    _e(signer, "Position", package.signer_position)
    _e(signer, "FullName", package.signer_name)
    other = _e(message, "OtherInfo")
    _e(other, "Priority", "0")
    _e(other, "PromulgationAmount", "1")
    _e(other, "PageAmount", str(package.pages))
    _e(message, "SteeringType", "0")
    trace = _e(_e(header, "TraceHeaderList"), "TraceHeader")
    _e(trace, "OrganId", package.sender.organ_id)
    _e(trace, "Timestamp", f"{package.issued:%Y/%m/%d %H:%M:%S}")
    content_id = f"cid:{package.document_id}"
    reference = _e(_e(_e(envelope, "edXMLBody"), "edXMLManifest"), "Reference")
    reference.set("version", "1.0")
    _e(reference, "ContentId", content_id)
    _e(reference, "ContentType", "application/pdf")
    _e(reference, "AttachmentName", package.filename)
    attachment = ET.SubElement(ET.SubElement(root, "AttachmentEncoded"), "Attachment")
    ET.SubElement(attachment, "ContentId").text = content_id
    ET.SubElement(attachment, "AttachmentName").text = package.filename
    ET.SubElement(attachment, "ContentType").text = "application/pdf"
    _e(attachment, "ContentTransferEncoded", base64.b64encode(package.pdf).decode("ascii"))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
