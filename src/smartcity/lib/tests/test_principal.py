"""The two questions every service asks of the caller: a signed-in officer, or a signed-in citizen?"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartcity.identity.models import User
from smartcity.lib.principal import CITIZEN, STAFF, is_citizen, is_staff


class _SignedOut:
    kind = STAFF
    is_authenticated = False


def test_a_staff_account_is_staff_and_not_a_citizen():
    officer = User(username="officer", kind=User.Kind.STAFF)
    assert is_staff(officer) and not is_citizen(officer)


def test_a_citizen_account_is_a_citizen_and_not_staff():
    citizen = User(username="an", kind=User.Kind.CITIZEN)
    assert is_citizen(citizen) and not is_staff(citizen)


def test_djangos_back_office_flag_does_not_make_a_citizen_staff():
    assert not is_staff(User(username="an", kind=User.Kind.CITIZEN, is_staff=True))


def test_a_visitor_the_identity_providers_side_and_a_signed_out_object_are_neither():
    for nobody in (AnonymousUser(), User(username="idp", kind=User.Kind.IDP), _SignedOut(), None):
        assert not is_staff(nobody) and not is_citizen(nobody)


def test_the_kinds_are_those_of_the_account_model():
    assert (STAFF, CITIZEN) == (User.Kind.STAFF, User.Kind.CITIZEN)
