from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "smartcity.procedures"
    verbose_name = "Thủ tục hành chính"
