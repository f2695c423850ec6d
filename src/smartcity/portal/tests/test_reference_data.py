"""A live-server test flushes the database; the reference data must be back for the next test."""

from __future__ import annotations

import pytest

from smartcity.agencies.models import Agency
from smartcity.places.models import Unit


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_reference_data():
    assert Unit.objects.filter(structure="2025", level="commune", province_code="01").count() == 126


@pytest.mark.django_db
def test_the_next_test_still_sees_it():
    assert Unit.objects.filter(structure="2025", level="commune", province_code="01").count() == 126
    assert Agency.objects.filter(level="commune").count() == 126
