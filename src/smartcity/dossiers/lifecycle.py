"""The dossier's state machine as data: each operation's label, the statuses it applies to, the status it leads
to and the roles that may apply it (../shared/design/dossier-lifecycle.md).

A table of its own, below both ``services`` (which applies the operations) and ``documents`` (which prints their
labels in the process-control slip), so neither has to import the other to read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartcity.dossiers.models import Status

APPLICANT = "applicant"  # the role of the dossier's own applicant, beside the staff roles of ``agencies.Role``
# "Chứng thực bản sao từ bản chính": the desk compares the original and seals the scan as an electronic copy.
CERTIFIED_COPY = "2.000815"


@dataclass(frozen=True)
class Operation:
    label: str
    sources: frozenset[int]
    target: int | None  # None: back to the status the dossier had before it waited for payment
    roles: tuple[str, ...]
    procedures: frozenset[str] = frozenset()  # when set, only dossiers of these procedures (by national code)


S = Status
OPERATIONS: dict[str, Operation] = {
    "receive": Operation("Tiếp nhận", frozenset({S.NEW}), S.RECEIVED, ("reception",)),
    "refuse": Operation("Từ chối tiếp nhận", frozenset({S.NEW}), S.REFUSED, ("reception",)),
    "assign": Operation("Chuyển xử lý", frozenset({S.RECEIVED}), S.PROCESSING, ("reception", "leader")),
    "forward": Operation("Chuyển bước tiếp theo", frozenset({S.PROCESSING}), S.PROCESSING,
                         ("reception", "specialist", "leader")),
    "transfer": Operation("Chuyển cơ quan khác", frozenset({S.RECEIVED, S.PROCESSING}), S.PROCESSING,
                          ("reception", "specialist", "leader")),
    "request_supplement": Operation("Yêu cầu bổ sung", frozenset({S.PROCESSING}), S.SUPPLEMENT,
                                    ("specialist", "leader")),
    "supplement": Operation("Bổ sung hồ sơ", frozenset({S.SUPPLEMENT}), S.PROCESSING, (APPLICANT, "reception")),
    "extend": Operation("Gia hạn", frozenset({S.PROCESSING}), S.PROCESSING, ("leader",)),
    "stop": Operation("Dừng xử lý", frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.AWAITING_PAYMENT}),
                      S.STOPPED, ("leader",)),
    "approve": Operation("Phê duyệt", frozenset({S.PROCESSING}), S.PROCESSED, ("leader",)),
    "return_result": Operation("Trả kết quả", frozenset({S.PROCESSED}), S.RETURNED, ("reception",)),
    "withdraw": Operation("Rút hồ sơ", frozenset({S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT,
                                                   S.AWAITING_PAYMENT}), S.WITHDRAWN, (APPLICANT,)),
    "request_payment": Operation("Yêu cầu thực hiện nghĩa vụ tài chính",
                                 frozenset({S.RECEIVED, S.PROCESSING, S.PROCESSED}), S.AWAITING_PAYMENT,
                                 ("reception", "specialist", "leader")),
    "record_payment": Operation("Xác nhận đã nộp phí tại quầy", frozenset({S.AWAITING_PAYMENT}), None,
                                ("reception",)),
    "certify_copy": Operation("Chứng thực bản sao điện tử", frozenset({S.RECEIVED, S.PROCESSING}), S.PROCESSED,
                              ("reception",), procedures=frozenset({CERTIFIED_COPY})),
}
NEEDS_NOTE = {"refuse", "request_supplement", "extend", "stop", "withdraw", "transfer"}
