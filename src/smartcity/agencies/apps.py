from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "smartcity.agencies"
    verbose_name = "Cơ quan, đơn vị"
