from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "smartcity.places"
    verbose_name = "Đơn vị hành chính"
