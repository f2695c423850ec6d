"""The browser proof's helpers: every page of the site as (name, who, how to reach it), the data each needs, and the
checks run on a loaded page (horizontal scrolling, axe-core, touch targets). Used by ``test_every_page.py`` and by
``scripts/walkthrough-screenshots``.

Data is made through the services, as the other browser tests make it (``dossiers.tests.test_lifecycle.submit``,
the conftest personas), *before* the browser starts: pyHanko signs in an event loop of its own, which cannot run
inside Playwright's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.urls import reverse

REPO = Path(__file__).resolve().parents[4]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: Where the screenshots go (a test artefact, under var/ so git ignores it); SMARTCITY_SCREENSHOT_DIR moves it.
SCREENSHOTS = Path(os.environ.get("SMARTCITY_SCREENSHOT_DIR") or REPO / "var" / "test-artifacts" / "screenshots")
WIDTHS = (390, 1280)
HEIGHT = {390: 844, 1280: 800}
#: WCAG 2.5.5 Target Size (Enhanced): 44 × 44 CSS px (see ``small_targets`` for what is measured and excepted).
MIN_TARGET = 44
LEADER_TOTP = "JBSWY3DPEHPK3PXPLEADERAAAAAAAAAA"
BIRTH = "1.001193"  # Đăng ký khai sinh: online, with a fee, signed result


class World:
    """The test's data, made on first use: personas (the conftest fixtures) and dossiers in given states."""

    def __init__(self, request, live_url: str):
        self.request = request
        self.live_url = live_url
        self._made: dict[str, object] = {}

    def __getattr__(self, persona: str):  # an, binh, officer_ba_dinh, leader_ba_dinh, city_admin …
        if persona.startswith("_"):
            raise AttributeError(persona)
        return self.request.getfixturevalue(persona)

    def once(self, key: str, make: Callable[[], object]):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def dossier(self, state: str) -> str:
        """The code of An's birth registration in ``state``: new, received, processing, payment, returned."""
        from smartcity.dossiers import services
        from smartcity.dossiers.tests.test_lifecycle import submit

        def make():
            code = submit(self.an).code
            officer, leader = self.officer_ba_dinh, self.leader_ba_dinh
            steps = {"new": [], "received": [(officer, "receive")],
                     "processing": [(officer, "receive"), (officer, "assign")],
                     "payment": [(officer, "receive"), (officer, "request_payment")],
                     "returned": [(officer, "receive"), (officer, "assign"), (leader, "approve"),
                                  (officer, "return_result")]}[state]
            if state == "returned":
                self.pki()
            for user, operation in steps:
                services.apply_operation(user=user, code=code, operation=operation)
            return code

        return self.once(f"dossier:{state}", make)

    def pki(self) -> None:
        """The demo CA's certificates, the leader of ward Ba Đình's among them (as in the dossier tests)."""
        from smartcity.signing import services

        self.leader_ba_dinh  # noqa: B018  (certificates are issued to the staff who exist)
        self.once("pki", services.ensure_demo_pki)

    def payment(self) -> str:
        from smartcity.payments.models import Payment

        code = self.dossier("payment")
        return self.once("payment", lambda: Payment.objects.filter(reference=code).latest("created_at").code)

    def gateway_url(self) -> str:
        from smartcity.payments import services

        return self.once("gateway", lambda: services.start_checkout(user=self.an, code=self.payment(),
                                                                     ip="127.0.0.1").url)

    def vault_document(self) -> int:
        from smartcity.vault.models import Document

        self.dossier("returned")
        return self.once("vault", lambda: Document.objects.filter(owner=self.an.person).latest("pk").pk)

    def share_token(self) -> str:
        from smartcity.vault import services

        return self.once("share", lambda: services.share(user=self.an, document_id=self.vault_document(),
                                                          days=7).token)

    def access_entry(self) -> None:
        from smartcity.population import services

        self.once("lookup", lambda: services.lookup_by_id_number(actor=self.officer_ba_dinh, id_number="001090012345",
                                                                 purpose="Xác minh nơi cư trú"))

    def leader(self):
        from smartcity.identity import services

        self.pki()
        return self.once("leader", lambda: services.set_staff_totp(self.leader_ba_dinh, LEADER_TOTP))

    def station(self) -> str:
        """An air station by Hoàn Kiếm lake with four readings an hour for the last 26 hours (real time)."""
        from django.utils import timezone

        from smartcity.environment import services
        from smartcity.environment.tests.conftest import HOAN_KIEM, feed, make_thing

        def make():
            thing, streams = make_thing("Trạm Hoàn Kiếm", HOAN_KIEM, {
                "pm25": ("PM2.5", "µg/m3"), "pm10": ("PM10", "µg/m3"), "o3": ("O3", "µg/m3"),
                "no2": ("NO2", "µg/m3")})
            now = timezone.now().replace(microsecond=0)
            for name, stream in streams.items():
                base = {"pm25": 55.0, "pm10": 80.0, "o3": 70.0, "no2": 40.0}[name]
                feed(stream, [(now - dt.timedelta(minutes=15 * i), base + (i % 8)) for i in range(26 * 4)], now=now)
            return services.register_station(thing_id=thing.pk, kind="air").code

        return self.once("station", make)


