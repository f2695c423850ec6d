from __future__ import annotations

from django.urls import path

from smartcity.payments import sandbox, views

app_name = "payments"
urlpatterns = [
    path("", views.my_payments, name="mine"),
    path("ket-qua/", views.gateway_return, name="return"),
    path("doi-soat/", views.reconciliations, name="reconciliations"),
    # The sandbox gateway (demo and tests), under the paths a VNPAY gateway uses.
    path("sandbox/paymentv2/vpcpay.html", sandbox.pay_page, name="sandbox_pay"),
    path("sandbox/paymentv2/<slug:token>/", sandbox.complete, name="sandbox_complete"),
    path("sandbox/merchant_webapi/api/transaction", sandbox.querydr, name="sandbox_querydr"),
    path("sandbox/doi-soat.csv", sandbox.daily_report, name="sandbox_report"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/thanh-toan/", views.checkout, name="checkout"),
    path("<str:code>/bien-lai.pdf", views.receipt, name="receipt"),
]
