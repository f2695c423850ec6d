"""`smartcity demo load`: everything the README promises is there, and loading twice changes nothing."""

from __future__ import annotations

import pyotp
import pytest
from django.core.management import call_command

from smartcity.identity.models import User
from smartcity.population.models import Citizen
from smartcity.procedures.models import Procedure

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_again_without_change(settings, capsys):
    settings.DEBUG = True
    call_command("demo", "load", "--synthetic", "50")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "officer.badinh" in out and "001090012345" in out
    counts = (Citizen.objects.count(), User.objects.count(), Procedure.objects.count())
    assert counts[0] >= 52 and counts[2] >= 25
    staff = User.objects.get(username="officer.badinh")
    assert staff.check_password("demo-HaNoi-2026") and staff.totp_confirmed
    assert staff.memberships.get().agency.name == "Ủy ban nhân dân Phường Ba Đình"
    call_command("demo", "load", "--synthetic", "50")
    assert (Citizen.objects.count(), User.objects.count(), Procedure.objects.count()) == counts


def test_the_demo_totp_command_prints_the_current_code(capsys):
    from smartcity.portal.demo import TOTP_SECRETS

    call_command("demo", "totp", "officer.badinh")
    assert capsys.readouterr().out.strip() == pyotp.TOTP(TOTP_SECRETS["officer.badinh"]).now()


def test_the_demo_refuses_to_load_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", "load")
