"""ASGI entry point: `uvicorn smartcity.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
application = get_asgi_application()
