"""Pages of the citizen site: home (life events, the most used procedures), my profile (with export), who accessed my data."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smartcity.audit import services as audit
from smartcity.dossiers import services as dossiers
from smartcity.population import countries
from smartcity.population import services as population
from smartcity.portal.life_events import life_events


def home(request: HttpRequest) -> HttpResponse:
    """The city's front door: a search of the catalogue, life events, the procedures people use most."""
    return render(request, "portal/home.html", {
        "life_events": life_events(),
        "popular": dossiers.most_submitted_procedures(limit=6),
    })


def _without_record(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/no_record.html", status=403)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.user.person_id is None:
        return _without_record(request)
    citizen = population.own_record(user=request.user)
    return render(request, "portal/profile.html", {"citizen": citizen,
                                                   "nationality": countries.name(citizen.nationality)})


@login_required
def export_profile(request: HttpRequest) -> HttpResponse:
    if request.user.person_id is None:
        return _without_record(request)
    citizen = population.own_record(user=request.user, export=True)
    body = json.dumps(population.export_record(citizen), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    return response


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    if request.user.person_id is None:
        return _without_record(request)
    citizen = population.own_record(user=request.user)
    try:
        page = min(max(int(request.GET.get("trang", "1")), 1), 10_000)
    except ValueError:
        page = 1
    groups, more = audit.grouped_reads_of_person(citizen.pk, page=page)
    return render(request, "portal/access_log.html", {"groups": groups, "page": page, "more": more})
