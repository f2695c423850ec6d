"""Every file a person uploads is checked here, once, before anything stores or parses it.

What is refused, with a Vietnamese message naming the field:

- a type we do not take (by extension), an empty file, one over ``MAX_UPLOAD_BYTES``;
- content that is not what its extension says — the magic bytes at offset 0 (``%PDF-``, JPEG's SOI, PNG's
  signature) — and polyglots: HTML a browser would sniff in the first kilobyte, a ZIP central directory at the end,
  bytes after a PDF's last ``%%EOF`` or a PNG's ``IEND`` beyond a little whitespace;
- active PDF content (ISO 32000-1 §12.6 actions, §7.11.4 embedded files, XFA forms): ``/JS``, ``/JavaScript``,
  ``/Launch``, ``/EmbeddedFile(s)``, ``/RichMedia``, ``/XFA``, ``/GoToE`` — looked for outside stream data and inside
  compressed object streams, with ``#xx`` name escapes decoded, so hiding them is not enough;
- decompression bombs and parser traps: images declaring more than ``MAX_PIXELS``; PDF streams whose declared
  ``/Length`` exceeds the file or that inflate past ``MAX_STREAM_BYTES`` (``MAX_TOTAL_INFLATED`` together); more
  than ``MAX_OBJECTS`` objects; arrays and dictionaries nested deeper than ``MAX_NESTING`` (what makes PDF readers
  recurse until the stack runs out);
- whatever the configured scanner (``lib.scanning``, ClamAV in production) finds.

``check_pdf_structure`` is the part that only bounds the parser's work; the signature verification page uses it on
PDFs that may legitimately carry active content but must not take the server down.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass

from smartcity.lib import scanning
from smartcity.lib.errors import Invalid

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 100_000_000  # an A3 page scanned at 600 dpi is 70 MP; beyond this an image is a bomb, not a scan
MAX_SIDE = 30_000
MAX_OBJECTS = 100_000
MAX_NESTING = 64
MAX_STREAM_BYTES = 256 * 1024 * 1024
MAX_TOTAL_INFLATED = 512 * 1024 * 1024
TRAILING_SLACK = 32  # whitespace writers leave after %%EOF or IEND

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ACCEPTED = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
MAGIC = {PDF: b"%PDF-", JPEG: b"\xff\xd8\xff", PNG: b"\x89PNG\r\n\x1a\n"}
ACTIVE_NAMES = {b"JS", b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA", b"GoToE"}

_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|meta)", re.IGNORECASE)
_ZIP_END = b"PK\x05\x06"
_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?:>>)\s*stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_NEST = re.compile(rb"<<|>>|\[|\]")
_DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_OTHER_FILTERS = re.compile(rb"/(?:ASCIIHexDecode|ASCII85Decode|LZWDecode|RunLengthDecode|Crypt|AHx|A85|LZW|RL)\b")
_DICT_START = 4096  # how far before "stream" a stream's dictionary is looked for


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check: its cleaned name, the type it is served with (from the extension, never
    from what the uploader claimed), its size and SHA-256."""

    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def check_upload(name: str, content_type: str | None, data: bytes, *, field: str = "file") -> CheckedUpload:
    """``data`` as a ``CheckedUpload``, or ``Invalid`` naming ``field`` with what is wrong. ``content_type`` is what
    the client declared: it is not trusted, only the extension and the bytes are."""
    clean_name = _clean_name(name)
    extension = clean_name[clean_name.rfind("."):].lower() if "." in clean_name else ""
    if extension not in ACCEPTED:
        raise Invalid("Chỉ nhận tệp PDF, JPG hoặc PNG", field=field)
    kind = ACCEPTED[extension]
    if not data:
        raise Invalid("Tệp rỗng", field=field)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(f"Tệp vượt quá {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", field=field)
    if not data.startswith(MAGIC[kind]):
        raise Invalid("Nội dung tệp không đúng định dạng khai báo", field=field)
    _refuse_polyglot(data, field)
    if kind == PDF:
        _check_pdf_end(data, field)
        _refuse_active_content(*check_pdf_structure(data, field=field), field=field, raw=data)
    elif kind == PNG:
        _check_png(data, field)
    else:
        _check_jpeg(data, field)
    found = scanning.scan(data)
    if found:
        raise Invalid(f"Tệp bị phần mềm diệt virus từ chối ({found})", field=field)
    return CheckedUpload(name=clean_name, extension=extension, content_type=kind, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest())


