from django.apps import AppConfig


class EnvironmentConfig(AppConfig):
    name = "smartcity.environment"
    verbose_name = "Quan trắc môi trường"
