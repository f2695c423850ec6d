"""The browser proof of issue 12: every page at 390 px (a phone) and 1280 px (a desktop), in Debian's Chromium.

For each page × width (one test id each, ``test_every_page[<page>-<width>]``):

* ``content``: the page shows what it is for (``Page.shows``, by default a heading in the site's <main>);
* a full-page screenshot is kept as a test artefact in ``var/test-artifacts/screenshots/<page>-<width>.png``
  (set SMARTCITY_SCREENSHOT_DIR to put them elsewhere);
* ``overflow``: the page does not scroll sideways (``document.documentElement.scrollWidth <= window.innerWidth``);
  ``overflow-360``: nor once the 390 px window is narrowed to 360 px;
* ``axe``: axe-core (the npm package pinned in package.json, injected into the page by Playwright) finds no
  violation of impact serious or critical; skipped, saying why, when ``node_modules/axe-core`` is not installed (``make install-dev``);
* ``targets`` (390 px only): every visible link, button and form control in the site header and in forms is at least
  44 × 44 CSS px — WCAG 2.5.5 Target Size (Enhanced), with its exception for links inline in running text (see
  ``browser_pages.SMALL_TARGETS_JS``).

Keyboard-only: a citizen submits a dossier and a leader approves (signs) one with Tab, Shift+Tab, typing, Enter and
Space only — no mouse, no ``click()``.

``KNOWN_DEFECTS`` lists what fails today, as (page, width, check); such a test is an expected failure (xfail, not
strict) as long as *only* known checks fail: a new failure of another check fails the test. Remove an entry once its
page is fixed (the test then shows as XPASS until removed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from smartcity.conftest import BROWSER
from smartcity.portal.tests import browser_pages as bp

pytestmark = BROWSER

# (page, width, check) → why it fails today. check: "content", "overflow", "overflow-360", "axe", "targets",
# "keyboard".
KNOWN_DEFECTS: dict[tuple[str, int, str], str] = {}


class KnownDefect(AssertionError):
    """Only checks listed in KNOWN_DEFECTS failed: the test is an expected failure."""


def _param(page: bp.Page, width: int):
    known = sorted({reason for (name, w, _check), reason in KNOWN_DEFECTS.items() if (name, w) == (page.name, width)})
    marks = [pytest.mark.xfail(strict=False, raises=KnownDefect, reason="; ".join(known))] if known else []
    return pytest.param(page, width, id=f"{page.name}-{width}", marks=marks)


def judge(name: str, width: int, failures: dict[str, str]) -> None:
    """Fail on any check not known to fail; an expected failure (KnownDefect) when only known ones fail.

    With SMARTCITY_PROOF_REPORT=<file>, every failing check is also appended to that file as a JSON line (page,
    width, check, why): the material to update KNOWN_DEFECTS from after the pages change."""
    if report := os.environ.get("SMARTCITY_PROOF_REPORT"):
        with open(report, "a", encoding="utf-8") as out:
            for check, why in failures.items():
                out.write(json.dumps({"page": name, "width": width, "check": check, "why": why},
                                     ensure_ascii=False) + "\n")
    unknown = {check: why for check, why in failures.items() if (name, width, check) not in KNOWN_DEFECTS}
    assert not unknown, "\n".join(f"{name} at {width} px, {check}: {why}" for check, why in unknown.items())
    if failures:
        raise KnownDefect("\n".join(f"{name} at {width} px, {check}: {why}" for check, why in failures.items()))


@pytest.fixture
def media(settings, tmp_path, live_server):
    """Uploads under a temporary directory, the sandbox payment gateway on the live server, the catalogue, and
    results signed by the demo CA (keys under the temporary directory, no timestamp authority: no network)."""
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTCITY_SIGNING_DIR = tmp_path / "signing"
    settings.SMARTCITY_SIGNING_DEMO_CA = True
    settings.SMARTCITY_TSA_URL = ""
    settings.PAYMENT_GATEWAY_URL = f"{live_server.url}/thanh-toan/sandbox/paymentv2/vpcpay.html"
    settings.PAYMENT_RETURN_URL = f"{live_server.url}/thanh-toan/ket-qua/"
    load_catalogue()


def open_page(request, world: bp.World, spec: bp.Page, width: int):
    """The page loaded at ``width`` in a fresh tab, signed in as the page's persona; the data is made first."""
    path = spec.path(world)
    tab = request.getfixturevalue("page")  # the browser starts only now (after any signing, see browser_pages)
    tab.set_viewport_size({"width": width, "height": bp.HEIGHT[width]})
    bp.sign_in(tab.context, world, spec.who)
    if bp.AXE.exists():
        bp.inject_axe(tab)
    response = tab.goto(world.live_url + path)
    assert response is not None and response.status == spec.status, (
        f"{spec.name}: {world.live_url + path} answered {response and response.status}, not {spec.status}")
    tab.wait_for_load_state("load")
    return tab


