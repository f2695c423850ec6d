"""The demo's citizen reports: loaded through the services, in several states, once."""

from __future__ import annotations

import pytest

from smartcity.demo.feedback import load_feedback
from smartcity.feedback.models import Report

pytestmark = pytest.mark.django_db


def test_the_demo_reports_load_once_in_several_states(an, officer_ba_dinh, officer_hoan_kiem):
    load_feedback(lambda _: None, n=20)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert Report.objects.count() == 20
    assert {"received", "in_progress", "answered"} <= statuses
    load_feedback(lambda _: None, n=20)
    assert Report.objects.count() == 20
