"""The gateway's daily report, the other side of reconciliation. VNPAY publishes no file format for it (merchants
export it from their portal), so the platform defines one that any gateway adapter can produce:

* UTF-8 CSV, comma-separated, one header row ``TxnRef,Amount,Status,TransactionNo,PayDate``, then one row per
  transaction the gateway created that day (by ``vnp_CreateDate``, GMT+7);
* ``TxnRef`` the merchant's order reference (vnp_TxnRef); ``Amount`` in VND (not × 100); ``Status`` the
  vnp_TransactionStatus (``00`` paid, ``01`` unfinished, ``02`` failed); ``TransactionNo`` the gateway's number
  (empty when none); ``PayDate`` ``yyyyMMddHHmmss`` GMT+7 (empty when none).
* Fetched over HTTP as ``GET {PAYMENT_GATEWAY_REPORT_URL}?vnp_ReportDate=yyyyMMdd&vnp_TmnCode=…&vnp_SecureHash=…``
  (signed like a payment URL); the answer carries ``X-Vnp-SecureHash``, the HMAC-SHA512 of the body.

Example::

    TxnRef,Amount,Status,TransactionNo,PayDate
    TT261123AB12CD01,50000,00,14000007,20261123101502
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from smartcity.lib.errors import Invalid
from smartcity.payments import vnpay

HEADER = ["TxnRef", "Amount", "Status", "TransactionNo", "PayDate"]
STATUSES = frozenset(vnpay.TRANSACTION_STATUSES)


@dataclass(frozen=True)
class Row:
    txn_ref: str
    amount: int
    status: str
    transaction_no: str = ""
    pay_date: str = ""


def parse(text: str) -> list[Row]:
    """The rows of a report; ``Invalid`` naming the line for anything malformed (nothing is half-read)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if [cell.strip() for cell in header or []] != HEADER:
        raise Invalid(f"Dòng tiêu đề của báo cáo phải là {','.join(HEADER)}", field="report")
    rows: list[Row] = []
    seen: set[str] = set()
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(HEADER):
            raise Invalid(f"Dòng {number}: cần {len(HEADER)} cột", field="report")
        txn_ref, amount, status, transaction_no, pay_date = (cell.strip() for cell in cells)
        if not txn_ref or txn_ref in seen:
            raise Invalid(f"Dòng {number}: TxnRef trống hoặc trùng", field="report")
        if not amount.isdigit():
            raise Invalid(f"Dòng {number}: Amount phải là số đồng nguyên", field="report")
        if status not in STATUSES:
            raise Invalid(f"Dòng {number}: Status phải là 00, 01 hoặc 02", field="report")
        if pay_date:
            try:
                vnpay.parse_time(pay_date)
            except ValueError:
                raise Invalid(f"Dòng {number}: PayDate phải có dạng yyyyMMddHHmmss", field="report") from None
        seen.add(txn_ref)
        rows.append(Row(txn_ref, int(amount), status, transaction_no, pay_date))
    return rows


def render(rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.txn_ref, row.amount, row.status, row.transaction_no, row.pay_date])
    return buffer.getvalue()
