"""Dossier codes: ``<agency code>-<YYMMDD>-<NNNN>``, the day's numbers unique and without gaps however many
receptions happen at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from smartcity.agencies.services import commune_committee
from smartcity.dossiers import services
from smartcity.lib.workdays import VN_TZ

MOMENT = dt.datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ)


@pytest.mark.django_db
def test_the_day_starts_at_one_and_counts_per_agency(ba_dinh, hoan_kiem):
    first, other = commune_committee(ba_dinh), commune_committee(hoan_kiem)
    assert services.next_code(first, MOMENT) == f"{first.code}-261125-0001"
    assert services.next_code(first, MOMENT) == f"{first.code}-261125-0002"
    assert services.next_code(other, MOMENT) == f"{other.code}-261125-0001"
    assert services.next_code(first, MOMENT + dt.timedelta(days=1)) == f"{first.code}-261126-0001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_receptions_at_the_same_moment_never_share_a_number(ba_dinh):
    agency = commune_committee(ba_dinh)
    codes: list[str] = []
    start = threading.Barrier(8)

    def take() -> None:
        try:
            start.wait()
            with transaction.atomic():
                codes.append(services.next_code(agency, MOMENT))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [f"{agency.code}-261125-{n:04d}" for n in range(1, 9)]
