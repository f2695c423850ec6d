from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "smartcity.dossiers"
    verbose_name = "Hồ sơ một cửa"
