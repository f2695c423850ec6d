from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "smartcity.vault"
    verbose_name = "Kho dữ liệu của người dân"
