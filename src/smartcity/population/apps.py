from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "smartcity.population"
    verbose_name = "Dân cư"
