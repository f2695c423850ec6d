"""One check for every upload (lib.uploads): types by their bytes, polyglots, active PDF content, bombs and parser
traps, and the malware scanner (a fake clamd speaking INSTREAM)."""

from __future__ import annotations

import io
import socket
import struct
import threading
import zlib

import pytest
from reportlab.pdfgen import canvas

from smartcity.lib import scanning
from smartcity.lib.errors import Invalid
from smartcity.lib.uploads import MAX_NESTING, check_pdf_structure, check_upload

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def real_pdf() -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "Giấy chứng sinh")
    sheet.save()
    return buffer.getvalue()


def pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (i + 1, o) for i, o in enumerate(objects))
    return b"%PDF-1.7\n" + body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def stream_object(dictionary: bytes, data: bytes) -> bytes:
    return dictionary[:-2] + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def png(width: int, height: int, tail: bytes = b"") -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"
            + struct.pack(">I", 0) + b"IEND" + b"\xaeB`\x82" + tail)


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x00" * 10 + b"\xff\xd9"


def refused(name: str, data: bytes) -> str:
    with pytest.raises(Invalid) as caught:
        check_upload(name, "application/octet-stream", data, field="paper")
    assert caught.value.field == "paper"
    return caught.value.message


def test_real_pdfs_and_images_pass_with_the_type_from_their_extension():
    checked = check_upload("Giấy chứng sinh.pdf", "text/html", real_pdf())
    assert (checked.content_type, checked.extension, checked.name) == ("application/pdf", ".pdf", "Giấy chứng sinh.pdf")
    assert check_upload("a.png", None, png(800, 600)).content_type == "image/png"
    assert check_upload("a.JPG", None, jpeg(800, 600)).content_type == "image/jpeg"


def test_a_name_loses_control_and_bidirectional_characters():
    assert check_upload("anh\u202egpj.exe.pdf", None, real_pdf()).name == "anhgpj.exe.pdf"


@pytest.mark.parametrize("dictionary", [
    b"<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>",
    b"<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>",
    b"<</Type/Action/S/Launch/F(cmd.exe)>>",
    b"<</Type/Catalog/Names<</EmbeddedFiles 2 0 R>>>>",
    b"<</Type/Annot/Subtype/RichMedia>>",
    b"<</Type/Catalog/AcroForm<</XFA 3 0 R>>>>",
])
def test_active_pdf_content_is_refused(dictionary):
    assert "nội dung chủ động" in refused("a.pdf", pdf(dictionary))


