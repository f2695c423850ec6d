"""WSGI entry point: `gunicorn smartcity.wsgi`. With DEBUG off it refuses to load while a demo default is left."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
application = get_wsgi_application()

from smartcity.checks import refuse_to_serve  # noqa: E402  (after django.setup(), which get_wsgi_application ran)

refuse_to_serve()
