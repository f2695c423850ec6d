"""The sandbox gateway end to end: the payer is redirected with the signed URL, picks pay / fail / cancel on the
sandbox page, the sandbox notifies the platform's IPN and sends the browser back to the return page. Over HTTP too
(live server): IPN delivery, the querydr status API and the daily report."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from smartcity.payments import gateways, services, vnpay
from smartcity.payments.models import Payment, SandboxTransaction
from smartcity.payments.signals import payment_succeeded

pytestmark = pytest.mark.django_db


def pay_through_the_sandbox(client, an, payment, outcome):
    """The payer's journey with the test client; returns the final response (the return page)."""
    client.force_login(an)
    to_gateway = client.post(f"/thanh-toan/{payment.code}/thanh-toan/")
    assert to_gateway.status_code == 302
    page = client.get(to_gateway["Location"])
    assert page.status_code == 200
    assert "Cổng thanh toán thử nghiệm" in page.content.decode() and "50.000 đ" in page.content.decode()
    token = re.search(r"/thanh-toan/sandbox/paymentv2/([0-9a-f]+)/", page.content.decode()).group(1)
    back = client.post(f"/thanh-toan/sandbox/paymentv2/{token}/", {"outcome": outcome})
    assert back.status_code == 302
    assert back["Location"].startswith("http://127.0.0.1:8000/thanh-toan/ket-qua/?")
    url = urlsplit(back["Location"])
    return client.get(url.path, dict(parse_qsl(url.query, keep_blank_values=True)))


def test_paying_in_the_sandbox_confirms_the_payment_through_the_ipn(client, an, payment,
                                                                     django_capture_on_commit_callbacks):
    seen = []
    payment_succeeded.connect(receiver := lambda sender, payment, **kw: seen.append(payment.code))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = pay_through_the_sandbox(client, an, payment, "pay")
    finally:
        payment_succeeded.disconnect(receiver)
    assert "Thanh toán thành công" in result.content.decode()
    payment.refresh_from_db()
    txn = SandboxTransaction.objects.get()
    assert (payment.state, payment.transaction_no, txn.status, txn.ipn_answer) == (
        "succeeded", txn.transaction_no, "00", "00")
    assert seen == [payment.code]


@pytest.mark.parametrize(("outcome", "reason"), [
    ("fail", "Tài khoản của khách hàng không đủ số dư để thực hiện giao dịch"),
    ("cancel", "Khách hàng hủy giao dịch"),
])
def test_a_failed_or_cancelled_payment_in_the_sandbox_is_recorded_as_failed(client, an, payment, outcome, reason):
    result = pay_through_the_sandbox(client, an, payment, outcome)
    payment.refresh_from_db()
    assert (payment.state, payment.failure_reason) == ("failed", reason)
    assert "Thanh toán không thành công" in result.content.decode()


def test_the_sandbox_refuses_a_tampered_payment_url(client, attempt):
    url = urlsplit(attempt.url)
    params = dict(parse_qsl(url.query, keep_blank_values=True))
    params["vnp_Amount"] = "100"
    response = client.get(url.path, params)
    assert response.status_code == 400 and "Sai chữ ký" in response.content.decode()
    assert not SandboxTransaction.objects.exists()


def test_the_sandbox_refuses_a_finished_transaction_and_an_unknown_choice(client, an, payment):
    pay_through_the_sandbox(client, an, payment, "pay")
    token = SandboxTransaction.objects.get().token
    assert client.post(f"/thanh-toan/sandbox/paymentv2/{token}/", {"outcome": "pay"}).status_code == 409
    assert client.post(f"/thanh-toan/sandbox/paymentv2/{token}/", {"outcome": "steal"}).status_code == 400


def test_the_sandbox_is_off_unless_enabled(client, attempt, settings):
    settings.PAYMENT_SANDBOX_ENABLED = False
    assert client.get(attempt.url.replace("http://127.0.0.1:8000", "")).status_code == 404


@pytest.fixture
def over_http(live_server, settings):
    """Point the adapter and the sandbox at the live server, and deliver the IPN over HTTP."""
    base = live_server.url
    settings.PAYMENT_GATEWAY_URL = f"{base}/thanh-toan/sandbox/paymentv2/vpcpay.html"
    settings.PAYMENT_GATEWAY_API_URL = f"{base}/thanh-toan/sandbox/merchant_webapi/api/transaction"
    settings.PAYMENT_GATEWAY_REPORT_URL = f"{base}/thanh-toan/sandbox/doi-soat.csv"
    settings.PAYMENT_RETURN_URL = f"{base}/thanh-toan/ket-qua/"
    settings.PAYMENT_SANDBOX_IPN_URL = f"{base}/api/v1/payments/ipn"
    settings.PAYMENT_SANDBOX_IPN_DELIVERY = "http"
    return base