def _clean_name(name: str) -> str:
    """The name as NFC without control or format characters (a right-to-left override can disguise "fdp.exe")."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    return text.replace("/", "_").replace("\\", "_").strip()[-255:] or "tep"


def _refuse_polyglot(data: bytes, field: str) -> None:
    if _HTML.search(data[:1024]):
        raise Invalid("Tệp chứa mã HTML (tệp đa định dạng), không được chấp nhận", field=field)
    if _ZIP_END in data[-66_000:]:
        raise Invalid("Tệp chứa một tệp nén ZIP (tệp đa định dạng), không được chấp nhận", field=field)


# ------------------------------------------------------------------------------------------------ PDF


@dataclass
class _Stream:
    dictionary: bytes
    start: int
    end: int


def _streams(data: bytes, field: str) -> list[_Stream]:
    """The streams of ``data``, each with its dictionary and the span of its (encoded) bytes."""
    out: list[_Stream] = []
    pos = 0
    while True:
        m = _STREAM.search(data, pos)
        if m is None:
            return out
        head = data[max(0, m.start() - _DICT_START):m.start() + 2]
        opened = head.rfind(b"obj")
        dictionary = head[opened + 3:] if opened >= 0 else head
        start = m.end()
        declared = _DIRECT_LENGTH.search(dictionary)
        if declared:
            if len(declared.group(1)) > 12 or int(declared.group(1)) > len(data) - start:
                raise Invalid("Tệp PDF không hợp lệ: độ dài một luồng dữ liệu (/Length) vượt quá kích thước tệp",
                              field=field)
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        out.append(_Stream(dictionary, start, end))
        pos = end


def _inflate(raw: bytes, field: str, budget: list[int]) -> bytes:
    """A FlateDecode stream decoded, at most ``MAX_STREAM_BYTES`` and what is left of the total budget."""
    limit = min(MAX_STREAM_BYTES, budget[0])
    try:
        inflater = zlib.decompressobj()
        out = inflater.decompress(raw, limit + 1)
    except zlib.error:
        return b""  # a damaged stream hides nothing we could read either; readers skip it
    if len(out) > limit or inflater.unconsumed_tail:
        raise Invalid("Tệp PDF không hợp lệ: một luồng dữ liệu giải nén ra quá lớn (bom giải nén)", field=field)
    budget[0] -= len(out)
    return out


def _skeleton_and_object_streams(data: bytes, field: str) -> tuple[bytes, list[bytes], int]:
    """The file without its stream data, the decoded object streams, and the number of objects."""
    parts, object_streams, pos = [], [], 0
    objects = 0
    budget = [MAX_TOTAL_INFLATED]
    for stream in _streams(data, field):
        parts.append(data[pos:stream.start])
        pos = stream.end
        flate = b"/FlateDecode" in stream.dictionary or b"/Fl " in stream.dictionary
        is_object_stream = b"/ObjStm" in stream.dictionary
        if flate:
            decoded = _inflate(data[stream.start:stream.end], field, budget)
        else:
            decoded = data[stream.start:stream.end]
        if is_object_stream:
            # Objects hidden behind filters we do not decode (or a stream we cannot inflate) cannot be checked
            other_filters = _OTHER_FILTERS.search(stream.dictionary)
            predictor = re.search(rb"/Predictor\s+(\d+)", stream.dictionary)
            if (b"/Filter" in stream.dictionary and not flate) or other_filters or (flate and not decoded) or (
                    predictor and int(predictor.group(1)) > 1):  # a PNG/TIFF predictor scrambles the names
                raise Invalid("Tệp PDF không hợp lệ: không đọc được một luồng đối tượng (/ObjStm)", field=field)
            count = re.search(rb"/N\s+(\d{1,7})\b", stream.dictionary)
            objects += int(count.group(1)) if count else 0
            object_streams.append(decoded)
    parts.append(data[pos:])
    skeleton = b"".join(parts)
    objects += len(_OBJ.findall(skeleton))
    return skeleton, object_streams, objects


def _nesting(text: bytes) -> int:
    depth = deepest = 0
    for token in _NEST.findall(text):
        if token in (b"<<", b"["):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def check_pdf_structure(data: bytes, *, field: str = "file") -> tuple[bytes, list[bytes]]:
    """Bound what a PDF reader would have to do with ``data`` (objects, nesting, stream sizes, trailing bytes);
    ``Invalid`` naming ``field`` otherwise. Returns the skeleton and the decoded object streams."""
    skeleton, object_streams, objects = _skeleton_and_object_streams(data, field)
    if objects > MAX_OBJECTS:
        raise Invalid(f"Tệp PDF không hợp lệ: quá {MAX_OBJECTS} đối tượng", field=field)
    if max(_nesting(part) for part in (skeleton, *object_streams)) > MAX_NESTING:
        raise Invalid(f"Tệp PDF không hợp lệ: mảng hoặc từ điển lồng nhau quá {MAX_NESTING} cấp", field=field)
    return skeleton, object_streams


def _check_pdf_end(data: bytes, field: str) -> None:
    """The last line is %%EOF (ISO 32000-1 §7.5.5; readers look in the last kilobyte), with little after it."""
    eof = data.rfind(b"%%EOF", max(0, len(data) - 1024))
    if eof < 0:
        raise Invalid("Tệp PDF không hợp lệ: thiếu dấu kết thúc %%EOF", field=field)
    if len(data) - (eof + 5) > TRAILING_SLACK or data[eof + 5:].strip(b" \t\r\n\x00"):
        raise Invalid("Tệp PDF có dữ liệu lạ sau dấu kết thúc %%EOF (tệp đa định dạng)", field=field)


#: Active names long enough that binary stream data never holds them by chance: looked for in the raw bytes as well,
#: so that a "stream" faked inside a comment cannot hide an object from the skeleton.
_RAW_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia|OpenAction\s*<<\s*/S\s*/JavaScript)\b")


def _refuse_active_content(skeleton: bytes, object_streams: list[bytes], *, field: str, raw: bytes = b"") -> None:
    found = _RAW_ACTIVE.search(raw) if raw else None
    if found:
        label = found.group(0).split(b"<<")[-1].replace(b" ", b"").decode("latin-1").lstrip("/S").strip()
        label = "JavaScript" if "JavaScript" in label else label.lstrip("/")
        raise Invalid(f"Tệp PDF chứa nội dung chủ động (/{label}: mã lệnh, tệp đính kèm hoặc biểu mẫu XFA), không được "
                      "chấp nhận", field=field)
    for text in (skeleton, *object_streams):
        for raw in _NAME.findall(text):
            name = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw) if b"#" in raw else raw
            if name in ACTIVE_NAMES:
                label = name.decode("latin-1")
                raise Invalid(f"Tệp PDF chứa nội dung chủ động (/{label}: mã lệnh, tệp đính kèm hoặc biểu mẫu "
                              "XFA), không được chấp nhận", field=field)


# ------------------------------------------------------------------------------------------------ images


def _check_pixels(width: int, height: int, field: str) -> None:
    if width <= 0 or height <= 0:
        raise Invalid("Ảnh không hợp lệ: kích thước bằng 0", field=field)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise Invalid(f"Ảnh quá lớn: {width}×{height} điểm ảnh (tối đa {MAX_PIXELS // 1_000_000} triệu)", field=field)


def _check_png(data: bytes, field: str) -> None:
    """IHDR must come first (PNG spec §11.2.2); nothing but slack may follow IEND and its CRC."""
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise Invalid("Ảnh PNG không hợp lệ", field=field)
    width, height = struct.unpack(">II", data[16:24])
    _check_pixels(width, height, field)
    end = data.rfind(b"IEND")
    if end < 0 or len(data) - (end + 8) > TRAILING_SLACK or data[end + 8:].strip(b" \t\r\n\x00"):
        raise Invalid("Ảnh PNG có dữ liệu lạ sau phần kết thúc (tệp đa định dạng)", field=field)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _check_jpeg(data: bytes, field: str) -> None:
    """Walk the marker segments (ITU T.81 Annex B) to the frame header and check the declared size."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise Invalid("Ảnh JPEG không hợp lệ", field=field)
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in _SOF:
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            _check_pixels(width, height, field)
            return
        if marker in (0xD9, 0xDA) or length < 2:
            break
        pos += 2 + length
    raise Invalid("Ảnh JPEG không hợp lệ: không đọc được kích thước", field=field)