def screenshot(tab, name: str, width: int) -> None:
    """The full page kept as a test artefact; with SMARTCITY_WALKTHROUGH_DIR set (scripts/walkthrough-screenshots),
    the README's walk-through image of the page too, when it is one."""
    bp.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(bp.SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    if (folder := os.environ.get("SMARTCITY_WALKTHROUGH_DIR")) and (name, width) in bp.WALKTHROUGH:
        bp.walkthrough_image(tab, name, width, Path(folder))


@pytest.mark.parametrize(("spec", "width"), [_param(p, w) for p in bp.PAGES for w in bp.WIDTHS])
def test_every_page(request, media, live_server, spec: bp.Page, width: int):
    world = bp.World(request, live_server.url)
    tab = open_page(request, world, spec, width)
    screenshot(tab, spec.name, width)
    failures: dict[str, str] = {}
    try:  # a page that draws itself after loading (the API docs fetch their OpenAPI document) gets a moment
        tab.locator(spec.shows).first.wait_for(state="visible", timeout=5000)
    except PlaywrightTimeout:
        failures["content"] = f"nothing visible matches {spec.shows!r} (page title {tab.title()!r})"
    if why := bp.horizontal_overflow(tab):
        failures["overflow"] = why
    if width == 390 and (small := bp.small_targets(tab)):
        failures["targets"] = f"{len(small)} targets under {bp.MIN_TARGET} px: " + "; ".join(small[:30])
    if bp.AXE.exists():
        if violations := bp.axe_violations(tab):
            failures["axe"] = bp.describe_violations(violations)
    if width == 390:  # the narrowest phones the issue names: the same page, the window narrowed to 360 px
        tab.set_viewport_size({"width": 360, "height": bp.HEIGHT[390]})
        if why := bp.horizontal_overflow(tab):
            failures["overflow-360"] = why
    judge(spec.name, width, failures)
    if not bp.AXE.exists():
        pytest.skip(f"axe-core is not installed ({bp.AXE} is missing: run `make install-dev` or `npm ci`); "
                    "the other checks passed")


# Keyboard only -------------------------------------------------------------------------------------------------

def focused(tab) -> dict:
    return tab.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', id: e.id || '',
                text: (e.innerText || e.value || '').trim(), readonly: !!e.readOnly, value: e.value || '',
                options: e.tagName === 'SELECT' ? [...e.options].map(o => o.text) : [],
                selected: e.tagName === 'SELECT' ? e.selectedIndex : -1}; }""")


def tab_to(tab, predicate, what: str, limit: int = 200) -> dict:
    """Press Tab until the focused element matches ``predicate``; that element's description."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        now = focused(tab)
        if predicate(now):
            return now
    raise AssertionError(f"Tab never reached {what} in {limit} presses")


def choose(tab, option: str) -> None:
    """Pick ``option`` of the focused <select> with the arrow keys."""
    now = focused(tab)
    target = next(i for i, text in enumerate(now["options"]) if text == option)
    key = "ArrowDown" if target > now["selected"] else "ArrowUp"
    for _ in range(abs(target - now["selected"])):
        tab.keyboard.press(key)
    assert focused(tab)["options"][focused(tab)["selected"]] == option


def type_date(tab, iso: str) -> None:
    """Type a date into the focused <input type=date>, in whichever order the browser shows its parts (day first
    in Vietnamese, month first in Chromium's default English): the arrow keys go back to the first part to retry."""
    year, month, day = iso.split("-")
    for order in (day + month + year, month + day + year, year + month + day):
        tab.keyboard.type(order)
        if focused(tab)["value"] == iso:
            return
        for _ in range(2):
            tab.keyboard.press("ArrowLeft")
    raise AssertionError(f"could not type {iso} into the date field")


SUBMIT_ANSWERS = {"child_full_name": "Nguyễn Minh Khôi", "child_date_of_birth": "20/11/2026", "child_sex": "Nam",
                  "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Hà Nội",
                  "child_ethnicity": "Kinh", "child_nationality": "Việt Nam", "relationship": "Cha",
                  "unit": "Phường Ba Đình"}


@pytest.mark.xfail(("keyboard-submit", 390, "keyboard") in KNOWN_DEFECTS, strict=False,
                   reason=KNOWN_DEFECTS.get(("keyboard-submit", 390, "keyboard"), ""))
