"""The citizen sees, gives and withdraws consents, on the page and through the API; only citizens may."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.interop import services
from smartcity.interop.models import Consent

pytestmark = pytest.mark.django_db


def test_the_page_lists_services_needing_consent_with_the_registered_agencies(client, an, insurance):
    client.force_login(an)
    page = client.get("/dong-y-chia-se/").content.decode()
    assert "Xác minh nơi cư trú" in page and "Kết quả giải quyết hồ sơ" in page
    assert "Tình trạng hồ sơ thủ tục hành chính" not in page  # needs no consent
    assert "Bảo hiểm xã hội thành phố Hà Nội" in page
    assert page.count("Chưa đồng ý") == 2


def test_give_then_withdraw_on_the_page(client, an, insurance):
    client.force_login(an)
    r = client.post("/dong-y-chia-se/residence-verification/", {"action": "give"})
    assert r.status_code == 302
    live = Consent.objects.get(citizen_id=an.person_id, withdrawn_at__isnull=True)
    assert live.service.code == "residence-verification"
    client.post("/dong-y-chia-se/residence-verification/", {"action": "withdraw"})
    live.refresh_from_db()
    assert live.withdrawn_at is not None
    assert not Consent.objects.filter(withdrawn_at__isnull=True).exists()
    assert list(Entry.objects.filter(subject_type="interop.consent").values_list("action", flat=True)) == [
        "create", "update"]


def test_giving_twice_keeps_one_live_consent(an, published):
    first = services.give_consent(user=an, service_code="residence-verification")
    again = services.give_consent(user=an, service_code="residence-verification")
    assert first.pk == again.pk


def test_the_api_gives_and_withdraws(client, an, published):
    client.force_login(an)
    r = client.put("/api/v1/interop/consents/dossier-result")
    assert r.status_code == 200
    given = {c["service"]: c["given"] for c in r.json()}
    assert given == {"dossier-result": True, "residence-verification": False}
    r = client.delete("/api/v1/interop/consents/dossier-result")
    assert {c["service"]: c["given"] for c in r.json()} == {"dossier-result": False,
                                                              "residence-verification": False}


def test_a_service_without_consent_cannot_be_consented_to(client, an, published):
    client.force_login(an)
    assert client.put("/api/v1/interop/consents/dossier-status").status_code == 404


@pytest.mark.parametrize("who, status", [("an", 200), ("officer_ba_dinh", 403), (None, 401)])
def test_who_may_read_consents(client, request, published, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get("/api/v1/interop/consents").status_code == status


def test_staff_get_no_consent_page_and_anonymous_is_sent_to_sign_in(client, officer_ba_dinh, published):
    assert client.get("/dong-y-chia-se/").status_code == 302
    client.force_login(officer_ba_dinh)
    assert client.get("/dong-y-chia-se/").status_code == 403
