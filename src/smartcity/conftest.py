"""Shared test set-up: Hà Nội's units and agencies loaded once per test database, and the personas.

Personas: citizens An (ward Ba Đình) and Bình (ward Hoàn Kiếm); reception officers of ward Ba Đình and ward Hoàn
Kiếm; a specialist of the Department of Justice (province-wide); a leader of ward Ba Đình who signs; a city
administrator; an outsider (a staff account with no role anywhere).

Browser tests use the ``page`` fixture (Debian's Chromium driven by Playwright, against ``live_server``) and mark
their module with ``BROWSER``: skipped, with the reason, where /usr/bin/chromium is absent (``make test`` installs
it with apt when it can).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings

from smartcity.places.models import Level, Structure, Unit

CHROMIUM = Path("/usr/bin/chromium")
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"),
]

os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only

PASSWORD = "Mật-khẩu-thử-nghiệm-2026"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Hà Nội's units (both structures) and agencies, loaded once for the whole session."""
    with django_db_blocker.unblock():
        _load_reference_data()


def _load_reference_data() -> None:
    import importlib

    from django.apps import apps

    from smartcity.agencies.services import seed_hanoi
    from smartcity.environment.models import NoiseLimit
    from smartcity.places.services import load_units

    load_units(province_codes=["01"])
    seed_hanoi()
    if not NoiseLimit.objects.exists():  # seeded by a migration, so gone after a transactional test's flush
        importlib.import_module("smartcity.environment.migrations.0002_noise_limits").seed(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_survives_flushes(request, django_db_blocker):
    """A transactional test (live_server, transactional_db, django_db(transaction=True)) ends by flushing every
    table, and pytest-django tears its flush down after our fixtures, so reloading at teardown would be undone.
    Instead, a test that uses the database and finds Hà Nội missing reloads it first."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        with django_db_blocker.unblock():
            if not Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01").exists():
                _load_reference_data()
    yield


def commune(name: str) -> Unit:
    return Unit.objects.get(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01", name=name)


@pytest.fixture
def ba_dinh(db) -> Unit:
    return commune("Phường Ba Đình")


@pytest.fixture
def hoan_kiem(db) -> Unit:
    return commune("Phường Hoàn Kiếm")


def make_citizen(unit: Unit, *, id_number: str, full_name: str, dob: dt.date, sex: str, **extra):
    from smartcity.population.models import Citizen

    return Citizen.objects.create(id_number=id_number, full_name=full_name, date_of_birth=dob, sex=sex,
                                  permanent_unit=unit, **extra)


def make_citizen_user(citizen, username: str):
    from smartcity.identity.models import User

    return User.objects.create_user(username=username, password=PASSWORD, kind=User.Kind.CITIZEN, person=citizen,
                                    first_name=citizen.full_name.split()[-1],
                                    last_name=" ".join(citizen.full_name.split()[:-1]))


def make_staff(username: str, full_name: str, agency=None, role: str | None = None):
    from smartcity.agencies.services import add_membership
    from smartcity.identity.models import User

    last, first = full_name.rsplit(" ", 1)
    user = User.objects.create_user(username=username, password=PASSWORD, kind=User.Kind.STAFF, is_staff=True,
                                    first_name=first, last_name=last)
    if agency is not None and role is not None:
        add_membership(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def an(ba_dinh):
    """Citizen Nguyễn Văn An, ward Ba Đình, with an account."""
    c = make_citizen(ba_dinh, id_number="001090012345", full_name="Nguyễn Văn An", dob=dt.date(1990, 5, 17),
                     sex="M", permanent_address="12 Phan Đình Phùng", phone="0912345678", email="an@example.vn")
    return make_citizen_user(c, "an")


@pytest.fixture
def binh(hoan_kiem):
    """Citizen Trần Thị Bình, ward Hoàn Kiếm, with an account."""
    c = make_citizen(hoan_kiem, id_number="001185004321", full_name="Trần Thị Bình", dob=dt.date(1985, 11, 2),
                     sex="F", permanent_address="5 Tràng Tiền")
    return make_citizen_user(c, "binh")


@pytest.fixture
def officer_ba_dinh(ba_dinh):
    from smartcity.agencies.services import commune_committee

    return make_staff("officer.badinh", "Lê Thị Hoa", commune_committee(ba_dinh), "reception")


@pytest.fixture
def officer_hoan_kiem(hoan_kiem):
    from smartcity.agencies.services import commune_committee

    return make_staff("officer.hoankiem", "Phạm Văn Minh", commune_committee(hoan_kiem), "reception")


@pytest.fixture
def specialist_justice(db):
    from smartcity.agencies.services import department

    return make_staff("specialist.tuphap", "Đỗ Thu Trang", department("Sở Tư pháp"), "specialist")


@pytest.fixture
def leader_ba_dinh(ba_dinh):
    from smartcity.agencies.services import commune_committee

    return make_staff("leader.badinh", "Vũ Quang Huy", commune_committee(ba_dinh), "leader")


@pytest.fixture
def city_admin(db):
    from smartcity.agencies.models import Agency

    return make_staff("admin.city", "Hoàng Minh Tuấn", Agency.objects.get(code="000.00.00.H26"), "city_admin")


@pytest.fixture
def outsider(db):
    """A staff account with no membership anywhere."""
    return make_staff("outsider", "Ngô Văn Khách")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the local-memory cache outlives a test's database transaction)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked ``postgres`` (partitions, COPY, range indexes) skip, saying why, on the embedded SQLite."""
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL only: run the suite with DATABASE_URL=postgres://…")


@pytest.fixture
def page(live_server, monkeypatch):
    """A fresh Chromium tab (Vietnamese locale, downloads accepted) for a test that drives the live server."""
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(locale="vi-VN", accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()
