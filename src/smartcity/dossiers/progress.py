"""What a dossier's page and its public tracking page show of its progress: the procedure's steps with the current
one marked, and one timeline of what happened (the history rows and the fees asked and paid), said once each.

The applicant sees who acted (the officer's name); the public tracking page shows the acting office only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.dossiers.models import Dossier, Status
from smartcity.lib import formats
from smartcity.payments import services as payments

DONE, CURRENT, TODO = "done", "current", "todo"
_ENDED = {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}


@dataclass(frozen=True)
class Stage:
    label: str
    state: str  # DONE, CURRENT or TODO


@dataclass(frozen=True)
class Row:
    at: dt.datetime
    label: str
    office: str = ""
    officer: str = ""
    note: str = ""
    kind: str = "event"  # or "payment"


def stages(dossier: Dossier) -> list[Stage]:
    """Submitted, then the version's workflow steps (the first is the reception), then the result handed over. The
    step the dossier is at is ``CURRENT``; a dossier refused, withdrawn or stopped has none current after its last."""
    labels = [_("Nộp hồ sơ"), *(step["step"] for step in dossier.version.workflow), _("Trả kết quả")]
    last = len(labels) - 1
    status = dossier.status
    if status == Status.NEW:
        current = 1  # waiting to be received
    elif status == Status.RETURNED:
        current = last + 1  # all done
    elif status == Status.PROCESSED:
        current = last
    elif status in _ENDED:
        current = -1
    else:  # received, processing, supplement, awaiting payment: the workflow step it is at
        current = 1 + min(dossier.step, len(dossier.version.workflow) - 1)
    if current == -1:
        reached = 1 + (min(dossier.step, last - 2) if dossier.received_at else -1)
        return [Stage(label, DONE if i <= reached else TODO) for i, label in enumerate(labels)]
    return [Stage(label, DONE if i < current else CURRENT if i == current else TODO) for i, label in enumerate(labels)]


def timeline(dossier: Dossier, *, officers: bool) -> list[Row]:
    """The history, oldest first, with the fees asked and paid among it. ``officers``: name the member of staff who
    acted (for the applicant and staff); otherwise the office only (the public tracking page). A row repeating the
    one before it (same moment, status and note) is shown once."""
    rows: list[Row] = []
    for event in dossier.events.select_related("actor", "actor_agency").order_by("at", "id"):
        if event.operation == "paid_online":  # the payment's own row says it, with the amount
            continue
        label = event.get_to_status_display()
        office = event.actor_agency.name if event.actor_agency else ""
        officer = ""
        if officers and event.actor is not None and event.actor.is_staff:
            officer = event.actor.get_full_name() or event.actor.get_username()
        note = "" if event.note == label else event.note
        row = Row(event.at, label, office, officer, note)
        if rows and (rows[-1].at, rows[-1].label, rows[-1].note) == (row.at, row.label, row.note):
            continue
        rows.append(row)
    for payment in payments.payments_for_reference(dossier.code).select_related("agency"):
        amount = formats.money(payment.amount)
        rows.append(Row(payment.created_at, _("Phí, lệ phí cần nộp: %(amount)s") % {"amount": amount},
                        payment.agency.name, note="" if payment.paid_at else payment.get_state_display(),
                        kind="payment"))
        if payment.paid_at:
            rows.append(Row(payment.paid_at, _("Đã thanh toán %(amount)s") % {"amount": amount}, payment.agency.name,
                            note=_("Biên lai số %(number)s") % {"number": payment.receipt_no} if payment.receipt_no else "", kind="payment"))
    rows.sort(key=lambda r: r.at)
    return rows


def deadline(dossier: Dossier, *, now: dt.datetime | None = None) -> str | None:
    """"Đúng hạn" or "Quá hạn", said once: a finished dossier by the national rule (``services.is_on_time``), an
    unfinished one past its appointment is late; None otherwise (in progress and on time, or no appointment)."""
    from smartcity.dossiers.services import is_on_time

    on_time = is_on_time(dossier)
    if on_time is not None:
        return "Đúng hạn" if on_time else "Quá hạn"
    if dossier.finished_at is None and dossier.appointment_at and dossier.status not in _ENDED \
            and dossier.appointment_at < (now or timezone.now()):
        return "Quá hạn"
    return None


def of_code(code: str, *, officers: bool) -> tuple[list[Stage], list[Row], str | None]:
    """Stages, timeline and deadline of the dossier ``code``, for a caller already allowed to follow it
    (``services.track`` checked the code and its secret)."""
    dossier = Dossier.objects.select_related("version").get(code=code)
    return stages(dossier), timeline(dossier, officers=officers), deadline(dossier)
