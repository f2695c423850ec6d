from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "smartcity.identity"
    verbose_name = "Định danh và đăng nhập"
