"""Daily reconciliation against the gateway's report: every kind of mismatch named, the result kept and shown to
city administrators (API, page, command)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartcity.audit.models import Entry
from smartcity.lib.errors import Invalid
from smartcity.payments import report, services, vnpay
from smartcity.payments.models import Reconciliation
from smartcity.payments.services import FeeItem
from smartcity.payments.tests.conftest import IPN, gateway_result

pytestmark = pytest.mark.django_db

HEADER = "TxnRef,Amount,Status,TransactionNo,PayDate\n"


def day_of(attempt) -> dt.date:
    return attempt.created_at.astimezone(vnpay.GMT7).date()


def second_payment(an, agency, amount=20_000):
    payment = services.request_payment(reference="000.01.50.H26-261123-0002", purpose="Phí sao lục giấy tờ",
                                       payer=an.person, agency=agency, stage="receipt",
                                       items=[FeeItem("Phí sao lục", amount)])
    return services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")


def test_a_day_that_matches(client, attempt, an, agency):
    client.get(IPN, gateway_result(attempt))
    never_went = second_payment(an, agency)  # started, but the payer never reached the gateway
    csv = HEADER + f"{attempt.txn_ref},50000,00,14000001,20261123101500\n"
    result = services.reconcile(day=day_of(attempt), report_csv=csv)
    assert (result.ok, result.matched, result.platform_count, result.gateway_count) == (True, 1, 2, 1)
    assert (result.platform_total, result.gateway_total, result.source) == (50_000, 50_000, "file")
    assert never_went.txn_ref not in str(result.mismatches)
    entry = Entry.objects.get(subject_type="payments.reconciliation")
    assert entry.actor_label == "Hệ thống" and entry.detail == {"source": "file", "mismatches": 0, "matched": 1}


def test_every_kind_of_mismatch_is_listed(client, attempt, an, agency):
    client.get(IPN, gateway_result(attempt))  # we say paid...
    other = second_payment(an, agency)  # ...the gateway says paid but its IPN never came
    csv = (HEADER
           + f"{attempt.txn_ref},5000,02,14000001,20261123101500\n"  # amount and status differ
           + f"{other.txn_ref},20000,00,14000002,20261123102000\n"
           + "TT000000ZZZZZZ01,70000,00,14000003,20261123103000\n")  # unknown to us
    result = services.reconcile(day=day_of(attempt), report_csv=csv)
    found = sorted((m["kind"], m["txn_ref"]) for m in result.mismatches)
    assert found == sorted([
        ("amount_differs", attempt.txn_ref), ("status_differs", attempt.txn_ref),
        ("status_differs", other.txn_ref), ("missing_on_platform", "TT000000ZZZZZZ01"),
    ])
    differs = next(m for m in result.mismatches if m["kind"] == "amount_differs")
    assert (differs["platform_amount"], differs["gateway_amount"], differs["payment"]) == (
        50_000, 5_000, attempt.payment.code)
    assert result.matched == 0 and not result.ok


def test_a_payment_we_confirmed_that_the_gateway_does_not_list_is_missing_at_gateway(client, attempt):
    client.get(IPN, gateway_result(attempt))
    result = services.reconcile(day=day_of(attempt), report_csv=HEADER)
    assert [(m["kind"], m["txn_ref"]) for m in result.mismatches] == [("missing_at_gateway", attempt.txn_ref)]


@pytest.mark.parametrize(("csv", "message"), [
    ("ref,amount\n", "Dòng tiêu đề"),
    (HEADER + "A1,50000,00,1\n", "Dòng 2: cần 5 cột"),
    (HEADER + "A1,50.000,00,1,\n", "Dòng 2: Amount"),
    (HEADER + "A1,50000,7,1,\n", "Dòng 2: Status"),
    (HEADER + "A1,50000,00,1,2026-11-23\n", "Dòng 2: PayDate"),
    (HEADER + "A1,1,00,1,\nA1,1,00,1,\n", "Dòng 3: TxnRef"),
])
def test_a_malformed_report_is_refused_naming_the_line(csv, message):
    with pytest.raises(Invalid) as error:
        services.reconcile(day=dt.date(2026, 11, 23), report_csv=csv)
    assert error.value.message.startswith(message) and error.value.field == "report"
    assert not Reconciliation.objects.exists()


def test_the_report_format_round_trips():
    rows = [report.Row("TT1", 50_000, "00", "14000001", "20261123101500"), report.Row("TT2", 1, "01")]
    assert report.parse(report.render(rows)) == rows


def test_city_administrators_run_and_read_reconciliations_through_the_api(client, attempt, city_admin):
    client.get(IPN, gateway_result(attempt))
    client.force_login(city_admin)
    day = day_of(attempt).isoformat()
    response = client.post("/api/v1/payments/reconciliations",
                           {"date": day, "report_csv": HEADER + f"{attempt.txn_ref},50000,00,14000001,\n"},
                           content_type="application/json")
    assert response.status_code == 201
    assert response.json()["ok"] is True and response.json()["matched"] == 1
    listed = client.get(f"/api/v1/payments/reconciliations?date={day}").json()
    assert [r["id"] for r in listed] == [response.json()["id"]]
    assert Reconciliation.objects.get().ran_by == city_admin
    assert "Đối soát thanh toán" in client.get("/thanh-toan/doi-soat/").content.decode()


@pytest.mark.parametrize("persona", ["officer_ba_dinh", "an"])
def test_others_may_not(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/v1/payments/reconciliations").status_code == 403
    assert client.post("/api/v1/payments/reconciliations", {"date": "2026-11-23", "report_csv": HEADER},
                       content_type="application/json").status_code == 403
    assert client.get("/thanh-toan/doi-soat/").status_code == 404


def test_an_unreachable_gateway_is_a_502_not_a_500(client, city_admin, settings):
    settings.PAYMENT_GATEWAY_REPORT_URL = "http://127.0.0.1:9/nothing-listens-here"
    client.force_login(city_admin)
    response = client.post("/api/v1/payments/reconciliations", {"date": "2026-11-23"},
                           content_type="application/json")
    assert response.status_code == 502 and response.json()["errors"][0]["code"] == "gateway_unavailable"


def test_the_command_reads_a_report_file_and_fails_on_mismatches(client, attempt, tmp_path, capsys):
    client.get(IPN, gateway_result(attempt))
    day = day_of(attempt).isoformat()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"{attempt.txn_ref},50000,00,14000001,\n", encoding="utf-8")
    call_command("payments", "reconcile", "--date", day, "--report", str(good))
    assert "Không có chênh lệch." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER, encoding="utf-8")
    with pytest.raises(CommandError, match="1 chênh lệch"):
        call_command("payments", "reconcile", "--date", day, "--report", str(bad))
    assert "Nền tảng có kết quả nhưng cổng thanh toán không có giao dịch" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("payments", "reconcile", "--date", "23/11/2026")
    assert Reconciliation.objects.count() == 2


def test_the_sandbox_report_command_prints_the_days_transactions(client, an, payment, capsys):
    import re
    from urllib.parse import parse_qsl, urlsplit

    attempt = services.start_checkout(user=an, code=payment.code, ip="10.0.0.7")
    url = urlsplit(attempt.url)
    page = client.get(url.path, dict(parse_qsl(url.query, keep_blank_values=True)))
    token = re.search(r"paymentv2/([0-9a-f]+)/", page.content.decode()).group(1)
    client.post(f"/thanh-toan/sandbox/paymentv2/{token}/", {"outcome": "pay"})
    call_command("payments", "sandbox-report", "--date", day_of(attempt).isoformat())
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == HEADER.strip() and lines[1].startswith(f"{attempt.txn_ref},50000,00,1400")
    # and that report reconciles cleanly
    assert services.reconcile(day=day_of(attempt), report_csv="\n".join(lines) + "\n").ok