def browser_pays(attempt, outcome="pay"):
    session = requests.Session()
    page = session.get(attempt.url, timeout=10)
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    action = re.search(r'action="(/thanh-toan/sandbox/paymentv2/[0-9a-f]+/)"', page.text).group(1)
    base = f"{urlsplit(attempt.url).scheme}://{urlsplit(attempt.url).netloc}"
    return session.post(base + action, data={"outcome": outcome, "csrfmiddlewaretoken": token},
                        headers={"Referer": attempt.url}, timeout=10)


@pytest.mark.django_db(transaction=True)
def test_over_http_the_sandbox_posts_the_ipn_before_sending_the_browser_back(over_http, an, payment):
    attempt = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    back = browser_pays(attempt)
    assert back.status_code == 200 and "Thanh toán thành công" in back.text
    assert back.url.startswith(f"{over_http}/thanh-toan/ket-qua/?")
    assert Payment.objects.get(pk=payment.pk).state == "succeeded"
    assert SandboxTransaction.objects.get().ipn_answer == "00"


@pytest.mark.django_db(transaction=True)
def test_querydr_confirms_a_payment_whose_ipn_never_arrived(over_http, an, payment, settings):
    settings.PAYMENT_SANDBOX_IPN_URL = f"{over_http}/nowhere"  # the IPN is lost
    attempt = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    browser_pays(attempt)
    assert Payment.objects.get(pk=payment.pk).state == "pending"
    outcome = gateways.get().query(txn_ref=attempt.txn_ref, created_at=attempt.created_at, order_info="q")
    assert outcome is not None and outcome.succeeded and outcome.amount_x100 == 5_000_000
    assert gateways.get().query(txn_ref="TT000000NOSUCH01", created_at=attempt.created_at, order_info="q") is None
    confirmed = services.confirm_with_gateway(code=payment.code)
    assert (confirmed.state, confirmed.transaction_no) == ("succeeded", SandboxTransaction.objects.get().transaction_no)
    assert confirmed.attempts.get().confirmed_via == "querydr"


@pytest.mark.django_db(transaction=True)
def test_the_return_page_may_ask_the_gateway_when_the_ipn_is_late(over_http, an, payment, settings):
    settings.PAYMENT_SANDBOX_IPN_URL = f"{over_http}/nowhere"
    settings.PAYMENT_QUERY_ON_RETURN = True
    attempt = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    back = browser_pays(attempt)
    assert "Thanh toán thành công" in back.text
    assert Payment.objects.get(pk=payment.pk).state == "succeeded"


def test_a_forged_querydr_answer_is_not_believed(an, payment, settings):
    """A server answering "paid" without our terminal's key (here a local impostor) changes nothing."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    attempt = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    forged = {"vnp_ResponseId": "1", "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "ok",
              "vnp_TmnCode": settings.PAYMENT_GATEWAY_TMN_CODE, "vnp_TxnRef": attempt.txn_ref,
              "vnp_Amount": "5000000", "vnp_TransactionStatus": "00", "vnp_TransactionNo": "1"}
    forged["vnp_SecureHash"] = vnpay.sign_fields(forged, vnpay.QUERY_RESPONSE_FIELDS, "a-key-we-do-not-share")

    class Impostor(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(forged).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Impostor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PAYMENT_GATEWAY_API_URL = f"http://127.0.0.1:{server.server_port}/merchant_webapi/api/transaction"
    try:
        with pytest.raises(gateways.GatewayError, match="sai chữ ký"):
            gateways.get().query(txn_ref=attempt.txn_ref, created_at=attempt.created_at, order_info="q")
        with pytest.raises(services.GatewayUnavailable):
            services.confirm_with_gateway(code=payment.code)
    finally:
        server.shutdown()
    assert Payment.objects.get(pk=payment.pk).state == "pending"


@pytest.mark.django_db(transaction=True)
def test_the_daily_report_is_signed_and_refused_to_unsigned_requests(over_http, an, payment):
    attempt = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    browser_pays(attempt)
    day = vnpay.parse_time(vnpay.format_time(attempt.created_at)).date()
    text = gateways.get().fetch_report(day)
    txn = SandboxTransaction.objects.get()
    assert text.splitlines() == ["TxnRef,Amount,Status,TransactionNo,PayDate",
                                 f"{attempt.txn_ref},50000,00,{txn.transaction_no},{txn.pay_date}"]
    unsigned = requests.get(f"{over_http}/thanh-toan/sandbox/doi-soat.csv?vnp_ReportDate={day:%Y%m%d}", timeout=10)
    assert unsigned.status_code == 403
