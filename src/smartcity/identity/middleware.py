"""Session limits: a staff session ends after STAFF_SESSION_IDLE_MINUTES idle, a citizen's CITIZEN_SESSION_HOURS
after the sign-in. An expired session is signed out before the view runs, so the request goes on anonymous: a page
that needs a sign-in sends the person to it (with a message saying why), the API answers 401.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from smartcity.identity import services

#: The load balancer's probes read no session: loading one (and the account) for each would make the liveness check
#: cost two queries.
PROBES = ("/api/v1/health", "/api/v1/ready")


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBES:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if services.session_expired(request.session, user):
                auth_logout(request)
                messages.info(request, _("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), fail_silently=True)
            else:
                services.touch_session(request.session, user)
        return self.get_response(request)
