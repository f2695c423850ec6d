from django.apps import AppConfig


class SensingConfig(AppConfig):
    name = "smartcity.sensing"
    verbose_name = "Cảm biến (SensorThings)"
