"""The officer's queue in a real browser (Debian's Chromium) at a phone's width: the dossier table becomes cards and
the page never scrolls sideways; the officer signs in with password and code and lands on it."""

from __future__ import annotations

import pyotp
import pytest

from smartcity.conftest import BROWSER, PASSWORD
from smartcity.dossiers.models import Status
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.dossiers.tests.test_workbench import copies

pytestmark = BROWSER

SECRET = "JBSWY3DPEHPK3PXPBADINHAAAAAAAAAA"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def test_an_officer_lands_on_the_queue_and_at_390_px_it_reads_as_cards(page, live_server, an, officer_ba_dinh):
    from smartcity.identity import services as identity

    identity.set_staff_totp(officer_ba_dinh, SECRET)
    original = submit(an)
    copies(original, 3, status=Status.PROCESSING)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=username]", officer_ba_dinh.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.fill("input[name=code]", pyotp.TOTP(SECRET).now())
    with page.expect_navigation(url=live_server.url + "/mot-cua/"):
        page.locator("main form button[type=submit]").last.click()
    assert page.locator("#tab-to_receive").inner_text() == "Chờ tiếp nhận 1"
    page.goto(live_server.url + "/mot-cua/?queue=to_process")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cells = page.locator("table.queue tbody tr").first.locator("td")
    assert cells.nth(2).evaluate("td => getComputedStyle(td, '::before').content") == '"Người nộp"'
    assert page.locator("table.queue thead").bounding_box()["height"] <= 1  # the header row hidden on a phone
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("table.queue thead").bounding_box()["height"] > 20
