"""`smartcity demo load`: everything the README promises is there, and loading twice changes nothing."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from django.core.management import call_command

from smartcity.identity.models import User
from smartcity.population.models import Citizen
from smartcity.procedures.models import Procedure

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_again_without_change(settings, capsys):
    settings.DEBUG = True
    call_command("demo", "load", "--synthetic", "50", "--network-days", "3")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "officer.badinh" in out and "001090012345" in out
    counts = (Citizen.objects.count(), User.objects.count(), Procedure.objects.count())
    assert counts[0] >= 52 and counts[2] >= 25
    staff = User.objects.get(username="officer.badinh")
    assert staff.check_password("demo-HaNoi-2026") and staff.totp_confirmed
    assert staff.memberships.get().agency.name == "Ủy ban nhân dân Phường Ba Đình"
    call_command("demo", "load", "--synthetic", "50", "--network-days", "3")
    assert (Citizen.objects.count(), User.objects.count(), Procedure.objects.count()) == counts


def test_the_demo_totp_command_prints_the_current_code(capsys):
    from smartcity.demo.accounts import TOTP_SECRETS

    call_command("demo", "totp", "officer.badinh")
    assert capsys.readouterr().out.strip() == pyotp.TOTP(TOTP_SECRETS["officer.badinh"]).now()


def test_the_demo_refuses_to_load_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", "load")


def test_the_totp_of_an_account_that_is_not_the_demos_is_refused(capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không phải tài khoản trình diễn: an.nguyen"):
        call_command("demo", "totp", "an.nguyen")


def test_the_readme_accounts_table_says_what_the_demo_loads():
    """The README's demo-accounts table is typed by hand: every name, ID number and password in it is the demo's."""
    from smartcity.demo.accounts import STAFF, STAFF_PASSWORD
    from smartcity.demo.people import CITIZEN_PASSWORD, CITIZENS

    readme = (Path(__file__).resolve().parents[4] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| who | sign in | credentials |"):].split("\n\n", 1)[0]
    for number, name, *_ in CITIZENS:
        assert f"citizen {name} " in table and f"`{number}`" in table
    assert f"`{CITIZEN_PASSWORD}`" in table and f"password `{STAFF_PASSWORD}`" in table
    assert ", ".join(f"`{s.username}`" for s in STAFF) in table
