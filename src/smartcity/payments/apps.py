from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "smartcity.payments"
    verbose_name = "Thanh toán trực tuyến"
