"""The Hà Nội demo, loaded in one call: real units and agencies, the procedure catalogue, two named citizens,
staff of every role, the demo CA, sample dossiers, the simulated monitoring network, synthetic residents.

``load_demo`` is what `smartcity demo load` (the README's run command) runs; idempotent, so running it again changes
nothing. The order matters: staff before the demo CA (it issues their certificates), the demo CA before the
dossiers (the returned one is signed). Passwords and TOTP secrets are for the local demo only: DEBUG must be on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from smartcity.agencies import services as agencies
from smartcity.demo import accounts, centre, dossiers, feedback, network, opendata, people
from smartcity.demo import interop as interop_demo
from smartcity.demo.accounts import accounts_text, totp_code
from smartcity.demo.education import load_admission
from smartcity.identity import services as identity
from smartcity.places import services as places
from smartcity.places.models import Level, Structure, Unit
from smartcity.procedures import services as procedures
from smartcity.signing import services as signing

__all__ = ["accounts_text", "load_demo", "totp_code"]


def load_demo(*, synthetic: int = 2000, network_days: int = network.DAYS, out: Callable[[str], object] = print
              ) -> None:
    """Load whatever of the demo is missing; ``synthetic`` residents in all (0 for none), ``network_days`` of
    simulated readings. ``RuntimeError`` without DEBUG: the data holds known passwords, so it never goes into a
    production database."""
    if not settings.DEBUG:
        raise RuntimeError("The demo data holds known passwords: load it only with DEBUG on.")
    if Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01").count() != 126:
        out("Nạp đơn vị hành chính (cả nước, hai cấu trúc)…")
        places.load_units()
    agencies.seed_hanoi()
    with transaction.atomic():
        people.load_citizens()
        accounts.load_staff()
    identity.ensure_demo_client(settings.SITE_URL)  # the portal's registration at the development identity provider
    created = procedures.load_catalogue()
    if created:
        out(f"Nạp {created} thủ tục hành chính vào danh mục")
    if settings.SMARTCITY_SIGNING_DEMO_CA:  # the returned demo dossier's result is signed with its certificates
        signing.ensure_demo_pki(out=out)
        dossiers.load_dossiers(out)
    interop_demo.load_interop(out)
    network.load_network(out, days=network_days)
    feedback.load_feedback(out)
    load_admission(out)
    people.load_residents(n=synthetic, out=out)
    centre.load_centre(out)
    opendata.load_opendata(out)  # after the network and dossiers: its live tables are computed from them
