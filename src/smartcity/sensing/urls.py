from __future__ import annotations

app_name = "sensing"
urlpatterns: list = []