def test_a_citizen_submits_a_dossier_with_the_keyboard_only(request, media, live_server, tmp_path):
    from smartcity.dossiers.models import Dossier, Status

    world = bp.World(request, live_server.url)
    world.an  # noqa: B018  (the persona is made before the browser starts)
    tab = request.getfixturevalue("page")
    tab.set_viewport_size({"width": 390, "height": 844})
    bp.sign_in(tab.context, world, "an")
    # From the catalogue to the procedure, to its online form: by links, followed with Enter.
    tab.goto(live_server.url + reverse("procedures:catalogue"))
    tab_to(tab, lambda f: f["tag"] == "a" and f["text"] == "Đăng ký khai sinh", "the procedure's link")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    tab_to(tab, lambda f: f["tag"] == "a" and "Nộp hồ sơ" in f["text"], "the link to submit online")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("h1").inner_text().startswith("Nộp hồ sơ trực tuyến")

    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")
    filled = set()
    for _ in range(80):  # through the form, field by field, until its submit button
        tab.keyboard.press("Tab")
        f = focused(tab)
        if f["tag"] == "button" and f["text"] == "Nộp hồ sơ":
            break
        if f["readonly"] or f["name"] not in SUBMIT_ANSWERS and f["type"] != "file":
            continue
        if f["tag"] == "select":
            choose(tab, SUBMIT_ANSWERS[f["name"]])
        elif f["type"] == "file":
            with tab.expect_file_chooser() as chooser:
                tab.keyboard.press("Space")
            chooser.value.set_files(str(scan))
        elif f["type"] == "radio":  # a group is one Tab stop; the arrow keys move the choice within it
            for _ in range(12):
                if focused(tab)["value"] == SUBMIT_ANSWERS[f["name"]]:
                    break
                tab.keyboard.press("ArrowDown")
            assert focused(tab)["value"] == SUBMIT_ANSWERS[f["name"]]
        elif f["type"] == "date":
            type_date(tab, "2026-11-20")
        else:
            tab.keyboard.type(SUBMIT_ANSWERS[f["name"]])
        filled.add(f["name"])
    else:
        raise AssertionError("Tab never reached the «Nộp hồ sơ» button")
    assert filled >= {*SUBMIT_ANSWERS, "birth_certificate_file"}, f"not reached by Tab: {set(SUBMIT_ANSWERS) - filled}"
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    screenshot(tab, "keyboard-submit", 390)
    assert tab.locator(".error").all_inner_texts() == []
    dossier = Dossier.objects.get(applicant=world.an.person)
    assert (dossier.status, dossier.procedure.code, dossier.agency.name) == (
        Status.NEW, bp.BIRTH, "Ủy ban nhân dân Phường Ba Đình")
    assert dossier.data["child_full_name"] == "Nguyễn Minh Khôi" and dossier.data["child_date_of_birth"] == "2026-11-20"
    assert tab.url == f"{live_server.url}/ho-so/{dossier.code}/"


@pytest.mark.xfail(("keyboard-approve", 1280, "keyboard") in KNOWN_DEFECTS, strict=False,
                   reason=KNOWN_DEFECTS.get(("keyboard-approve", 1280, "keyboard"), ""))
def test_a_leader_approves_and_signs_with_the_keyboard_only(request, media, live_server):
    from smartcity.dossiers.models import Dossier, Status

    world = bp.World(request, live_server.url)
    code = world.dossier("to_approve")
    world.leader()
    tab = request.getfixturevalue("page")
    tab.set_viewport_size({"width": 1280, "height": 800})
    bp.sign_in(tab.context, world, "leader")
    # From the leader's own queue («Chờ tôi phê duyệt», where a leader lands) to the dossier, then to its approval.
    tab.goto(live_server.url + reverse("dossiers:queue"))
    tab_to(tab, lambda f: f["tag"] == "a" and f["text"] == code, f"the link to the dossier {code}")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url == f"{live_server.url}/ho-so/{code}/"

    # The dossier page leads to the approval screen, which shows the draft to be signed before signing.
    tab_to(tab, lambda f: f["tag"] == "a" and f["text"] == "Xem dự thảo và phê duyệt", "the link to the approval")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    approval = f"{live_server.url}/ho-so/{code}/phe-duyet/"
    assert tab.url == approval
    tab_to(tab, lambda f: f["tag"] == "button" and f["text"] == "Phê duyệt và ký số", "the «Phê duyệt và ký số» button")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/account/xac-thuc-lai/" in tab.url  # signing asks for a fresh code first
    tab_to(tab, lambda f: f["name"] == "code", "the code field")
    tab.keyboard.type(pyotp.TOTP(bp.LEADER_TOTP).now())
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url == approval
    tab_to(tab, lambda f: f["tag"] == "button" and f["text"] == "Phê duyệt và ký số", "the «Phê duyệt và ký số» button")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    screenshot(tab, "keyboard-approve", 1280)
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.result_signed) == (Status.PROCESSED, True)