@dataclass(frozen=True)
class Page:
    name: str
    who: str | None  # the persona signed in (None: a visitor), "city_admin" also gets the second factor
    path: Callable[[World], str]
    status: int = 200


def _r(name: str, **kwargs) -> Callable[[World], str]:
    return lambda world: reverse(name, kwargs=kwargs or None)


PAGES: list[Page] = [
    # public
    Page("home", None, _r("portal:home")),
    Page("catalogue", None, _r("procedures:catalogue")),
    Page("procedure", None, _r("procedures:detail", key=BIRTH)),
    Page("track", None, _r("dossiers:track")),
    Page("track-result", None, lambda w: reverse("dossiers:track") + "?code=" + w.dossier("received") + "&secret="
         + __import__("smartcity.dossiers.models", fromlist=["Dossier"]).Dossier.objects.get(
             code=w.dossier("received")).tracking_secret),
    Page("statistics", None, _r("dossiers:statistics")),
    Page("scorecard", None, _r("dossiers:scorecard")),
    Page("environment", None, lambda w: (w.station(), reverse("environment:index"))[1]),
    Page("environment-station", None, lambda w: reverse("environment:station", kwargs={"code": w.station()})),
    Page("environment-warnings", None, _r("environment:warnings")),
    Page("environment-subscribe", None, _r("environment:subscribe")),
    Page("signing-verify", None, _r("signing:verify")),
    Page("login", None, _r("identity:login")),
    Page("api-docs", None, lambda w: "/api/v1/docs"),
    Page("not-found", None, lambda w: "/trang-khong-co/", status=404),
    Page("vault-shared", None, lambda w: reverse("vault:shared", kwargs={"token": w.share_token()})),
    # citizen (An)
    Page("my-dossiers", "an", lambda w: (w.dossier("received"), reverse("dossiers:mine"))[1]),
    Page("dossier-progress", "an", lambda w: reverse("dossiers:detail", kwargs={"code": w.dossier("processing")})),
    Page("dossier-returned", "an", lambda w: reverse("dossiers:detail", kwargs={"code": w.dossier("returned")})),
    Page("submit", "an", _r("dossiers:submit", key=BIRTH)),
    Page("profile", "an", _r("portal:profile")),
    Page("access-log", "an", lambda w: (w.access_entry(), reverse("portal:access_log"))[1]),
    Page("vault", "an", lambda w: (w.vault_document(), reverse("vault:mine"))[1]),
    Page("payments", "an", lambda w: (w.payment(), reverse("payments:mine"))[1]),
    Page("payment", "an", lambda w: reverse("payments:detail", kwargs={"code": w.payment()})),
    Page("payment-gateway", "an", lambda w: w.gateway_url().removeprefix(w.live_url)),
    # officers
    Page("queue", "officer_ba_dinh", lambda w: (w.dossier("new"), reverse("dossiers:queue"))[1]),
    Page("desk", "officer_ba_dinh", lambda w: reverse("dossiers:desk") + "?procedure=" + BIRTH),
    Page("officer-dossier", "officer_ba_dinh", lambda w: reverse("dossiers:detail",
                                                                 kwargs={"code": w.dossier("new")})),
    Page("approve", "leader", lambda w: reverse("dossiers:detail", kwargs={"code": w.dossier("processing")})),
    Page("reauthenticate", "leader", lambda w: reverse("identity:reauthenticate") + "?next=/mot-cua/"),
    Page("admin", "city_admin", lambda w: "/admin/"),
]


