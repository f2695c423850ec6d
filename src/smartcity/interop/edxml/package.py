"""edXML packages between agencies (after QCVN 102:2016/BTTTT): the envelope, its signature, its reading.

The envelope carries the standard's header parts we use — From/To with the agencies' codes (the same
``000.00.00.H26``-style codes as ``agencies.Agency.code``), DocumentId, Code (number and notation), Subject,
PromulgationInfo — a body with the text and attachments (base64), and a ``Signature`` element.

Signature: NOT the XMLDSig the standard names (``signxml`` is not installed here); a detached CMS SignedData
(RFC 5652, pyHanko) by the sending agency's seal certificate — the platform's own signing, the same as audit
checkpoints — over the exclusive C14N of the envelope without its ``Signature`` element. The receiver checks the
signature, the certificate chain to our trust anchors and that the seal is the sending agency's (its
organizationIdentifier = From/OrganId). Reading is bounded (size, no entities, no network).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from asn1crypto import cms
from lxml import etree
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext

from smartcity.agencies.models import Agency
from smartcity.lib.errors import Invalid
from smartcity.signing import keystores
from smartcity.signing import services as signing

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
MAX_BYTES = 10 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass
class Document:
    document_id: str
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    notation: str  # số, ký hiệu văn bản
    subject: str  # trích yếu
    promulgated: dt.date
    text: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, _q(tag))
    if text is not None:
        node.text = text
    return node


def _envelope(doc: Document) -> etree._Element:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={"edXML": NS})
    header = _el(root, "edXMLHeader")
    message = _el(header, "MessageHeader")
    sender = _el(message, "From")
    _el(sender, "OrganId", doc.from_code)
    _el(sender, "OrganName", doc.from_name)
    receiver = _el(message, "To")
    _el(receiver, "OrganId", doc.to_code)
    _el(receiver, "OrganName", doc.to_name)
    _el(message, "DocumentId", doc.document_id)
    code = _el(message, "Code")
    _el(code, "CodeNotation", doc.notation)
    info = _el(message, "PromulgationInfo")
    _el(info, "PromulgationDate", doc.promulgated.isoformat())
    _el(message, "Subject", doc.subject)
    body = _el(root, "edXMLBody")
    _el(body, "Content", doc.text)
    for name, data in doc.attachments:
        attachment = _el(body, "Attachment", base64.b64encode(data).decode())
        attachment.set("name", name)
    return root


def _signed_bytes(root: etree._Element) -> bytes:
    copy = etree.fromstring(etree.tostring(root), _PARSER)
    for sig in copy.findall(_q("Signature")):
        copy.remove(sig)
    return etree.tostring(copy, method="c14n", exclusive=True)


def build(doc: Document, sender: Agency) -> bytes:
    """The signed package, signed with ``sender``'s seal certificate."""
    root = _envelope(doc)
    certificate = signing.seal_certificate(sender)
    with keystores.signer(certificate) as signer:
        signed = async_to_sync(signer.async_sign_general_data)(_signed_bytes(root), "sha256", detached=True)
    _el(root, "Signature", base64.b64encode(signed.dump()).decode()).set("type", "cms-detached")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _find(root: etree._Element, *tags: str) -> str:
    node = root
    for tag in tags:
        node = node.find(_q(tag)) if node is not None else None
    return (node.text or "").strip() if node is not None else ""


def read(raw: bytes) -> Document:
    """Parse and verify; ``Invalid`` (field "package") with the reason for a package too large, unreadable,
    unsigned, or whose signature does not hold."""
    if len(raw) > MAX_BYTES:
        raise Invalid(f"Gói edXML quá lớn (more than {MAX_BYTES} bytes)", field="package")
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"Gói edXML không đọc được (malformed XML): {exc}", field="package") from None
    if root.tag != _q("edXMLEnvelope"):
        raise Invalid("Không phải gói edXML (no edXMLEnvelope)", field="package")
    sig = root.find(_q("Signature"))
    if sig is None or not (sig.text or "").strip():
        raise Invalid("Gói edXML không có chữ ký số (unsigned package)", field="package")
    from_code = _find(root, "edXMLHeader", "MessageHeader", "From", "OrganId")
    _verify(_signed_bytes(root), sig.text.strip(), from_code)
    body = root.find(_q("edXMLBody"))
    attachments = [(a.get("name", ""), base64.b64decode(a.text or "")) for a in body.findall(_q("Attachment"))] \
        if body is not None else []
    try:
        promulgated = dt.date.fromisoformat(_find(root, "edXMLHeader", "MessageHeader", "PromulgationInfo",
                                                  "PromulgationDate"))
    except ValueError:
        raise Invalid("Ngày ban hành không hợp lệ (bad PromulgationDate)", field="package") from None
    return Document(
        document_id=_find(root, "edXMLHeader", "MessageHeader", "DocumentId"),
        from_code=from_code, from_name=_find(root, "edXMLHeader", "MessageHeader", "From", "OrganName"),
        to_code=_find(root, "edXMLHeader", "MessageHeader", "To", "OrganId"),
        to_name=_find(root, "edXMLHeader", "MessageHeader", "To", "OrganName"),
        notation=_find(root, "edXMLHeader", "MessageHeader", "Code", "CodeNotation"),
        subject=_find(root, "edXMLHeader", "MessageHeader", "Subject"), promulgated=promulgated,
        text=_find(root, "edXMLBody", "Content"), attachments=attachments,
    )


def _verify(data: bytes, signature_b64: str, from_code: str) -> None:
    try:
        info = cms.ContentInfo.load(base64.b64decode(signature_b64, validate=True))
        if info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed_data = info["content"]
        context = ValidationContext(trust_roots=signing.trust_anchors(), allow_fetching=False)
        status = async_to_sync(async_validate_detached_cms)(data, signed_data, signer_validation_context=context)
    except (ValueError, TypeError, KeyError, binascii.Error, SigningError) as exc:
        raise Invalid(f"Chữ ký số của gói edXML hỏng (malformed signature): {exc.__class__.__name__}",
                      field="package") from None
    if not status.intact or not status.valid:
        raise Invalid("Chữ ký số không khớp nội dung gói edXML (signature does not match the package)",
                      field="package")
    if not status.trusted:
        raise Invalid("Chứng thư ký gói edXML không tin cậy (certificate not trusted)", field="package")
    subject = status.signing_cert.subject.native
    if str(subject.get("organization_identifier", "")) != from_code:
        raise Invalid(f"Gói edXML không do cơ quan {from_code} ký (not signed by the sending agency)",
                      field="package")
