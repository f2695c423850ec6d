from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "smartcity.interop"
    verbose_name = "Chia sẻ dữ liệu liên thông"
