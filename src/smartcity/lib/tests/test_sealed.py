"""Secrets sealed at rest: a staff member's TOTP key is not in the table as text, opens with the configured keys,
survives a key rotation, and reads as empty — logged without the value — when no key opens it."""

from __future__ import annotations

import importlib
import logging
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection

from smartcity.identity.models import User
from smartcity.identity.services import set_staff_totp
from smartcity.lib import sealed

pytestmark = pytest.mark.django_db
KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def stored(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT totp_secret FROM {User._meta.db_table} WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_the_totp_key_is_sealed_in_the_table_and_plain_in_the_code(officer_ba_dinh):
    set_staff_totp(officer_ba_dinh, KEY)
    raw = stored(officer_ba_dinh)
    assert KEY not in raw and raw.startswith("gAAAAA")  # a Fernet token
    assert User.objects.get(pk=officer_ba_dinh.pk).totp_secret == KEY
    User.objects.filter(pk=officer_ba_dinh.pk).update(totp_secret="")  # none stays none
    assert stored(officer_ba_dinh) == "" and User.objects.get(pk=officer_ba_dinh.pk).totp_secret == ""


def test_a_rotated_key_still_opens_what_the_old_one_sealed(officer_ba_dinh, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SMARTCITY_FIELD_KEYS = [old]
    set_staff_totp(officer_ba_dinh, KEY)
    settings.SMARTCITY_FIELD_KEYS = [new, old]
    user = User.objects.get(pk=officer_ba_dinh.pk)
    assert user.totp_secret == KEY
    user.save(update_fields=["totp_secret"])  # re-saved: sealed with the new key
    settings.SMARTCITY_FIELD_KEYS = [new]
    assert User.objects.get(pk=officer_ba_dinh.pk).totp_secret == KEY


def test_a_value_no_key_opens_reads_as_empty_and_is_logged_without_it(officer_ba_dinh, settings, caplog):
    settings.SMARTCITY_FIELD_KEYS = [Fernet.generate_key().decode()]
    set_staff_totp(officer_ba_dinh, KEY)
    settings.SMARTCITY_FIELD_KEYS = [Fernet.generate_key().decode()]
    with caplog.at_level(logging.ERROR, logger="smartcity.lib.sealed"):
        user = User.objects.get(pk=officer_ba_dinh.pk)
    assert (user.totp_secret, user.totp_confirmed) == ("", True)  # the sign-in refuses; no silent re-enrolment
    assert "identity.User.totp_secret" in caplog.text and KEY not in caplog.text


def test_the_migration_seals_the_keys_stored_in_plain_text_and_can_open_them_again(officer_ba_dinh):
    migration = importlib.import_module("smartcity.identity.migrations.0003_sealed_totp")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {User._meta.db_table} SET totp_secret = %s WHERE id = %s", [KEY, officer_ba_dinh.pk])
    # what the functions use of a schema editor (SQLite opens none inside a test's transaction)
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.seal_plain_keys(apps, editor)
    assert stored(officer_ba_dinh) != KEY and sealed.unseal(stored(officer_ba_dinh)) == KEY
    migration.open_sealed_keys(apps, editor)
    assert stored(officer_ba_dinh) == KEY


def test_saving_a_row_whose_key_no_key_opens_keeps_the_sealed_value(officer_ba_dinh, settings):
    """A deployment with the wrong keys must not destroy the values: a password change saves the whole row."""
    right, wrong = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SMARTCITY_FIELD_KEYS = [right]
    set_staff_totp(officer_ba_dinh, KEY)
    settings.SMARTCITY_FIELD_KEYS = [wrong]
    user = User.objects.get(pk=officer_ba_dinh.pk)
    assert user.totp_secret == "" and not user.totp_secret
    user.set_password("Mật-khẩu-mới-2026")
    user.save()
    settings.SMARTCITY_FIELD_KEYS = [right]
    assert User.objects.get(pk=officer_ba_dinh.pk).totp_secret == KEY


def test_rotating_secret_key_the_django_way_keeps_the_values(officer_ba_dinh, settings):
    settings.SMARTCITY_FIELD_KEYS = []
    set_staff_totp(officer_ba_dinh, KEY)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-0123456789-abcdefghijklmnopqrstuvwxyz"
    assert User.objects.get(pk=officer_ba_dinh.pk).totp_secret == KEY


def test_a_malformed_key_is_named_when_the_settings_load():
    sealed.check_keys([Fernet.generate_key().decode()])
    with pytest.raises(ValueError, match="key 2 is not a Fernet key"):
        sealed.check_keys([Fernet.generate_key().decode(), "not-a-key"])