def test_active_content_hidden_in_a_compressed_object_stream_is_found():
    hidden = zlib.compress(b"2 0 <</S/JavaScript/JS(app.alert(1))>>")
    data = pdf(b"<</Type/Catalog>>", stream_object(b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode>>", hidden))
    assert "/JavaScript" in refused("a.pdf", data)


def test_javascript_looking_bytes_inside_ordinary_stream_data_are_not_active_content():
    data = pdf(b"<</Type/Catalog>>", stream_object(b"<<>>", b"BT /JS 12 Tf (x) Tj ET"))
    assert check_upload("a.pdf", None, data).size == len(data)


@pytest.mark.parametrize(("data", "message"), [
    (real_pdf() + b"PK\x03\x04" + b"x" * 30 + b"PK\x05\x06" + b"\0" * 18, "ZIP"),
    (real_pdf()[:200] + b"<script>alert(1)</script>" + real_pdf()[200:], "HTML"),
    (real_pdf() + b"<html><body>trailing page</body></html>" * 3, "sau dấu kết thúc %%EOF"),
    (b"GIF89a" + real_pdf(), "không đúng định dạng"),
    (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "thiếu dấu kết thúc %%EOF"),
])
def test_polyglots_are_refused(data, message):
    assert message in refused("a.pdf", data)


def test_a_png_with_a_zip_or_page_after_its_end_is_refused():
    assert "sau phần kết thúc" in refused("a.png", png(10, 10, b"<!-- " + b"x" * 100))


@pytest.mark.parametrize(("name", "data"), [
    ("a.png", png(100_000, 100_000)), ("a.png", png(40_000, 10)), ("a.jpg", jpeg(20_000, 20_000)),
    ("a.png", png(0, 10)),
])
def test_images_declaring_absurd_sizes_are_refused(name, data):
    assert "Ảnh" in refused(name, data)


def test_a_pdf_stream_inflating_past_the_limit_is_a_bomb(monkeypatch):
    monkeypatch.setattr("smartcity.lib.uploads.MAX_STREAM_BYTES", 1024 * 1024)
    bomb = zlib.compress(b"\0" * (2 * 1024 * 1024), 9)
    data = pdf(b"<</Type/Catalog>>", stream_object(b"<</Filter/FlateDecode>>", bomb))
    assert "bom giải nén" in refused("a.pdf", data)


def test_a_declared_stream_length_beyond_the_file_is_refused():
    data = pdf(b"<</Type/Catalog>>", b"<</Length 99999999999>>\nstream\nabc\nendstream")
    assert "/Length" in refused("a.pdf", data)


def test_arrays_nested_thousands_deep_are_refused_before_any_reader_recurses():
    data = pdf(b"<</Type/Catalog/K " + b"[" * 5000 + b"]" * 5000 + b">>")
    assert f"quá {MAX_NESTING} cấp" in refused("a.pdf", data)
    with pytest.raises(Invalid):
        check_pdf_structure(data)


def test_too_many_objects_are_refused(monkeypatch):
    monkeypatch.setattr("smartcity.lib.uploads.MAX_OBJECTS", 50)
    assert "đối tượng" in refused("a.pdf", pdf(*[b"<<>>"] * 60))


# ------------------------------------------------------------------------------------------------ scanner


class FakeClamd:
    """A clamd that speaks INSTREAM over TCP: FOUND for the EICAR test string, OK otherwise."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.commands: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _read(self, conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError
            data += part
        return data

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += self._read(conn, 1)
                self.commands.append(command)
                received = b""
                while (size := struct.unpack(">I", self._read(conn, 4))[0]) > 0:
                    received += self._read(conn, size)
                found = b"Eicar-Test-Signature FOUND" if EICAR in received else b"OK"
                conn.sendall(b"stream: " + found + b"\0")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd(settings):
    fake = FakeClamd()
    settings.UPLOAD_SCANNER = "clamav"
    settings.UPLOAD_SCANNER_CLAMD = f"tcp://127.0.0.1:{fake.port}"
    yield fake
    fake.close()


def test_the_scanner_refuses_what_clamd_finds_and_passes_the_rest(clamd):
    infected = pdf(b"<</Type/Catalog>>", b"(" + EICAR + b")")
    assert "Eicar-Test-Signature" in refused("a.pdf", infected)
    big = real_pdf()
    assert check_upload("a.pdf", None, big).size == len(big)
    assert clamd.commands == [b"zINSTREAM\0", b"zINSTREAM\0"]


def test_with_the_scanner_unreachable_nothing_is_accepted(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.UPLOAD_SCANNER, settings.UPLOAD_SCANNER_CLAMD = "clamav", f"tcp://127.0.0.1:{port}"
    with pytest.raises(scanning.ScannerUnavailable) as caught:
        check_upload("a.pdf", None, real_pdf())
    assert caught.value.status == 503


def test_no_scanner_is_the_demo_default(settings):
    assert settings.UPLOAD_SCANNER == "none"
    assert scanning.scan(EICAR) is None


def test_an_object_stream_behind_a_filter_we_do_not_decode_is_refused():
    hidden = zlib.compress(b"2 0 <</S/JavaScript/JS(app.alert(1))>>").hex().encode() + b">"
    data = pdf(b"<</Type/Catalog>>",
               stream_object(b"<</Type/ObjStm/N 1/First 4/Filter[/ASCIIHexDecode/FlateDecode]>>", hidden))
    assert "/ObjStm" in refused("a.pdf", data)


def test_an_object_stream_behind_a_predictor_is_refused_since_its_names_cannot_be_read():
    hidden = zlib.compress(b"2 0 <</S/JavaScript/JS(app.alert(1))>>")
    data = pdf(b"<</Type/Catalog>>", stream_object(
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 4>>>>", hidden))
    assert "/ObjStm" in refused("a.pdf", data)


def test_a_stream_faked_inside_a_comment_does_not_hide_an_object():
    data = (b"%PDF-1.7\n%>>stream\n1 0 obj <</OpenAction <</S /JavaScript /JS (app.alert(1))>>>> endobj\n"
            b"%endstream\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    assert "nội dung chủ động" in refused("a.pdf", data)
