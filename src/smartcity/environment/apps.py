from __future__ import annotations

from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "smartcity.environment"
    verbose_name = "Quan trắc môi trường"

    def ready(self) -> None:
        # the Hà Nội network becomes `smartcity sensors simulate --scenario hanoi`: sensing knows no city of its own
        from smartcity.environment.simulation import HANOI
        from smartcity.sensing import simulate

        simulate.register(HANOI)
