"""RFC 3161 timestamps: signing asks the configured authority over real HTTP, the timestamp is embedded and
verified; an authority that does not answer stops the signature; the demo authority answers at /chu-ky-so/tsa/."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import algos, tsp

from smartcity.audit.models import Entry
from smartcity.lib.errors import Conflict
from smartcity.signing import services, tsa

pytestmark = pytest.mark.django_db


class LocalTSA:
    """A tiny RFC 3161 server on 127.0.0.1 answering with the demo authority (what `tsa.respond` serves)."""

    def __init__(self, authority) -> None:
        self.requests: list[tuple[str, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((self.headers["Content-Type"], body))
                reply = tsa.respond(body, authority=authority)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalTSA:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_tsa(demo_pki, settings):
    # The authority is loaded here, on the test's database connection; the server thread only signs.
    with LocalTSA(tsa.demo_authority()) as server:
        settings.SMARTCITY_TSA_URL = server.url
        yield server


def test_a_signature_carries_a_timestamp_from_the_configured_authority(local_tsa, result_pdf, leader_ba_dinh,
                                                                       ba_dinh_committee):
    before = dt.datetime.now(dt.UTC)
    services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    # pyHanko sizes the signature with one request first (cached by the client we keep), then one per signature.
    assert len(local_tsa.requests) == 2
    signed = services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    assert len(local_tsa.requests) == 3
    content_type, body = local_tsa.requests[-1]
    assert content_type == "application/timestamp-query"
    assert tsp.TimeStampReq.load(body)["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"

    report = services.verify(signed)
    [sig] = report.signatures
    assert report.verdict == "valid"
    assert sig.timestamp.present and sig.timestamp.valid and sig.timestamp.trusted
    assert sig.timestamp.authority == services.DEMO_TSA_NAME
    assert before - dt.timedelta(seconds=2) <= sig.timestamp.time <= dt.datetime.now(dt.UTC)
    assert any("Có dấu thời gian hợp lệ của Smart City Hà Nội Demo TSA" in reason for reason in sig.reasons)
    assert Entry.objects.filter(subject_type="signing.signature").last().detail["timestamped"] is True


def test_an_authority_that_does_not_answer_stops_the_signature(demo_pki, settings, result_pdf, leader_ba_dinh,
                                                               ba_dinh_committee):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens there now
    settings.SMARTCITY_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    settings.SMARTCITY_TSA_TIMEOUT = 2
    with pytest.raises(Conflict, match="the timestamp authority did not answer"):
        services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    assert not Entry.objects.filter(subject_type="signing.signature").exists()


def test_the_demo_authority_can_also_stamp_in_process(demo_pki, settings, result_pdf, officer_ba_dinh,
                                                      ba_dinh_committee):
    settings.SMARTCITY_TSA_URL = "demo"
    sealed = services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)
    [sig] = services.verify(sealed).signatures
    assert sig.valid and sig.timestamp.trusted


def _request(nonce: int = 20261125) -> bytes:
    return tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                            "hashed_message": b"\x11" * 32},
        "nonce": nonce, "cert_req": True,
    }).dump()


def test_the_demo_authority_answers_rfc_3161_requests_over_http(demo_pki, client):
    response = client.post("/chu-ky-so/tsa/", data=_request(), content_type="application/timestamp-query")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 20261125
    assert info["message_imprint"]["hashed_message"].native == b"\x11" * 32


def test_the_demo_authority_rejects_what_is_not_a_timestamp_request(demo_pki, client, settings):
    assert client.post("/chu-ky-so/tsa/", data=b"nonsense", content_type="application/timestamp-query"
                       ).status_code == 400
    assert client.post("/chu-ky-so/tsa/", data=_request(), content_type="application/json").status_code == 415
    assert client.get("/chu-ky-so/tsa/").status_code == 405
    settings.SMARTCITY_SIGNING_DEMO_CA = False
    assert client.post("/chu-ky-so/tsa/", data=_request(), content_type="application/timestamp-query"
                       ).status_code == 404
