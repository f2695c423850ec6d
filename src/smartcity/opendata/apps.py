from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "smartcity.opendata"
    verbose_name = "Dữ liệu mở"
