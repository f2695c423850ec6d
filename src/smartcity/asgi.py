"""ASGI entry point: `uvicorn smartcity.asgi:application`. With DEBUG off it refuses to load while a demo default
is left."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
application = get_asgi_application()

from smartcity.checks import refuse_to_serve  # noqa: E402  (after django.setup(), which get_asgi_application ran)

refuse_to_serve()
