"""The back office (/admin/) speaks Vietnamese on every page: each model registered there (ours and the third-party
apps') and each inline under it is named in Vietnamese, each concrete field has a label of its own (not the one
Django derives from the attribute name, "created at"), and the index, every list and every add form render without
Django's English words."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin
from django.db import models
from django.utils import translation
from django.utils.text import camel_case_to_spaces

from smartcity.identity import services as identity

# Labels that are Vietnamese usage as they stand: "ID" is what Django calls every automatic primary key (never
# editable, so never on a form), "SHA-256" names the fingerprint's algorithm, "nonce" is what the OpenID Connect
# specification calls it (oauth2_provider's own msgid, left as is in locale/vi).
ASCII_LABELS = {"ID", "id", "SHA-256", "nonce"}

# Django's English words on an admin page left untranslated, and the labels Django derives from attribute names.
ENGLISH = re.compile(
    r"\b(Add|Change|Delete|Save|Select|Search|Filter|Action|Actions|Go|View|History|Home|Log out|Yes|No|All|Today"
    r"|Previous|Next|created at|updated at|[Cc]reated|[Uu]pdated|Show counts|Can (?:add|change|delete|view))\b"
)


def registered() -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def shown_models() -> list[type[models.Model]]:
    """Every registered model and the models of its inlines."""
    found: dict[str, type[models.Model]] = {}
    for model, model_admin in registered():
        found[model._meta.label] = model
        for inline in model_admin.inlines:
            found[inline.model._meta.label] = inline.model
    return [found[label] for label in sorted(found)]


def is_vietnamese(text: str) -> bool:
    """Vietnamese writing carries diacritics; a name without any is an English (or an attribute) name."""
    return not text.isascii()


@pytest.mark.parametrize("model", shown_models(), ids=lambda model: model._meta.label)
def test_each_model_in_the_back_office_is_named_in_vietnamese(model):
    opts = model._meta
    with translation.override("vi"):
        assert is_vietnamese(str(opts.verbose_name)), (opts.label, str(opts.verbose_name))
        assert is_vietnamese(str(opts.verbose_name_plural)), (opts.label, str(opts.verbose_name_plural))
        assert str(opts.verbose_name) != camel_case_to_spaces(opts.object_name)


@pytest.mark.parametrize("model", shown_models(), ids=lambda model: model._meta.label)
def test_each_field_in_the_back_office_has_a_vietnamese_label(model):
    with translation.override("vi"):
        unlabelled = [
            f"{field.name}={field.verbose_name!s}"
            for field in model._meta.get_fields()
            if field.concrete and (str(field.verbose_name) == field.name.replace("_", " ")
                                   or not is_vietnamese(str(field.verbose_name)))
            and str(field.verbose_name) not in ASCII_LABELS
        ]
    assert unlabelled == []


def test_the_allowed_ascii_labels_are_only_primary_keys_fingerprints_and_nonces():
    with translation.override("vi"):
        allowed = {
            (field.name, str(field.verbose_name))
            for model in shown_models() for field in model._meta.get_fields()
            if field.concrete and str(field.verbose_name) in ASCII_LABELS
        }
    assert {name for name, _ in allowed} == {"id", "fingerprint", "nonce"}


pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def visible_text(page: str) -> str:
    """The words a person reads: no scripts, styles or tags, entities decoded; the admin's hidden helpers too."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<[^>]+class="[^"]*\b(hidden|visually-hidden)\b[^"]*"[^>]*>.*?</[a-z]+>', " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def english_on(page: str) -> list[str]:
    return sorted(set(ENGLISH.findall(visible_text(page))))


def cell_texts(page: str, pattern: str) -> list[str]:
    """The text of each element matched by ``pattern`` (its first group), whitespace collapsed; empty ones left out."""
    cells = (" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
             for cell in re.findall(pattern, page, flags=re.S))
    return [cell for cell in cells if cell]


def test_the_index_has_no_english_word(back_office):
    page = back_office.get("/admin/")
    assert page.status_code == 200
    assert english_on(page.content.decode()) == []


@pytest.mark.parametrize("model", [model for model, _ in registered()], ids=lambda model: model._meta.label)
def test_each_list_has_vietnamese_column_headers_and_no_english_word(back_office, model):
    opts = model._meta
    page = back_office.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert english_on(text) == []
    headers = cell_texts(text, r'<th scope="col"[^>]*>(.*?)</th>')
    assert headers, "the list has columns"
    assert [header for header in headers if not is_vietnamese(header) and header not in ASCII_LABELS] == []


@pytest.mark.parametrize("model", [model for model, _ in registered()], ids=lambda model: model._meta.label)
def test_each_add_form_that_exists_has_no_english_word(back_office, model):
    opts = model._meta
    page = back_office.get(f"/admin/{opts.app_label}/{opts.model_name}/add/")
    if page.status_code == 403:  # read-only in the back office: rows are made by the services
        return
    assert page.status_code == 200
    text = page.content.decode()
    assert english_on(text) == []
    labels = [label.rstrip(":") for label in cell_texts(text, r"<label\b[^>]*>(.*?)</label>")]
    assert [label for label in labels if not is_vietnamese(label) and label not in ASCII_LABELS] == []


def test_an_account_page_with_its_permission_selector_has_no_english_word(back_office, admin_user):
    page = back_office.get(f"/admin/identity/user/{admin_user.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert english_on(text) == []
    assert "Hồ sơ một cửa | hồ sơ | Được thêm hồ sơ" in text  # a permission, named from its codename


def test_the_back_office_scripts_speak_vietnamese_too(back_office):
    script = back_office.get("/admin/jsi18n/").content.decode("unicode_escape")
    for words in ["Chọn tất cả %s", "Bỏ tất cả %s", "Thứ Hai", "Chủ nhật"]:
        assert words in script, words


def test_the_third_party_models_are_named_without_a_migration_of_theirs():
    from django.apps import apps
    from django.db.migrations.state import ModelState

    token = apps.get_model("oauth2_provider", "AccessToken")
    with translation.override("vi"):
        assert (str(token._meta.verbose_name), str(token._meta.verbose_name_plural)) == ("mã truy cập", "mã truy cập")
    assert "verbose_name" not in ModelState.from_model(token).options
