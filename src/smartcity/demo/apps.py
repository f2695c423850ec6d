from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "smartcity.demo"
    verbose_name = "Dữ liệu trình diễn"

    def ready(self) -> None:
        # Production refuses the demo's published staff credentials (smartcity.E011): registered on import.
        from smartcity.demo import checks  # noqa: F401
