from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "smartcity.portal"
    verbose_name = "Cổng dịch vụ công"

    def ready(self) -> None:
        # The project's production checks (demo defaults refused with DEBUG off) register on import; the portal is
        # the top app, loaded last, and the checks read the lower apps' models.
        from smartcity import checks  # noqa: F401
