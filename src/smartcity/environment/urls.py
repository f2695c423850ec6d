from __future__ import annotations

app_name = "environment"
urlpatterns: list = []
