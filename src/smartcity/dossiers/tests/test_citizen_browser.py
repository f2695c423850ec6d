"""The citizen's pages in a real browser (Debian's Chromium) at a phone's width: nothing wider than the screen, and
no script or style the content security policy refuses (it would say so in the console)."""

from __future__ import annotations

import pytest
from django.conf import settings

from smartcity.conftest import BROWSER
from smartcity.dossiers.tests.test_lifecycle import submit

pytestmark = BROWSER


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def test_the_citizen_pages_fit_a_phone_and_keep_the_content_policy(page, live_server, client, an):
    dossier = submit(an)
    client.force_login(an)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.set_viewport_size({"width": 390, "height": 844})
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
    for path in ["/ho-so/nop/1.001193/", "/ho-so/nop/1.004222/", f"/ho-so/{dossier.code}/",
                 f"/tra-cuu/?code={dossier.code}&secret={dossier.tracking_secret}", "/kho-du-lieu/"]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.locator('[aria-current="step"]').count() == (1 if "nop" not in path and "kho" not in path
                                                                 else 0), path
    assert complaints == []
