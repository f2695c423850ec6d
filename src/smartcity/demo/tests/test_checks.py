"""Production refuses the demo's staff accounts while they keep their published credentials (smartcity.E011)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from smartcity import checks as project_checks
from smartcity.demo import checks
from smartcity.demo.accounts import STAFF_PASSWORD, TOTP_SECRETS

pytestmark = pytest.mark.django_db


def test_demo_staff_accounts_with_their_published_password_are_an_error(settings, ba_dinh):
    from smartcity.conftest import make_staff

    settings.SMARTCITY_ALLOW_DEMO_ACCOUNTS = False
    leader = make_staff("leader.badinh", "Lê Văn Lãnh Đạo")
    assert checks.demo_account_problems(settings) == []  # the demo's name, not its password
    leader.set_password(STAFF_PASSWORD)
    leader.save()
    found = checks.demo_account_problems(settings)
    assert [m.id for m in found] == ["smartcity.E011"] and "leader.badinh" in found[0].msg
    assert found[0].hint == project_checks.switch_hint("SMARTCITY_ALLOW_DEMO_ACCOUNTS")
    settings.SMARTCITY_ALLOW_DEMO_ACCOUNTS = True
    assert checks.demo_account_problems(settings) == []


def test_a_demo_totp_secret_alone_is_an_error_too(settings, ba_dinh):
    from smartcity.conftest import make_staff
    from smartcity.identity import services as identity

    settings.SMARTCITY_ALLOW_DEMO_ACCOUNTS = False
    identity.set_staff_totp(make_staff("officer.badinh", "Lê Thị Hoa"), TOTP_SECRETS["officer.badinh"])
    assert [m.id for m in checks.demo_account_problems(settings)] == ["smartcity.E011"]


def test_the_check_runs_with_the_projects_deploy_checks_and_stops_the_server(settings, ba_dinh):
    """Registered by the demo app under the project's tag: `check --deploy` lists it, and the WSGI/ASGI
    application's refusal names it, as when smartcity.checks made it."""
    from smartcity.conftest import make_staff

    leader = make_staff("leader.badinh", "Lê Văn Lãnh Đạo")
    leader.set_password(STAFF_PASSWORD)
    leader.save()
    settings.DEBUG, settings.SMARTCITY_ALLOW_DEMO_ACCOUNTS = False, False
    ids = [m.id for m in run_checks(include_deployment_checks=True, tags=[project_checks.TAG])]
    assert ids.count("smartcity.E011") == 1
    with pytest.raises(ImproperlyConfigured, match="smartcity.E011"):
        project_checks.refuse_to_serve()
    settings.DEBUG = True
    assert "smartcity.E011" not in [m.id for m in run_checks(include_deployment_checks=True,
                                                              tags=[project_checks.TAG])]
