"""The providers of the apps the centre watches (``smartcity.ioc.sources`` says what a provider is). Each module
reads one app's ``services``; ``register_builtin`` registers those whose app is installed."""

from __future__ import annotations

from django.apps import apps

from smartcity.ioc import sources


def register_builtin() -> None:
    from smartcity.ioc.providers import centre, dossiers, environment, sensing

    sources.register(dossiers.DossierProvider())
    sources.register(environment.EnvironmentProvider())
    sources.register(sensing.SensingProvider())
    sources.register(centre.CentreProvider())
    if apps.is_installed("smartcity.feedback"):
        from smartcity.ioc.providers import reports

        sources.register(reports.ReportProvider())
