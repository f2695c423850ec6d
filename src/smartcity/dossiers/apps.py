from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "smartcity.dossiers"
    verbose_name = "Hồ sơ một cửa"

    def ready(self) -> None:
        from smartcity.payments.signals import payment_succeeded

        payment_succeeded.connect(_paid, dispatch_uid="dossiers.payment_received")


def _paid(sender: object, *, reference: str, stage: str, **_: object) -> None:
    from smartcity.dossiers import services

    services.payment_received(reference=reference, stage=stage)
