"""Vietnamese first: the site speaks Vietnamese unless the visitor chose another language with the switcher.

Django's LocaleMiddleware would otherwise follow the browser's Accept-Language header, so a civil servant's
English-language browser would get English pages. The choice is kept in the language cookie (set_language view).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
