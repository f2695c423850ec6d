from __future__ import annotations

from django.apps import AppConfig


class IocConfig(AppConfig):
    name = "smartcity.ioc"
    label = "ioc"
    verbose_name = "Trung tâm điều hành (IOC)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The providers of the apps below the centre (dossiers, environment, sensing) and, when installed, citizen
        # reports: see ``smartcity.ioc.sources`` and docs/ioc.md.
        from smartcity.ioc import providers

        providers.register_builtin()
