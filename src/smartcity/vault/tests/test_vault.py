"""The document store: only the owner lists, downloads and shares; a share link expires, can be revoked, can be
limited to one agency's staff; every look through a link (allowed or refused) is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from smartcity.audit.models import Entry
from smartcity.lib.errors import Forbidden, Gone, Invalid, NotFound
from smartcity.vault import services
from smartcity.vault.models import Document, ShareLink

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def document(an):
    return services.store(owner_id=an.person_id, pdf=PDF, title="Giấy khai sinh (bản điện tử)",
                          reference="000.00.04.H26-261123-0001", procedure_code="1.001193", signed=True)


def test_only_the_owner_sees_their_documents(an, binh, officer_ba_dinh, document):
    assert list(services.documents_of(an)) == [document]
    assert list(services.documents_of(binh)) == [] and list(services.documents_of(officer_ba_dinh)) == []
    with pytest.raises(NotFound):
        services.own_document(binh, document.pk)
    assert document.sha256 and document.size == len(PDF)


def test_the_store_takes_only_pdfs(an):
    with pytest.raises(Invalid):
        services.store(owner_id=an.person_id, pdf=b"GIF89a", title="x")
    assert not Document.objects.exists()


def test_a_public_link_works_until_it_expires_and_each_look_is_audited(an, document):
    new = services.share(user=an, document_id=document.pk, days=2)
    assert ShareLink.objects.get().token_sha256 != new.token  # only the hash is kept
    assert services.open_shared(token=new.token, user=None) == document
    with time_machine.travel(timezone.now() + dt.timedelta(days=2, seconds=1)), pytest.raises(Gone) as expired:
        services.open_shared(token=new.token, user=None)
    assert expired.value.message == "Liên kết chia sẻ đã hết hạn"
    reads = Entry.objects.filter(action="read", subject_type="vault.document", person_id=an.person_id)
    assert [e.detail["refused"] for e in reads.order_by("seq")] == ["", "Liên kết chia sẻ đã hết hạn"]
    with pytest.raises(NotFound):
        services.open_shared(token=new.token + "x", user=None)


def test_a_revoked_link_is_gone(an, document):
    new = services.share(user=an, document_id=document.pk)
    services.revoke(user=an, link_id=new.link.pk)
    with pytest.raises(Gone):
        services.open_shared(token=new.token, user=None)


def test_a_link_for_one_agency_refuses_everyone_else(an, officer_ba_dinh, officer_hoan_kiem, document):
    from smartcity.agencies.models import Membership

    agency = Membership.objects.get(user=officer_ba_dinh).agency
    new = services.share(user=an, document_id=document.pk, days=1, recipient_code=agency.code)
    assert services.open_shared(token=new.token, user=officer_ba_dinh) == document
    with pytest.raises(Forbidden):
        services.open_shared(token=new.token, user=officer_hoan_kiem)
    with pytest.raises(Forbidden):
        services.open_shared(token=new.token, user=None)
    assert ShareLink.objects.get().opened == 1


@pytest.mark.parametrize(("days", "recipient", "field"), [(0, "", "days"), (31, "", "days"), ("x", "", "days"),
                                                          (3, "000.99.99.H26", "recipient")])
def test_bad_share_requests_name_the_field(an, document, days, recipient, field):
    with pytest.raises(Invalid) as error:
        services.share(user=an, document_id=document.pk, days=days, recipient_code=recipient)
    assert error.value.field == field and not ShareLink.objects.exists()


def test_nobody_else_shares_or_revokes_my_document(an, binh, document):
    with pytest.raises(NotFound):
        services.share(user=binh, document_id=document.pk)
    new = services.share(user=an, document_id=document.pk)
    with pytest.raises(NotFound):
        services.revoke(user=binh, link_id=new.link.pk)


def test_the_api_lists_shares_and_opens_links(client, an, binh, document):
    client.force_login(an)
    assert [d["title"] for d in client.get("/api/v1/vault/documents").json()] == ["Giấy khai sinh (bản điện tử)"]
    assert client.get(f"/api/v1/vault/documents/{document.pk}/file").getvalue() == PDF
    made = client.post(f"/api/v1/vault/documents/{document.pk}/shares", {"days": 3}, content_type="application/json")
    assert made.status_code == 201
    token = made.json()["url"].rstrip("/").rsplit("/", 1)[-1]
    bad = client.post(f"/api/v1/vault/documents/{document.pk}/shares", {"days": 99}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "days"
    client.force_login(binh)
    assert client.get(f"/api/v1/vault/documents/{document.pk}/file").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/vault/shared/{token}").json()["reference"] == "000.00.04.H26-261123-0001"
    assert client.get(f"/api/v1/vault/shared/{token}/file").getvalue() == PDF
    client.force_login(an)
    assert client.delete(f"/api/v1/vault/shares/{made.json()['id']}").status_code == 204
    client.logout()
    gone = client.get(f"/api/v1/vault/shared/{token}")
    assert gone.status_code == 410 and gone.json()["errors"][0]["code"] == "gone"


def test_the_pages_share_once_and_open_the_link(client, an, document):
    client.force_login(an)
    page = client.post(f"/kho-du-lieu/{document.pk}/chia-se/", {"days": "5"}, follow=True).content.decode()
    url = page.split('id="new-link">', 1)[1].split("<", 1)[0]
    assert "/kho-du-lieu/chia-se/" in url
    assert 'id="new-link"' not in client.get("/kho-du-lieu/").content.decode()  # shown once
    client.logout()
    path = url.split("testserver", 1)[1]
    shared = client.get(path).content.decode()
    assert "Giấy khai sinh (bản điện tử)" in shared and document.sha256 in shared
    assert client.get(path + "?tai=1").getvalue() == PDF
    assert client.get("/kho-du-lieu/chia-se/khong-co/").status_code == 404
