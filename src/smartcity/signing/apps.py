from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "smartcity.signing"
    verbose_name = "Chữ ký số"

    def ready(self) -> None:
        # The key stores register themselves in ``keystores.REGISTRY`` when their module is imported.
        from smartcity.signing.contrib import pkcs11, pkcs12  # noqa: F401