def sign_in(context, world: World, who: str | None) -> None:
    """Put a signed-in session of ``who`` in the browser context (``Client.force_login``'s session cookie)."""
    if who is None:
        return
    from django.conf import settings
    from django.test import Client

    from smartcity.identity import services as identity

    user = world.leader() if who == "leader" else getattr(world, who)
    client = Client()
    client.force_login(user)
    if who == "city_admin":
        session = client.session
        session[identity.SECOND_FACTOR_SESSION_KEY] = True
        session.save()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": world.live_url}])


def horizontal_overflow(tab) -> str | None:
    """Why the page scrolls sideways (the widest elements sticking out), or None."""
    widths = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] <= widths[1]:
        return None
    culprits = tab.evaluate("""(limit) => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > limit + 0.5)
        .filter(e => !(e.parentElement && e.parentElement.getBoundingClientRect().right > limit + 0.5))
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
             (e.classList.length ? '.' + [...e.classList].join('.') : '') +
             ' (right ' + Math.round(e.getBoundingClientRect().right) + ')')""", widths[1])
    return f"scrollWidth {widths[0]} > innerWidth {widths[1]}; sticking out: {', '.join(culprits) or '?'}"


def inject_axe(tab) -> None:
    """axe-core from node_modules, injected into every document the tab loads. As an init script (through the
    DevTools protocol), not a <script> tag: the site's Content-Security-Policy (script-src 'self') refuses inline
    scripts, and the test should not switch CSP off to look at the page."""
    tab.add_init_script(path=str(AXE))


def axe_violations(tab) -> list[dict]:
    """axe-core's serious and critical violations of the loaded page (``inject_axe`` before loading it)."""
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes: "
                     + ", ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                                 for n in v["nodes"][:3]) + ")" for v in violations)


#: The targets measured: every visible link, button and form control in the site header (and its navigation) and in
#: forms. WCAG 2.5.5's own exceptions apply: a link inline in a sentence (in a paragraph or a list item's text,
#: a table cell) is not measured; a checkbox or radio counts with its label (clicking the label toggles it).
SMALL_TARGETS_JS = """(min) => {
  const scope = [...document.querySelectorAll('body > header, header[role=banner], body > nav, form')];
  const seen = new Set(), small = [];
  for (const root of scope) {
    for (const e of root.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
      if (seen.has(e)) continue; seen.add(e);
      const style = getComputedStyle(e);
      if (style.visibility === 'hidden' || style.display === 'none' || e.closest('[hidden],[aria-hidden=true]')) continue;
      let r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (e.tagName === 'A' && e.closest('p, td, dd, li > small, small')) {
        const block = e.closest('p, td, dd, small');
        if (block && block.textContent.trim() !== e.textContent.trim()) continue;  // inline in running text
      }
      if (e.type === 'checkbox' || e.type === 'radio') {
        const label = e.closest('label') || (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`));
        if (label) {
          const l = label.getBoundingClientRect();
          r = {width: Math.max(r.right, l.right) - Math.min(r.left, l.left),
               height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top)};
        }
      }
      if (r.width + 0.5 < min || r.height + 0.5 < min) {
        const name = (e.getAttribute('aria-label') || e.textContent || e.name || e.id || '').trim().slice(0, 30);
        small.push(`${e.tagName.toLowerCase()}${e.type && e.tagName === 'INPUT' ? '[' + e.type + ']' : ''}` +
                   ` "${name}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
  }
  return small;
}"""


def small_targets(tab) -> list[str]:
    return tab.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
