"""Deadlines of a citizen report — the one module that holds the legal table.

Reports about administrative regulations (``Category.administrative``) follow Decree 20/2008/NĐ-CP on receiving and
handling feedback and recommendations of individuals and organisations on administrative regulations, as amended by
Decree 92/2017/NĐ-CP (Art. 2) — the instrument in force for that matter; Decree 61/2018/NĐ-CP governs the one-stop
shop, not feedback. The figures the city asked us to apply, all counted in working days from receipt:

* refuse (return as not within the scope) within 2 working days (``REFUSE_WITHIN``);
* ask the reporter for more within 5 working days (``ASK_WITHIN``);
* answer within 15 working days (``ANSWER_WITHIN``);
* publish the answer within 2 working days after answering (``PUBLISH_WITHIN``): our answers are public the moment
  they are given, so this one is met by construction.

The article numbers and figures should be checked against the consolidated text before production (docs/feedback.md);
they are typed here once so a correction is one line. Other categories use their own ``deadline_days`` in working or
calendar days, as the city sets them in the back office.
"""

from __future__ import annotations

import datetime as dt

from smartcity.agencies.services import working_calendar
from smartcity.feedback.models import Category, DeadlineKind

REFUSE_WITHIN = 2
ASK_WITHIN = 5
ANSWER_WITHIN = 15
PUBLISH_WITHIN = 2
REOPEN_WITHIN_DAYS = 7  # calendar days after the answer in which an unsatisfied reporter may reopen


def deadlines(category: Category, received: dt.date) -> tuple[dt.date, dt.date]:
    """(accept by, answer by) for a report of ``category`` received on ``received`` (local date)."""
    calendar = working_calendar()
    if category.administrative:
        return (calendar.add_working_days(received, REFUSE_WITHIN), calendar.add_working_days(received, ANSWER_WITHIN))
    accept_by = calendar.add_working_days(received, REFUSE_WITHIN)
    if category.deadline_kind == DeadlineKind.CALENDAR:
        return accept_by, received + dt.timedelta(days=category.deadline_days)
    return accept_by, calendar.add_working_days(received, category.deadline_days)


def may_still_ask(category: Category, received: dt.date, today: dt.date) -> bool:
    """Whether the body may still ask the reporter for more (administrative reports: within 5 working days)."""
    if not category.administrative:
        return True
    return today <= working_calendar().add_working_days(received, ASK_WITHIN)
