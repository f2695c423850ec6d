from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "smartcity.ops"
    verbose_name = "Vận hành"
