"""Production refuses the demo's staff accounts while they keep their published credentials (``smartcity.E011``).

Only the demo knows which accounts, passwords and TOTP secrets it published, so the demo registers this check itself
(``DemoConfig.ready``) under the project's tag: ``smartcity check --deploy`` lists it and ``smartcity.checks
.refuse_to_serve`` refuses to serve with it, beside the other demo defaults of ``smartcity.checks`` — which thus
needs no import of the demo. ``SMARTCITY_ALLOW_DEMO_ACCOUNTS=true`` lets a staging server keep them on purpose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError, connection

from smartcity.checks import TAG, switch_hint
from smartcity.demo.accounts import STAFF_PASSWORD, TOTP_SECRETS
from smartcity.identity.models import User


def demo_account_problems(conf: Any) -> list[CheckMessage]:
    """The demo staff accounts still active with their published password or TOTP secret."""
    if conf.SMARTCITY_ALLOW_DEMO_ACCOUNTS:
        return []
    known = [user.username for user in User.objects.filter(username__in=list(TOTP_SECRETS), is_active=True)
             if user.totp_secret == TOTP_SECRETS[user.username] or user.check_password(STAFF_PASSWORD)]
    if not known:
        return []
    return [Error(f"Tài khoản cán bộ của bản demo còn mật khẩu hoặc khóa TOTP công khai: {', '.join(sorted(known))}.",
                  hint=switch_hint("SMARTCITY_ALLOW_DEMO_ACCOUNTS"), id="smartcity.E011")]


@register(TAG, deploy=True)
def check_demo_accounts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    try:
        if "identity_user" not in connection.introspection.table_names():
            return []  # not migrated yet: no demo accounts either
        return demo_account_problems(settings)
    except DatabaseError:  # unreadable: smartcity.checks' own database check already warns (smartcity.W004)
        return []
