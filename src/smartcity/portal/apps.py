from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "smartcity.portal"
    verbose_name = "Cổng dịch vụ công"
