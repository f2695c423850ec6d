from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "smartcity.signing"
    verbose_name = "Chữ ký số"
